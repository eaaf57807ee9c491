// SPDX-License-Identifier: GPL-2.0
// One network namespace's links (with their XDP programs and tc filters), addresses, routes,
// neighbours and policy rules, as read from rtnetlink dumps, and the parsers that build them from
// raw netlink messages. Pure code (no socket, no libbpf): every read is bounds-checked, and a
// truncated or garbled message gives an Error naming the message and attribute, never a crash. The
// reader is netlink_facts.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "engine/result.h"

namespace netdx::probes {

// The program names are not in rtnetlink's reply: the reader fills them in afterwards from the
// kernel's program info (bpf_prog_info.h), and leaves them empty when it cannot.
struct XdpFact {
    std::string mode;          // "generic", "native", "offload" or "multi"
    std::uint32_t prog_id = 0; // IFLA_XDP_PROG_ID (0 in "multi" mode: see the per-mode ids)
    std::uint32_t generic_prog_id = 0;
    std::uint32_t native_prog_id = 0;
    std::uint32_t offload_prog_id = 0;
    std::string prog_name;
    std::string generic_prog_name;
    std::string native_prog_name;
    std::string offload_prog_name;
};

// One program or classifier on a device's tc hook: a filter of the clsact (or ingress) qdisc,
// or a tcx attachment (kind "tcx", Linux 6.6), which runs before the qdisc's filters.
struct TcFilterFact {
    std::string direction; // "ingress" or "egress"
    std::string kind;      // TCA_KIND ("bpf", "u32", ...), or "tcx"
    // The filter's place on the qdisc; 0 for tcx (null in the JSON). tcx programs are listed
    // in the order they run.
    std::uint32_t chain = 0;
    std::uint16_t prio = 0;     // the filter's preference (tcm_info >> 16)
    std::uint16_t protocol = 0; // ETH_P_* in host order (ETH_P_ALL = 3)
    std::uint32_t handle = 0;   // tcm_handle
    std::uint32_t prog_id = 0;  // TCA_BPF_ID, or the tcx program's id; 0 for other kinds
    std::string prog_name;      // the kernel's name for prog_id, filled in by the reader
    std::string bpf_name;       // TCA_BPF_NAME: the loader's label, tc's "file.o:[sec]"
    bool direct_action = false; // TCA_BPF_FLAG_ACT_DIRECT ("da")
};

struct LinkFact {
    int ifindex = 0;
    std::string name;
    std::string kind; // IFLA_INFO_KIND ("veth", "bridge", ...), empty for lo and physical devices
    std::uint32_t flags = 0; // IFF_* as the kernel reports them
    bool admin_up = false;   // IFF_UP
    bool carrier = false;    // IFLA_CARRIER, else IFF_LOWER_UP
    std::string oper_state;  // RFC 2863 name: UP, DOWN, LOWERLAYERDOWN, UNKNOWN, ...
    std::uint32_t mtu = 0;
    std::optional<int> master;  // IFLA_MASTER ifindex (bridge, bond, VRF)
    std::optional<int> link;    // IFLA_LINK: the peer's ifindex (veth), may be in another netns
    std::string address;        // link-layer address, "aa:bb:..", empty when none
    std::optional<XdpFact> xdp; // set when an XDP program is attached
    std::string tc_qdisc;       // "clsact" or "ingress" when the device has one, else empty
    // Per direction, in the order they run: tcx programs, then the qdisc's filters.
    std::vector<TcFilterFact> tc_filters;
};

struct AddressFact {
    int ifindex = 0;
    std::string family; // "inet" or "inet6"
    std::string address;
    int prefix_len = 0;
    std::string scope;       // "global", "link", "host", ...
    std::string label;       // IFA_LABEL (IPv4 only)
    std::uint32_t flags = 0; // IFA_F_* (IFA_FLAGS when present)
};

struct NextHopFact {
    std::string gateway; // empty when directly connected
    int oif = 0;
    std::uint32_t flags = 0; // RTNH_F_*
    int weight = 1;
};

struct RouteFact {
    std::string family; // "inet" or "inet6"
    std::uint32_t table = 0;
    std::string type; // "unicast", "local", "broadcast", "blackhole", "unreachable", ...
    std::string dst;  // "10.0.0.0/24", or "default"
    int dst_len = 0;
    std::string src;                       // source selector (rtm_src_len > 0), rare
    std::string prefsrc;                   // RTA_PREFSRC
    std::string gateway;                   // RTA_GATEWAY (single-path routes)
    int oif = 0;                           // RTA_OIF (single-path routes), 0 when none
    std::optional<std::uint32_t> priority; // RTA_PRIORITY (the metric)
    std::string protocol;                  // "kernel", "boot", "static", "dhcp", ... or a number
    std::string scope;                     // "universe", "link", "host", ...
    std::uint32_t flags = 0;           // rtm_flags: RTNH_F_* (linkdown, dead, onlink) and RTM_F_*
    std::vector<NextHopFact> nexthops; // RTA_MULTIPATH, empty for single-path routes

    bool linkdown() const;
    bool dead() const;
};

struct NeighbourFact {
    int ifindex = 0;
    std::string family; // "inet" or "inet6"
    std::string address;
    std::string lladdr;      // empty when the kernel has none (INCOMPLETE, FAILED)
    std::uint16_t state = 0; // NUD_* bits
    std::uint8_t flags = 0;  // NTF_* (router, proxy, ...)
};

struct RuleFact {
    std::string family; // "inet" or "inet6"
    std::uint32_t priority = 0;
    std::uint32_t table = 0; // FRA_TABLE, else the header's table
    std::string action;      // "lookup", "goto", "nop", "blackhole", "unreachable", "prohibit"
    std::string src;         // "10.0.0.0/8", empty for "all"
    std::string dst;
    std::string iif; // FRA_IFNAME
    std::string oif; // FRA_OIFNAME
    std::optional<std::uint32_t> fwmark;
    std::optional<std::uint32_t> fwmask;
    std::optional<std::uint32_t> goto_target;
    std::uint8_t tos = 0;
    std::optional<std::uint8_t> ip_proto;
    bool invert = false; // FIB_RULE_INVERT ("not")
};

struct NetnsId {
    std::string name; // "host" or the /run/netns name
    std::uint32_t inode = 0;
};

// What one `netdx facts` read returns. The other fact families of design.md section 4 (sockets
// from sock_diag, sysctls, SNMP counters, netfilter, tc qdisc statistics) are read by other
// readers, not here.
struct FactsSnapshot {
    NetnsId netns;
    std::uint64_t taken_unix_ns = 0; // when the read started
    std::uint64_t duration_ns = 0;   // how long the dumps took
    std::vector<LinkFact> links;
    std::vector<AddressFact> addresses;
    std::vector<RouteFact> routes;
    std::vector<NeighbourFact> neighbours;
    std::vector<RuleFact> rules;
    // Parts that could not be read, each with its reason (for example BPF program names without
    // CAP_SYS_ADMIN); the rest of the snapshot is complete.
    std::vector<std::string> gaps;

    // The link's name, or "if<N>" when no link with that index was read.
    std::string link_name(int ifindex) const;
};

// Parses one netlink message (header included) of a dump, appending what it describes to
// `out`: RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE, RTM_NEWNEIGH, RTM_NEWRULE, and RTM_NEWQDISC,
// which sets LinkFact::tc_qdisc of a link already in `out` (so links are dumped first). Other
// families than IPv4/IPv6 (bridge fdb, multicast routing) and other message types are skipped.
Result<void> parse_rtnl_message(std::span<const std::byte> msg, FactsSnapshot& out);

// The request a tc filter dump answers. The kernel's replies carry the qdisc's handle as the
// parent, not the hook, and a shared block's replies carry no device: both come from here.
struct TcFilterDump {
    int ifindex = 0;
    std::string_view direction; // "ingress" or "egress"
};

// Parses one message of an RTM_GETTFILTER dump and appends the filter to the tc_filters of the
// link `dump.ifindex` in `out` (nothing when that link is not there: it appeared after the link
// dump). The message the kernel sends for a classifier itself (handle 0, no options) and other
// message types are skipped.
Result<void> parse_tc_filter_message(std::span<const std::byte> msg,
                                     const TcFilterDump& dump,
                                     FactsSnapshot& out);

// Parses a buffer of messages as recvmsg() returns it. Stops at NLMSG_DONE; NLMSG_ERROR with a
// non-zero code is an error carrying that errno.
Result<void> parse_rtnl_buffer(std::span<const std::byte> buf, FactsSnapshot& out);

// Names, for text and JSON.
std::string route_type_name(std::uint8_t type);
std::string route_table_name(std::uint32_t table);
std::string neigh_state_name(std::uint16_t state); // "REACHABLE", "FAILED", "STALE|ROUTER"..
std::vector<std::string> route_flag_names(std::uint32_t flags);
std::string tc_protocol_name(std::uint16_t protocol); // "all", "ip", "ipv6", "arp", or "0x88cc"

nlohmann::json to_json(const FactsSnapshot& snapshot);

} // namespace netdx::probes
