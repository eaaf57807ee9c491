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
    event.drop.reason_code = ev.reason;
    event.drop.reason = drop_reason_name(ctx.reason_names, ev.reason);
    event.drop.location = symbolize(ctx, ev.location);
    event.drop.stack = drop_stack(ev, ctx);
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
    default:
        return decode_error("unknown event kind " + std::to_string(hdr.kind));
    }
}

} // namespace netdx::probes
