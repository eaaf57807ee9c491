// SPDX-License-Identifier: GPL-2.0
// engine::Event: the engine's only input. Probes decode kernel records into it; replay reads it
// back from a recorded trail. Everything a rule can see about one kernel event is here, already
// resolved to names (drop reason, symbols, netns), so a recording replays without the kernel.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ip.h"

namespace netdx::engine {

// Kinds of events (design.md section 3). Rules are indexed by kind.
// Counter: a kernel counter of a namespace (nstat's SNMP/netstat names) went up; netdx samples
// them itself, no probe emits these.
enum class EventKind : std::uint8_t {
    Drop,
    Rx,
    Tx,
    Route,
    Neigh,
    Tcp,
    Sock,
    Icmp,
    Xdp,
    Qdisc,
    Counter
};
inline constexpr std::size_t event_kind_count = 11;

std::string_view event_kind_name(EventKind kind);
std::optional<EventKind> parse_event_kind(std::string_view name);

enum class PacketFamily : std::uint8_t { None, Ipv4, Ipv6, Arp };
// Where packet fields came from: the packet's own headers, or its socket when no header existed.
enum class PacketOrigin : std::uint8_t { None, Headers, Socket };

struct Packet {
    PacketFamily family = PacketFamily::None;
    PacketOrigin origin = PacketOrigin::None;
    std::uint8_t l4_proto = 0; // IPPROTO_*
    bool has_ports = false;
    bool has_icmp = false;
    std::uint8_t tcp_flags = 0;
    std::uint8_t icmp_type = 0;
    std::uint8_t icmp_code = 0;
    std::uint8_t ttl = 0;
    std::uint16_t sport = 0;
    std::uint16_t dport = 0;
    std::uint16_t len = 0;
    std::uint16_t ethertype = 0;
    IpAddr saddr;
    IpAddr daddr;
};

std::string_view packet_family_name(PacketFamily family); // "ipv4", "ipv6", "arp", ""
std::optional<PacketFamily> parse_packet_family(std::string_view name);
// "tcp", "udp", "icmp", "icmpv6", "sctp", ... or the number as text.
std::string proto_name(std::uint8_t l4_proto);
std::optional<std::uint8_t> parse_proto(std::string_view name);
// "SYN", "SYN,ACK", ... in the order the TCP header lists them; "" for none.
std::string tcp_flags_text(std::uint8_t flags);
// One line for an operator: "TCP 10.0.0.1:41234 -> 10.0.0.2:80", "ICMP 10.0.0.1 -> 10.0.0.2
// (echo-request)", "ARP 10.0.0.1 -> 10.0.0.2", or "" when the packet has no addresses.
std::string flow_text(const Packet& pkt);

// A kernel code address and, when it could be resolved, its symbol and offset.
struct Frame {
    std::uint64_t addr = 0;
    std::string symbol; // function name, "" when unknown
    std::uint64_t offset = 0;

    std::string text() const; // "tcp_v4_rcv+0x99" or "0xffffffff81e44fd0"
};

struct DropInfo {
    std::uint32_t reason_code = 0;
    std::string reason;       // name without the SKB_DROP_REASON_ prefix, e.g. "NETFILTER_DROP"
    Frame location;           // the function that freed the packet
    std::vector<Frame> stack; // starts at `location`, innermost first; may be empty
};

// What a tracepoint other than kfree_skb says beyond the packet. Names, not numbers, so that a
// recorded trail replays on another kernel; absent values stay empty.
struct TraceInfo {
    std::string tracepoint;             // "fib:fib_table_lookup"
    std::optional<std::int32_t> err;    // error or return code, as the kernel passes it
    std::optional<std::uint32_t> table; // route lookups: the routing table id
    IpAddr gateway;                     // route lookups: the nexthop's gateway, if it has one
    std::string state;                  // TCP state ("SYN_SENT") or neighbour state ("FAILED")
    std::string old_state;              // the state before a change
    std::optional<std::uint8_t> sent_icmp_type; // icmp_send: the ICMP error this host sent
    std::optional<std::uint8_t> sent_icmp_code;
    std::uint32_t xdp_prog_id = 0; // XDP events: the program
    std::string xdp_prog;
    std::string xdp_action; // "ABORTED", "DROP", "PASS", "TX", "REDIRECT" or the number
    std::optional<std::uint32_t> rst_reason;   // tcp_send_reset: enum sk_rst_reason
    std::string buffer;                        // sock_exceed_buf_limit: "send" or "receive"
    std::string counter;                       // counter events: "TcpExt.ListenOverflows"
    std::optional<std::int64_t> counter_delta; // counter events: how much it went up
};

// "ESTABLISHED", "SYN_SENT", ... (include/net/tcp_states.h), or the number as text.
std::string tcp_state_name(int state);
// Neighbour NUD_* bits (include/uapi/linux/neighbour.h): "FAILED", "INCOMPLETE|..." or "NONE".
std::string nud_state_name(int state);
// XDP_ABORTED.. XDP_REDIRECT without the prefix, or the number as text.
std::string xdp_action_name(std::uint32_t action);
// "ENETUNREACH" for 101 or -101; "" for 0; the number as text when unknown.
std::string errno_name(std::int32_t err);

struct Event {
    EventKind kind = EventKind::Drop;
    std::uint64_t ts_ns = 0; // wall clock, nanoseconds since the UNIX epoch
    std::uint32_t cpu = 0;
    std::uint64_t skb = 0;   // skb address, correlates the events of one packet
    std::uint32_t netns = 0; // netns inode, 0 when unknown
    std::string netns_name;  // "" when the namespace has no name we could find
    std::uint32_t ifindex = 0;
    std::string dev;
    std::uint32_t pid = 0; // current task; in softirq it is not the traffic's owner
    std::string comm;
    Packet pkt;
    DropInfo drop;   // kind == Drop
    TraceInfo trace; // every other kind
};

} // namespace netdx::engine
