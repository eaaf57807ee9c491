// SPDX-License-Identifier: GPL-2.0
// Hand-built events for engine tests: what the probes would decode for common kernel drops.
#pragma once

#include <initializer_list>
#include <string>

#include "engine/event.h"

namespace netdx::test {

inline engine::Frame frame(const std::string& symbol, std::uint64_t offset = 0x10) {
    engine::Frame f;
    f.symbol = symbol;
    f.offset = offset;
    return f;
}

// A drop of a TCP/IPv4 packet with the given reason and stack (innermost first).
inline engine::Event tcp_drop(const std::string& reason,
                              std::initializer_list<const char*> stack,
                              const char* saddr = "10.0.0.1",
                              const char* daddr = "10.0.0.2",
                              std::uint16_t sport = 41234,
                              std::uint16_t dport = 80,
                              std::uint8_t tcp_flags = 0x02) {
    engine::Event ev;
    ev.kind = engine::EventKind::Drop;
    ev.ts_ns = 1'700'000'000'000'000'000ULL;
    ev.netns = 4026532000;
    ev.netns_name = "blue";
    ev.drop.reason = reason;
    ev.drop.reason_code = 2;
    for (const char* s : stack) {
        ev.drop.stack.push_back(frame(s));
    }
    if (!ev.drop.stack.empty()) {
        ev.drop.location = ev.drop.stack.front();
    }
    ev.pkt.family = engine::PacketFamily::Ipv4;
    ev.pkt.origin = engine::PacketOrigin::Headers;
    ev.pkt.l4_proto = 6;
    ev.pkt.has_ports = true;
    ev.pkt.saddr = *engine::IpAddr::parse(saddr);
    ev.pkt.daddr = *engine::IpAddr::parse(daddr);
    ev.pkt.sport = sport;
    ev.pkt.dport = dport;
    ev.pkt.tcp_flags = tcp_flags;
    ev.pkt.ttl = 64;
    ev.pkt.len = 60;
    return ev;
}

} // namespace netdx::test
