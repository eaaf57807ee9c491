// SPDX-License-Identifier: GPL-2.0
// The networking sysctls rules read, from /proc/sys/net. /proc/sys/net shows the network
// namespace of the thread that opens the files, so call this on a thread that is inside the
// namespace of interest (probes/live_facts.h does). Read-only; the root is injectable for tests.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace netdx::probes {

// Keys are paths under the root with '/' separators, as sysctl names them with dots:
// "ipv4/ip_forward", "ipv4/conf/eth0/rp_filter", "core/somaxconn", "ipv6/conf/all/forwarding".
// A value that is missing or not an integer is left out.
struct Sysctls {
    std::map<std::string, std::int64_t, std::less<>> values;

    const std::int64_t* find(std::string_view key) const {
        auto it = values.find(key);
        return it == values.end() ? nullptr : &it->second;
    }
};

// Reads ip_forward, IPv6 forwarding, per-device (and all/default) forwarding, rp_filter and
// ignore_routes_with_linkdown, somaxconn, netdev_max_backlog, tcp_max_syn_backlog,
// tcp_syncookies, tcp_abort_on_overflow, socket buffer limits (rmem/wmem default and max,
// udp_rmem_min). nf_conntrack_max/count are read with the conntrack statistics (snmp_facts.h).
Sysctls read_sysctls(const std::string& root = "/proc/sys/net");

} // namespace netdx::probes
