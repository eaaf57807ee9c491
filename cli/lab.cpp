// SPDX-License-Identifier: GPL-2.0
#include "lab.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <future>
#include <thread>

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/log.h"
#include "process.h"

namespace netdx::cli {
namespace {

constexpr const char* run_netns_dir = "/run/netns";

engine::IpAddr v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    const std::uint8_t bytes[4] = {a, b, c, d};
    return engine::IpAddr::v4(bytes);
}

// Runs `fn` on a fresh thread that has joined network namespace `ns`; the calling thread and
// the rest of the process stay where they are (the netns is per thread).
template <class Fn>
auto in_netns(const std::string& ns, Fn fn) -> decltype(fn()) {
    using R = decltype(fn());
    auto task = std::async(std::launch::async, [&]() -> R {
        std::string path = std::string(run_netns_dir) + "/" + ns;
        UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (fd.get() < 0 || setns(fd.get(), CLONE_NEWNET) != 0) {
            return R(make_error(ErrorKind::Environment, "cannot enter netns " + ns, errno));
        }
        return fn();
    });
    return task.get();
}

sockaddr_in to_sockaddr(const engine::IpAddr& addr, std::uint16_t port) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    std::memcpy(&sa.sin_addr, addr.bytes().data(), 4);
    return sa;
}

} // namespace

Result<Lab> Lab::create() {
    Lab lab;
    std::string base = std::string(name_prefix) + std::to_string(getpid());
    lab.client_ns_ = base + "-client";
    lab.server_ns_ = base + "-server";
    lab.client_addr_ = v4(10, 200, 0, 1);
    lab.server_addr_ = v4(10, 200, 0, 2);
    for (const auto& ns : {lab.client_ns_, lab.server_ns_}) {
        if (auto r = run_program({"ip", "netns", "add", ns}); !r) {
            return r.error();
        }
        lab.created_.push_back(ns);
    }
    // The veth pair is created inside the client namespace with its peer in the server's, so
    // the host namespace never sees it.
    const std::vector<std::vector<std::string>> setup = {
        {"ip",
         "-n",
         lab.client_ns_,
         "link",
         "add",
         "veth0",
         "type",
         "veth",
         "peer",
         "name",
         "veth0",
         "netns",
         lab.server_ns_},
        {"ip",
         "-n",
         lab.client_ns_,
         "addr",
         "add",
         lab.client_addr_.to_string() + "/24",
         "dev",
         "veth0"},
        {"ip",
         "-n",
         lab.server_ns_,
         "addr",
         "add",
         lab.server_addr_.to_string() + "/24",
         "dev",
         "veth0"},
        {"ip", "-n", lab.client_ns_, "link", "set", "lo", "up"},
        {"ip", "-n", lab.server_ns_, "link", "set", "lo", "up"},
        {"ip", "-n", lab.client_ns_, "link", "set", "veth0", "up"},
        {"ip", "-n", lab.server_ns_, "link", "set", "veth0", "up"},
    };
    for (const auto& argv : setup) {
        if (auto r = run_program(argv); !r) {
            return r.error();
        }
    }
    return lab;
}

Lab::Lab(Lab&& other) noexcept
    : created_(std::move(other.created_)), client_ns_(std::move(other.client_ns_)),
      server_ns_(std::move(other.server_ns_)), client_addr_(other.client_addr_),
      server_addr_(other.server_addr_) {
    other.created_.clear();
}

Lab::~Lab() {
    destroy();
}

void Lab::destroy() {
    // Deleting a namespace deletes its end of the veth, and with it the peer.
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
        if (auto r = run_program({"ip", "netns", "del", *it}); !r) {
            NETDX_LOG(Warn) << "could not remove netns " << *it << ": " << r.error().describe();
        }
    }
    created_.clear();
}

Result<void> Lab::exec_in(const std::string& ns, const std::vector<std::string>& argv) const {
    std::vector<std::string> full = {"ip", "netns", "exec", ns};
    full.insert(full.end(), argv.begin(), argv.end());
    return run_program(full);
}

void Lab::remove_stale() {
    DIR* dir = opendir(run_netns_dir);
    if (!dir) {
        return;
    }
    std::vector<std::string> stale;
    while (dirent* entry = readdir(dir)) {
        std::string name = entry->d_name;
        if (name.rfind(name_prefix, 0) != 0) {
            continue;
        }
        // netdx-demo-<pid>-<role>: stale when <pid> is gone.
        long pid = std::strtol(name.c_str() + std::strlen(name_prefix), nullptr, 10);
        if (pid > 0 && kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
            stale.push_back(name);
        }
    }
    closedir(dir);
    for (const auto& name : stale) {
        NETDX_LOG(Info) << "removing netns " << name << " left by an interrupted demo";
        (void)run_program({"ip", "netns", "del", name});
    }
}

Result<UniqueFd>
listen_tcp_in(const std::string& ns, const engine::IpAddr& addr, std::uint16_t port) {
    return in_netns(ns, [&]() -> Result<UniqueFd> {
        UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        int one = 1;
        setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in sa = to_sockaddr(addr, port);
        if (fd.get() < 0 || bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
            listen(fd.get(), 16) != 0) {
            return make_error(ErrorKind::Environment,
                              "cannot listen on " + addr.to_string() + ":" + std::to_string(port) +
                                  " in netns " + ns,
                              errno);
        }
        return fd;
    });
}

int connect_tcp_from(const std::string& ns,
                     const engine::IpAddr& addr,
                     std::uint16_t port,
                     std::chrono::milliseconds timeout) {
    auto result = in_netns(ns, [&]() -> Result<int> {
        UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
        if (fd.get() < 0) {
            return errno;
        }
        sockaddr_in sa = to_sockaddr(addr, port);
        if (connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
            return 0;
        }
        if (errno != EINPROGRESS) {
            return errno;
        }
        pollfd pfd{fd.get(), POLLOUT, 0};
        int n = poll(&pfd, 1, static_cast<int>(timeout.count()));
        if (n == 0) {
            return ETIMEDOUT;
        }
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
        return err;
    });
    return result ? *result : result.error().sys_errno;
}

} // namespace netdx::cli
