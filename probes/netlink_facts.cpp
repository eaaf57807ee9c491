// SPDX-License-Identifier: GPL-2.0
#include "netlink_facts.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <sched.h>
#include <sys/stat.h>

#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "unique_fd.h"

namespace netdx::probes {
namespace {

// The kernel caps one dump message batch at 32 KiB; a larger buffer never truncates.
constexpr std::size_t recv_buffer_size = 64 * 1024;
constexpr int dump_attempts = 3;

struct DumpRequest {
    std::uint16_t type;
    std::uint8_t family;
    std::size_t header_size; // the family header the request carries (its first byte: family)
};

constexpr DumpRequest dump_requests[] = {
    {RTM_GETLINK, AF_UNSPEC, sizeof(ifinfomsg)},
    {RTM_GETADDR, AF_UNSPEC, sizeof(ifaddrmsg)},
    {RTM_GETROUTE, AF_INET, sizeof(rtmsg)},
    {RTM_GETROUTE, AF_INET6, sizeof(rtmsg)},
    {RTM_GETNEIGH, AF_INET, sizeof(ndmsg)},
    {RTM_GETNEIGH, AF_INET6, sizeof(ndmsg)},
    {RTM_GETRULE, AF_INET, sizeof(fib_rule_hdr)},
    {RTM_GETRULE, AF_INET6, sizeof(fib_rule_hdr)},
};

class MnlSocket {
public:
    explicit MnlSocket(mnl_socket* s) : s_(s) {}
    MnlSocket(const MnlSocket&) = delete;
    MnlSocket& operator=(const MnlSocket&) = delete;
    ~MnlSocket() {
        if (s_ != nullptr) {
            mnl_socket_close(s_);
        }
    }
    mnl_socket* get() const { return s_; }

private:
    mnl_socket* s_;
};

struct CallbackState {
    FactsSnapshot* out = nullptr;
    std::optional<Error> error;
};

int on_message(const nlmsghdr* nlh, void* data) {
    auto* state = static_cast<CallbackState*>(data);
    // libmnl checked that nlmsg_len bytes are inside the received buffer.
    const std::span bytes(reinterpret_cast<const std::byte*>(nlh), nlh->nlmsg_len);
    if (auto r = parse_rtnl_message(bytes, *state->out); !r) {
        state->error = r.error();
        return MNL_CB_ERROR;
    }
    return MNL_CB_OK;
}

std::string request_name(const DumpRequest& req) {
    const char* what = req.type == RTM_GETLINK    ? "links"
                       : req.type == RTM_GETADDR  ? "addresses"
                       : req.type == RTM_GETROUTE ? "routes"
                       : req.type == RTM_GETNEIGH ? "neighbours"
                                                  : "rules";
    const char* fam = req.family == AF_INET ? " (IPv4)" : req.family == AF_INET6 ? " (IPv6)" : "";
    return std::string(what) + fam;
}

// Outcome of one dump: done, or interrupted (NLM_F_DUMP_INTR: the tables changed meanwhile).
enum class DumpStatus { Done, Interrupted };

Result<DumpStatus> dump(mnl_socket* sock,
                        const DumpRequest& req,
                        std::uint32_t seq,
                        std::vector<char>& buf,
                        FactsSnapshot& out) {
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
    nlh->nlmsg_type = req.type;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    nlh->nlmsg_seq = seq;
    auto* family = static_cast<std::uint8_t*>(mnl_nlmsg_put_extra_header(nlh, req.header_size));
    *family = req.family;
    if (mnl_socket_sendto(sock, nlh, nlh->nlmsg_len) < 0) {
        return make_error(
            ErrorKind::Environment, "cannot request the " + request_name(req) + " dump", errno);
    }
    const unsigned portid = mnl_socket_get_portid(sock);
    CallbackState state{&out, std::nullopt};
    for (;;) {
        const ssize_t n = mnl_socket_recvfrom(sock, buf.data(), buf.size());
        if (n < 0) {
            return make_error(
                ErrorKind::Environment, "cannot read the " + request_name(req) + " dump", errno);
        }
        const int ret =
            mnl_cb_run(buf.data(), static_cast<size_t>(n), seq, portid, on_message, &state);
        if (ret == MNL_CB_STOP) {
            return DumpStatus::Done;
        }
        if (ret < 0) {
            if (state.error) {
                return *state.error;
            }
            if (errno == EINTR) {
                return DumpStatus::Interrupted;
            }
            return make_error(
                ErrorKind::Environment, "the " + request_name(req) + " dump failed", errno);
        }
    }
}

std::uint64_t unix_now_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ULL +
           static_cast<std::uint64_t>(ts.tv_nsec);
}

// Runs on the helper thread, already inside the namespace.
Result<FactsSnapshot> read_here(const NetnsId& id) {
    std::vector<char> buf(recv_buffer_size);
    for (int attempt = 1;; ++attempt) {
        FactsSnapshot snap;
        snap.netns = id;
        snap.taken_unix_ns = unix_now_ns();
        const auto start = std::chrono::steady_clock::now();
        // A fresh socket per attempt: what is left of an interrupted dump dies with the old one.
        MnlSocket sock(mnl_socket_open(NETLINK_ROUTE));
        if (sock.get() == nullptr) {
            return make_error(ErrorKind::Environment, "cannot open a netlink socket", errno);
        }
        if (mnl_socket_bind(sock.get(), 0, MNL_SOCKET_AUTOPID) < 0) {
            return make_error(ErrorKind::Environment, "cannot bind a netlink socket", errno);
        }
        bool interrupted = false;
        std::uint32_t seq = static_cast<std::uint32_t>(snap.taken_unix_ns / 1000);
        for (const auto& req : dump_requests) {
            auto status = dump(sock.get(), req, ++seq, buf, snap);
            if (!status) {
                return status.error();
            }
            if (*status == DumpStatus::Interrupted) {
                interrupted = true;
                break;
            }
        }
        if (!interrupted) {
            snap.duration_ns =
                static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                               std::chrono::steady_clock::now() - start)
                                               .count());
            return snap;
        }
        if (attempt == dump_attempts) {
            return make_error(ErrorKind::Environment,
                              "the namespace's tables kept changing during the dump (tried " +
                                  std::to_string(dump_attempts) + " times)",
                              EINTR,
                              "try again");
        }
    }
}

} // namespace

Result<NetnsTarget> resolve_netns(NetnsRegistry& registry, std::string_view name) {
    auto inode = registry.inode_of(name);
    if (!inode) {
        return inode.error();
    }
    NetnsTarget target{{std::string(name), *inode}, {}};
    if (name == NetnsRegistry::host_name) {
        // The same files NetnsRegistry looked at: pid 1, else kthreadd (pid 2).
        const NetnsPaths paths;
        for (const auto& path : {paths.init_ns, paths.kthreadd_dir + "/ns/net"}) {
            struct stat st {};
            if (::stat(path.c_str(), &st) == 0 && st.st_ino == *inode) {
                target.path = path;
                return target;
            }
        }
        return make_error(ErrorKind::Environment,
                          "cannot find a file that refers to the host network namespace",
                          0,
                          "run as root (sudo netdx ...)");
    }
    target.path = NetnsPaths{}.run_dir + "/" + std::string(name);
    return target;
}

Result<FactsSnapshot> read_netns_facts(const NetnsTarget& target) {
    UniqueFd fd(::open(target.path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
        return make_error(ErrorKind::Environment,
                          "cannot open network namespace " + target.path,
                          errno,
                          errno == EACCES || errno == EPERM ? "run as root (sudo netdx ...)" : "");
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        return make_error(ErrorKind::Environment, "cannot stat " + target.path, errno);
    }
    if (target.id.inode != 0 && st.st_ino != target.id.inode) {
        return make_error(ErrorKind::Environment,
                          target.path + " no longer refers to namespace inode " +
                              std::to_string(target.id.inode) + " (it was replaced meanwhile)",
                          0,
                          "try again");
    }
    NetnsId id = target.id;
    id.inode = static_cast<std::uint32_t>(st.st_ino);

    std::optional<Result<FactsSnapshot>> result;
    auto body = [&]() {
        if (::setns(fd.get(), CLONE_NEWNET) != 0) {
            result.emplace(make_error(ErrorKind::Environment,
                                      "cannot enter network namespace " + target.path,
                                      errno,
                                      "entering a namespace needs CAP_SYS_ADMIN: run as root"));
            return;
        }
        result.emplace(read_here(id));
    };
    try {
        std::thread worker(body);
        worker.join();
    } catch (const std::system_error& e) {
        return make_error(ErrorKind::Environment,
                          std::string("cannot start the namespace reader thread: ") + e.what(),
                          e.code().value());
    }
    return std::move(*result);
}

} // namespace netdx::probes
