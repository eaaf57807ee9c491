// SPDX-License-Identifier: GPL-2.0
// Listening and bound sockets of the calling thread's network namespace, read with sock_diag
// (NETLINK_SOCK_DIAG, inet_diag_req_v2): TCP listeners and UDP sockets, IPv4 and IPv6. Read-only.
// The parser and the "does something listen here?" logic are pure functions, tested on
// hand-built messages and socket lists.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/ip.h"
#include "engine/result.h"

namespace netdx::probes {

struct SocketEntry {
    std::uint8_t proto = 0; // IPPROTO_TCP or IPPROTO_UDP
    std::uint8_t state = 0; // TCP state number: 10 LISTEN; UDP: 7 unconnected, 1 connected
    engine::IpAddr addr;    // local address; all zeros = wildcard
    std::uint16_t port = 0; // local port, host order
    bool v6only = false;    // AF_INET6 socket with IPV6_V6ONLY (INET_DIAG_SKV6ONLY)
    // Listeners: accept queue length and backlog. Others: receive and send queue bytes.
    std::uint32_t rqueue = 0;
    std::uint32_t wqueue = 0;
    std::uint32_t uid = 0;
    std::uint32_t inode = 0;

    std::string address_text() const; // "127.0.0.1:8080", "[::1]:53"
};

inline constexpr std::uint8_t tcp_state_listen = 10;
inline constexpr std::uint8_t tcp_state_close = 7;

// Parses one buffer of a sock_diag dump reply, appending sockets of protocol `proto` to `out`.
// Returns true once NLMSG_DONE was seen. NLMSG_ERROR and malformed messages (a length that runs
// past the buffer or is shorter than its header, a short inet_diag_msg, an unknown address
// family) give an Io error naming the offset.
Result<bool> parse_sock_diag(std::span<const std::uint8_t> buf,
                             std::uint8_t proto,
                             std::vector<SocketEntry>& out);

// Dumps TCP listeners and UDP sockets (IPv4 and IPv6) of the calling thread's namespace.
Result<std::vector<SocketEntry>> read_sockets();

// A socket that receives `proto` packets to `daddr`:`dport`: a TCP listener or an unconnected UDP
// socket bound to that port at `daddr` or at a wildcard (an IPv6 wildcard also takes IPv4).
bool listening(const std::vector<SocketEntry>& sockets,
               std::uint8_t proto,
               const engine::IpAddr& daddr,
               std::uint16_t dport);

// When nothing listens at `daddr`: "addr:port" of a socket that listens on that port and protocol
// at another local address (e.g. "127.0.0.1:8080"); nullopt when there is none or `daddr` is
// served.
std::optional<std::string> listener_address(const std::vector<SocketEntry>& sockets,
                                            std::uint8_t proto,
                                            const engine::IpAddr& daddr,
                                            std::uint16_t dport);

} // namespace netdx::probes
