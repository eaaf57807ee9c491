// SPDX-License-Identifier: GPL-2.0
#include "netlink_facts.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <optional>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <vector>

#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <sched.h>
#include <sys/stat.h>

#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "bpf_prog_info.h"
#include "clock.h"
#include "mnl_dump.h"
#include "netns_worker.h"
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
    // After the links: a device's clsact/ingress qdisc is noted on its link. One dump for the
    // whole namespace, so that only the devices that have one get a filter dump.
    {RTM_GETQDISC, AF_UNSPEC, sizeof(tcmsg)},
};

std::string request_name(const DumpRequest& req) {
    const char* what = req.type == RTM_GETLINK    ? "links"
                       : req.type == RTM_GETADDR  ? "addresses"
                       : req.type == RTM_GETROUTE ? "routes"
                       : req.type == RTM_GETNEIGH ? "neighbours"
                       : req.type == RTM_GETQDISC ? "qdiscs"
                                                  : "rules";
    const char* fam = req.family == AF_INET ? " (IPv4)" : req.family == AF_INET6 ? " (IPv6)" : "";
    return std::string(what) + fam;
}

// The family header of a request with only its first byte (the family) set.
std::vector<std::byte> family_header(const DumpRequest& req) {
    std::vector<std::byte> header(req.header_size);
    header[0] = std::byte{req.family};
    return header;
}

// The filters on one hook of a device's clsact or ingress qdisc.
Result<DumpStatus> dump_tc_filters(mnl_socket* sock,
                                   const std::string& link_name,
                                   const TcFilterDump& target,
                                   std::uint32_t seq,
                                   std::vector<char>& buf,
                                   FactsSnapshot& out) {
    tcmsg tcm{};
    tcm.tcm_family = AF_UNSPEC;
    tcm.tcm_ifindex = target.ifindex;
    tcm.tcm_parent =
        TC_H_MAKE(TC_H_CLSACT, target.direction == "ingress" ? TC_H_MIN_INGRESS : TC_H_MIN_EGRESS);
    const DumpCall call{RTM_GETTFILTER,
                        std::as_bytes(std::span(&tcm, 1)),
                        "tc filters (" + link_name + " " + std::string(target.direction) + ")"};
    const MessageParser parse = [&](std::span<const std::byte> msg) {
        return parse_tc_filter_message(msg, target, out);
    };
    auto status = dump(sock, call, seq, buf, parse);
    // The qdisc went away after the qdisc dump: no filters, not an error.
    if (!status && (status.error().sys_errno == ENOENT || status.error().sys_errno == EINVAL ||
                    status.error().sys_errno == ENODEV)) {
        return DumpStatus::Done;
    }
    return status;
}

// The programs of every device's tc hooks, per direction in the order they run: tcx first, then
// the filters of the clsact (or ingress) qdisc. Only devices with such a qdisc get a filter dump.
Result<DumpStatus>
read_tc(mnl_socket* sock, std::uint32_t& seq, std::vector<char>& buf, FactsSnapshot& snap) {
    bool tcx = true; // false once the kernel says it has no tcx (before Linux 6.6)
    for (std::size_t i = 0; i < snap.links.size(); ++i) {
        for (const auto direction : {TcxDirection::Ingress, TcxDirection::Egress}) {
            const std::string_view name = direction == TcxDirection::Ingress ? "ingress" : "egress";
            const int ifindex = snap.links[i].ifindex;
            if (tcx) {
                auto ids = tcx_prog_ids(ifindex, direction);
                if (!ids) {
                    tcx = false;
                    if (ids.error().sys_errno != EINVAL) {
                        snap.gaps.push_back("tcx programs not read: " + ids.error().describe());
                    }
                } else {
                    for (const auto id : *ids) {
                        TcFilterFact f;
                        f.direction = std::string(name);
                        f.kind = "tcx";
                        f.prog_id = id;
                        snap.links[i].tc_filters.push_back(std::move(f));
                    }
                }
            }
            // The legacy ingress qdisc has no egress hook: asking for it would list its ingress
            // filters again.
            const std::string& qdisc = snap.links[i].tc_qdisc;
            if (qdisc.empty() || (qdisc == "ingress" && direction == TcxDirection::Egress)) {
                continue;
            }
            // Appends to this link's tc_filters; snap.links itself does not change.
            auto status = dump_tc_filters(
                sock, snap.links[i].name, TcFilterDump{ifindex, name}, ++seq, buf, snap);
            if (!status || *status == DumpStatus::Interrupted) {
                return status;
            }
        }
    }
    return DumpStatus::Done;
}

// Kernel program names by id, each looked up once. Failures other than "unloaded meanwhile"
// leave a gap and stop further lookups (they would fail the same way).
class ProgNames {
public:
    explicit ProgNames(std::vector<std::string>& gaps) : gaps_(gaps) {}

    std::string operator()(std::uint32_t id) {
        if (id == 0 || failed_) {
            return {};
        }
        if (auto it = names_.find(id); it != names_.end()) {
            return it->second;
        }
        auto info = bpf_prog_info(id);
        if (!info) {
            if (info.error().sys_errno != ENOENT) {
                failed_ = true;
                gaps_.push_back("BPF program names not read: " + info.error().describe());
            }
            return {};
        }
        return names_[id] = info->name;
    }

private:
    std::vector<std::string>& gaps_;
    std::unordered_map<std::uint32_t, std::string> names_;
    bool failed_ = false;
};

void fill_prog_names(FactsSnapshot& snap) {
    ProgNames name_of(snap.gaps);
    for (auto& link : snap.links) {
        if (link.xdp) {
            auto& x = *link.xdp;
            x.prog_name = name_of(x.prog_id);
            x.generic_prog_name = name_of(x.generic_prog_id);
            x.native_prog_name = name_of(x.native_prog_id);
            x.offload_prog_name = name_of(x.offload_prog_id);
        }
        for (auto& f : link.tc_filters) {
            f.prog_name = name_of(f.prog_id);
        }
    }
}

// Runs on the helper thread, already inside the namespace.
Result<FactsSnapshot> read_here(const NetnsId& id) {
    std::vector<char> buf(recv_buffer_size);
    for (int attempt = 1;; ++attempt) {
        FactsSnapshot snap;
        snap.netns = id;
        snap.taken_unix_ns = wall_clock_ns();
        const auto start = std::chrono::steady_clock::now();
        // A fresh socket per attempt: what is left of an interrupted dump dies with the old one.
        MnlSocket sock(NETLINK_ROUTE);
        if (auto bound = sock.bind("rtnetlink"); !bound) {
            return bound.error();
        }
        std::uint32_t seq = static_cast<std::uint32_t>(snap.taken_unix_ns / 1000);
        const MessageParser parse = [&](std::span<const std::byte> msg) {
            return parse_rtnl_message(msg, snap);
        };
        std::vector<std::vector<std::byte>> headers;
        std::vector<DumpCall> calls;
        for (const auto& req : dump_requests) {
            headers.push_back(family_header(req));
        }
        for (std::size_t i = 0; i < std::size(dump_requests); ++i) {
            calls.push_back({dump_requests[i].type, headers[i], request_name(dump_requests[i])});
        }
        auto dumped = dump_all(sock.get(), calls, seq, buf, parse);
        if (!dumped) {
            return dumped.error();
        }
        bool interrupted = *dumped == DumpStatus::Interrupted;
        if (!interrupted) {
            auto status = read_tc(sock.get(), seq, buf, snap);
            if (!status) {
                return status.error();
            }
            interrupted = *status == DumpStatus::Interrupted;
        }
        if (!interrupted) {
            fill_prog_names(snap);
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

Result<FactsSnapshot> read_rtnl_facts(const NetnsId& id) {
    return read_here(id);
}

Result<FactsSnapshot> read_netns_facts(const NetnsTarget& target) {
    NetnsId id = target.id;
    auto fd = open_netns(target.path, target.id.inode, &id.inode);
    if (!fd) {
        return fd.error();
    }
    NetnsWorker worker;
    auto snap = worker.run_result<FactsSnapshot>(
        std::move(*fd), [id] { return read_here(id); }, std::chrono::seconds(30));
    return snap;
}

} // namespace netdx::probes
