// SPDX-License-Identifier: GPL-2.0
#include "decode.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>
#include <vector>

#include "bpf/events.h"

namespace netdx::probes {
namespace {

// Frames of the tracing machinery that can sit above the dropper when the location is not on the
// stack (other kernel builds add or inline some of them).
constexpr std::array<std::string_view, 4> dispatch_prefixes = {
    "bpf_prog_", "bpf_trace_run", "__traceiter_", "__bpf_trace_"};
constexpr std::array<std::string_view, 3> dispatch_symbols = {
    "sk_skb_reason_drop", "kfree_skb_reason", "kfree_skb_list_reason"};

bool is_dispatch_frame(const engine::Frame& frame) {
    const std::string_view sym = frame.symbol;
    return std::any_of(dispatch_prefixes.begin(),
                       dispatch_prefixes.end(),
                       [&](std::string_view p) { return sym.starts_with(p); }) ||
           std::find(dispatch_symbols.begin(), dispatch_symbols.end(), sym) !=
               dispatch_symbols.end();
}

Error decode_error(std::string message) {
    return make_error(ErrorKind::Internal, "bad ring-buffer record: " + std::move(message));
}

// A fixed-size char field, up to its first NUL.
template <std::size_t N>
std::string c_string(const char (&field)[N]) {
    const auto* end = std::find(field, field + N, '\0');
    return std::string(field, end);
}

engine::Frame symbolize(const DecodeContext& ctx, std::uint64_t addr) {
    if (ctx.symbolizer != nullptr) {
        return ctx.symbolizer->lookup(addr);
    }
    return engine::Frame{addr, {}, 0};
}

engine::PacketFamily to_family(std::uint8_t family) {
    switch (family) {
    case NETDX_PKT_IPV4:
        return engine::PacketFamily::Ipv4;
    case NETDX_PKT_IPV6:
        return engine::PacketFamily::Ipv6;
    case NETDX_PKT_ARP:
        return engine::PacketFamily::Arp;
    default:
        return engine::PacketFamily::None;
    }
}

engine::PacketOrigin to_origin(std::uint8_t origin) {
    switch (origin) {
    case NETDX_ORIGIN_HEADERS:
        return engine::PacketOrigin::Headers;
    case NETDX_ORIGIN_SOCKET:
        return engine::PacketOrigin::Socket;
    default:
        return engine::PacketOrigin::None;
    }
}

engine::Packet to_packet(const netdx_pkt& raw) {
    engine::Packet pkt;
    pkt.family = to_family(raw.family);
    pkt.origin = to_origin(raw.origin);
    pkt.ethertype = raw.ethertype;
    if (pkt.family == engine::PacketFamily::None) {
        return pkt;
    }
    pkt.l4_proto = raw.l4_proto;
    pkt.ttl = raw.ttl;
    pkt.len = raw.len;
    pkt.tcp_flags = raw.tcp_flags;
    pkt.has_ports = (raw.flags & NETDX_PKT_HAS_PORTS) != 0;
    pkt.has_icmp = (raw.flags & NETDX_PKT_HAS_ICMP) != 0;
    if (pkt.has_ports) {
        pkt.sport = raw.sport;
        pkt.dport = raw.dport;
    }
    if (pkt.has_icmp) {
        pkt.icmp_type = raw.icmp_type;
        pkt.icmp_code = raw.icmp_code;
    }
    if (pkt.family == engine::PacketFamily::Ipv6) {
        pkt.saddr = engine::IpAddr::v6(raw.saddr);
        pkt.daddr = engine::IpAddr::v6(raw.daddr);
    } else {
        pkt.saddr = engine::IpAddr::v4(raw.saddr);
        pkt.daddr = engine::IpAddr::v4(raw.daddr);
    }
    return pkt;
}

// The fields every record has, under the same names in both record types.
template <class Record>
void fill_common(engine::Event& event, const Record& ev, const DecodeContext& ctx) {
    event.ts_ns = ev.hdr.ts_ns + static_cast<std::uint64_t>(ctx.mono_to_realtime_ns);
    event.cpu = ev.hdr.cpu;
    event.skb = ev.skb;
    event.netns = ev.netns;
    if (ev.netns != 0 && ctx.netns != nullptr) {
        event.netns_name = ctx.netns->name_of(ev.netns);
    }
    event.ifindex = ev.ifindex;
    event.dev = c_string(ev.dev);
    event.pid = ev.pid;
    event.comm = c_string(ev.comm);
    event.pkt = to_packet(ev.pkt);
}

// The stack from the dropper down: frames above the one equal to `location` belong to the
// tracing machinery. Without that frame, known dispatch frames are stripped by name.
std::vector<engine::Frame> drop_stack(const netdx_drop_event& ev, const DecodeContext& ctx) {
    std::vector<engine::Frame> frames;
    if (ev.stack_bytes <= 0) {
        return frames;
    }
    const std::size_t bytes =
        std::min<std::size_t>(static_cast<std::size_t>(ev.stack_bytes), sizeof(ev.stack));
    const std::size_t count = bytes / sizeof(ev.stack[0]);
    const auto* begin = std::begin(ev.stack);
    const auto* end = begin + count;
    const auto* first = std::find(begin, end, ev.location);
    if (first != end) {
        frames.reserve(static_cast<std::size_t>(end - first));
        for (const auto* it = first; it != end; ++it) {
            frames.push_back(symbolize(ctx, *it));
        }
        return frames;
    }
    frames.reserve(count);
    for (const auto* it = begin; it != end; ++it) {
        frames.push_back(symbolize(ctx, *it));
    }
    const auto keep = std::find_if_not(frames.begin(), frames.end(), is_dispatch_frame);
    frames.erase(frames.begin(), keep);
    return frames;
}

Result<engine::Event> decode_drop(std::span<const std::uint8_t> record, const DecodeContext& ctx) {
    netdx_drop_event ev;
    std::memcpy(&ev, record.data(), sizeof(ev));

    engine::Event event;
    event.kind = engine::EventKind::Drop;
    fill_common(event, ev, ctx);
    event.drop.reason_code = ev.reason;
    event.drop.reason = drop_reason_name(ctx.reason_names, ev.reason);
    event.drop.location = symbolize(ctx, ev.location);
    event.drop.stack = drop_stack(ev, ctx);
    return event;
}

// The event kind and "group:name" of each NETDX_TP_* (index = value).
struct TracepointInfo {
    engine::EventKind kind;
    std::string_view name;
};
constexpr std::array<TracepointInfo, 21> tracepoints = {{
    {engine::EventKind::Drop, ""}, // 0: not a tracepoint id
    {engine::EventKind::Rx, "net:netif_receive_skb"},
    {engine::EventKind::Tx, "net:net_dev_queue"},
    {engine::EventKind::Tx, "net:net_dev_xmit"},
    {engine::EventKind::Route, "fib:fib_table_lookup"},
    {engine::EventKind::Route, "fib6:fib6_table_lookup"},
    {engine::EventKind::Neigh, "neigh:neigh_update"},
    {engine::EventKind::Neigh, "neigh:neigh_timer_handler"},
    {engine::EventKind::Neigh, "neigh:neigh_event_send_dead"},
    {engine::EventKind::Tcp, "tcp:tcp_send_reset"},
    {engine::EventKind::Tcp, "tcp:tcp_receive_reset"},
    {engine::EventKind::Tcp, "tcp:tcp_retransmit_skb"},
    {engine::EventKind::Tcp, "tcp:tcp_retransmit_synack"},
    {engine::EventKind::Tcp, "tcp:tcp_bad_csum"},
    {engine::EventKind::Sock, "sock:inet_sock_set_state"},
    {engine::EventKind::Sock, "sock:inet_sk_error_report"},
    {engine::EventKind::Sock, "udp:udp_fail_queue_rcv_skb"},
    {engine::EventKind::Sock, "sock:sock_exceed_buf_limit"},
    {engine::EventKind::Icmp, "icmp:icmp_send"},
    {engine::EventKind::Xdp, "xdp:xdp_exception"},
    {engine::EventKind::Xdp, "xdp:xdp_redirect_err"},
}};
static_assert(tracepoints.size() == NETDX_TP_XDP_REDIRECT_ERR + 1);

// State numbers mean TCP_* for TCP and socket events, NUD_* for neighbour events.
std::string state_name(engine::EventKind kind, std::int32_t state) {
    return kind == engine::EventKind::Neigh ? engine::nud_state_name(state)
                                            : engine::tcp_state_name(state);
}

Result<engine::Event> decode_trace(std::span<const std::uint8_t> record, const DecodeContext& ctx) {
    netdx_trace_event ev;
    std::memcpy(&ev, record.data(), sizeof(ev));
    if (ev.tracepoint == 0 || ev.tracepoint >= tracepoints.size()) {
        return decode_error("unknown tracepoint id " + std::to_string(ev.tracepoint));
    }
    const TracepointInfo& tp = tracepoints[ev.tracepoint];

    engine::Event event;
    event.kind = tp.kind;
    fill_common(event, ev, ctx);

    engine::TraceInfo& t = event.trace;
    t.tracepoint = tp.name;
    if ((ev.has & NETDX_HAS_ERR) != 0) {
        t.err = ev.err;
    }
    if ((ev.has & NETDX_HAS_STATE) != 0) {
        t.state = state_name(tp.kind, ev.state);
    }
    if ((ev.has & NETDX_HAS_OLD_STATE) != 0) {
        t.old_state = state_name(tp.kind, ev.old_state);
    }
    if ((ev.has & NETDX_HAS_GATEWAY) != 0) {
        t.gateway = ev.gw_family == NETDX_PKT_IPV6 ? engine::IpAddr::v6(ev.gateway)
                                                   : engine::IpAddr::v4(ev.gateway);
    }
    const bool has_aux = (ev.has & NETDX_HAS_AUX) != 0;
    switch (ev.tracepoint) {
    case NETDX_TP_FIB_TABLE_LOOKUP:
    case NETDX_TP_FIB6_TABLE_LOOKUP:
        t.table = ev.table;
        break;
    case NETDX_TP_ICMP_SEND:
        if (has_aux) {
            t.sent_icmp_type = static_cast<std::uint8_t>(ev.aux >> 8);
            t.sent_icmp_code = static_cast<std::uint8_t>(ev.aux & 0xff);
        }
        break;
    case NETDX_TP_XDP_EXCEPTION:
    case NETDX_TP_XDP_REDIRECT_ERR:
        t.xdp_prog_id = ev.table;
        t.xdp_prog = c_string(ev.object);
        t.xdp_action = engine::xdp_action_name(ev.aux);
        break;
    case NETDX_TP_TCP_SEND_RESET:
        if (has_aux) {
            t.rst_reason = ev.aux;
        }
        break;
    case NETDX_TP_SOCK_EXCEED_BUF_LIMIT:
        t.buffer = ev.aux == 1 ? "receive" : "send";
        break;
    default:
        break;
    }
    return event;
}

} // namespace

std::string_view drop_reason_short_name(std::string_view enumerator) {
    constexpr std::string_view reason_prefix = "SKB_DROP_REASON_";
    constexpr std::string_view skb_prefix = "SKB_"; // SKB_NOT_DROPPED_YET, SKB_CONSUMED
    if (enumerator.starts_with(reason_prefix)) {
        enumerator.remove_prefix(reason_prefix.size());
    } else if (enumerator.starts_with(skb_prefix)) {
        enumerator.remove_prefix(skb_prefix.size());
    }
    if (enumerator == "MAX" || enumerator.starts_with("SUBSYS_")) {
        return {};
    }
    return enumerator;
}

std::string drop_reason_name(const ReasonNames& names, std::uint32_t code) {
    const auto it = names.find(code);
    if (it != names.end()) {
        return it->second;
    }
    constexpr std::uint32_t subsystem_shift = 16;
    const std::uint32_t base = code & ~((1U << subsystem_shift) - 1);
    if (const auto sub = names.find(base); base != 0 && sub != names.end()) {
        return sub->second + ":" + std::to_string(code - base);
    }
    return "reason " + std::to_string(code);
}

Result<engine::Event> decode_record(std::span<const std::uint8_t> record,
                                    const DecodeContext& ctx) {
    netdx_ev_header hdr;
    if (record.size() < sizeof(hdr)) {
        return decode_error("record of " + std::to_string(record.size()) +
                            " bytes is shorter than its " + std::to_string(sizeof(hdr)) +
                            "-byte header");
    }
    std::memcpy(&hdr, record.data(), sizeof(hdr));
    if (hdr.size > record.size()) {
        return decode_error("header says " + std::to_string(hdr.size) +
                            " bytes but the record has " + std::to_string(record.size()));
    }
    // Records may grow at the end (newer BPF objects); what this decoder knows must be there.
    const auto known = record.first(hdr.size);
    switch (hdr.kind) {
    case NETDX_EV_DROP:
        if (known.size() < sizeof(netdx_drop_event)) {
            return decode_error("drop record of " + std::to_string(known.size()) +
                                " bytes, expected " + std::to_string(sizeof(netdx_drop_event)));
        }
        return decode_drop(known, ctx);
    case NETDX_EV_TRACE:
        if (known.size() < sizeof(netdx_trace_event)) {
            return decode_error("trace record of " + std::to_string(known.size()) +
                                " bytes, expected " + std::to_string(sizeof(netdx_trace_event)));
        }
        return decode_trace(known, ctx);
    default:
        return decode_error("unknown event kind " + std::to_string(hdr.kind));
    }
}

} // namespace netdx::probes
