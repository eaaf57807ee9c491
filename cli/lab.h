// SPDX-License-Identifier: GPL-2.0
// The demo's throwaway lab: two network namespaces (client, server) joined by one veth pair,
// plus in-process traffic helpers that enter a namespace on a private thread. Everything is
// removed by the destructor, so an error or Ctrl-C leaves nothing behind; labs left by a killed
// run are removed the next time.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/ip.h"
#include "engine/result.h"
#include "probes/unique_fd.h"

namespace netdx::cli {

using probes::UniqueFd;

class Lab {
public:
    static constexpr const char* name_prefix = "netdx-demo-";

    // Creates the namespaces and the link, or fails having removed whatever it created.
    static Result<Lab> create();
    Lab(Lab&& other) noexcept;
    Lab& operator=(Lab&&) = delete;
    Lab(const Lab&) = delete;
    Lab& operator=(const Lab&) = delete;
    ~Lab();

    const std::string& client_ns() const { return client_ns_; }
    const std::string& server_ns() const { return server_ns_; }
    const engine::IpAddr& client_addr() const { return client_addr_; }
    const engine::IpAddr& server_addr() const { return server_addr_; }

    // Runs a program inside a namespace of the lab (ip netns exec).
    Result<void> exec_in(const std::string& ns, const std::vector<std::string>& argv) const;

    // Removes labs whose creating process no longer runs.
    static void remove_stale();

private:
    Lab() = default;
    void destroy();

    std::vector<std::string> created_;
    std::string client_ns_;
    std::string server_ns_;
    engine::IpAddr client_addr_;
    engine::IpAddr server_addr_;
};

// A listening TCP socket created inside `ns` (it stays in that namespace for its lifetime).
Result<UniqueFd>
listen_tcp_in(const std::string& ns, const engine::IpAddr& addr, std::uint16_t port);

// Connects from inside `ns` and closes again. Returns the errno the connect ended with
// (0 = connected, ETIMEDOUT when nothing answered within `timeout`).
int connect_tcp_from(const std::string& ns,
                     const engine::IpAddr& addr,
                     std::uint16_t port,
                     std::chrono::milliseconds timeout);

} // namespace netdx::cli
