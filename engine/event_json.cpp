// SPDX-License-Identifier: GPL-2.0
#include "event_json.h"

#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

namespace netdx::engine {
namespace {

nlohmann::json frame_json(const Frame& f) {
    return f.text();
}

// Parses "symbol+0xoffset" or "0xaddr" back into a Frame.
Frame frame_from_text(const std::string& text) {
    Frame f;
    auto plus = text.rfind("+0x");
    if (text.rfind("0x", 0) == 0 && plus == std::string::npos) {
        f.addr = std::strtoull(text.c_str() + 2, nullptr, 16);
        return f;
    }
    f.symbol = text.substr(0, plus);
    if (plus != std::string::npos) {
        f.offset = std::strtoull(text.c_str() + plus + 3, nullptr, 16);
    }
    return f;
}

template <class T>
T get_or(const nlohmann::json& j, const char* key, T fallback) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
        return fallback;
    }
    return it->get<T>();
}

// Only the values the tracepoint has: absent ones are left out.
nlohmann::json trace_json(const TraceInfo& t) {
    nlohmann::json j;
    j["tracepoint"] = t.tracepoint;
    if (t.err) {
        j["err"] = *t.err;
    }
    if (t.table) {
        j["table"] = *t.table;
    }
    if (t.gateway.is_set()) {
        j["gateway"] = t.gateway.to_string();
    }
    for (const auto& [key, value] : {std::pair<const char*, const std::string*>{"state", &t.state},
                                     {"old_state", &t.old_state},
                                     {"xdp_prog", &t.xdp_prog},
                                     {"xdp_action", &t.xdp_action},
                                     {"buffer", &t.buffer},
                                     {"counter", &t.counter}}) {
        if (!value->empty()) {
            j[key] = *value;
        }
    }
    if (t.sent_icmp_type) {
        j["sent_icmp_type"] = *t.sent_icmp_type;
        j["sent_icmp_code"] = t.sent_icmp_code.value_or(0);
    }
    if (t.counter_delta) {
        j["counter_delta"] = *t.counter_delta;
    }
    if (t.xdp_prog_id != 0) {
        j["xdp_prog_id"] = t.xdp_prog_id;
    }
    if (t.rst_reason) {
        j["rst_reason"] = *t.rst_reason;
    }
    return j;
}

template <class T>
std::optional<T> get_optional(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
        return std::nullopt;
    }
    return it->get<T>();
}

} // namespace

TraceInfo trace_from_json(const nlohmann::json& j) {
    TraceInfo t;
    t.tracepoint = get_or<std::string>(j, "tracepoint", "");
    t.err = get_optional<std::int32_t>(j, "err");
    t.table = get_optional<std::uint32_t>(j, "table");
    t.gateway = IpAddr::parse(get_or<std::string>(j, "gateway", "")).value_or(IpAddr{});
    t.state = get_or<std::string>(j, "state", "");
    t.old_state = get_or<std::string>(j, "old_state", "");
    t.sent_icmp_type = get_optional<std::uint8_t>(j, "sent_icmp_type");
    t.sent_icmp_code = get_optional<std::uint8_t>(j, "sent_icmp_code");
    t.xdp_prog_id = get_or<std::uint32_t>(j, "xdp_prog_id", 0);
    t.xdp_prog = get_or<std::string>(j, "xdp_prog", "");
    t.xdp_action = get_or<std::string>(j, "xdp_action", "");
    t.rst_reason = get_optional<std::uint32_t>(j, "rst_reason");
    t.buffer = get_or<std::string>(j, "buffer", "");
    t.counter = get_or<std::string>(j, "counter", "");
    t.counter_delta = get_optional<std::int64_t>(j, "counter_delta");
    return t;
}

std::string rfc3339(std::uint64_t unix_ns) {
    std::time_t secs = static_cast<std::time_t>(unix_ns / 1000000000ULL);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[48];
    std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(
        buf + n, sizeof buf - n, ".%06u", static_cast<unsigned>((unix_ns / 1000U) % 1000000U));
    return std::string(buf) + "Z";
}

std::string json_text(const nlohmann::json& doc, int indent) {
    return doc.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json to_json(const Event& ev) {
    nlohmann::json j;
    j["kind"] = event_kind_name(ev.kind);
    j["time"] = rfc3339(ev.ts_ns);
    j["ts_ns"] = ev.ts_ns;
    j["cpu"] = ev.cpu;
    char skb[24];
    std::snprintf(skb, sizeof skb, "0x%" PRIx64, ev.skb);
    j["skb"] = skb;
    j["netns"] = ev.netns;
    j["netns_name"] = ev.netns_name;
    j["ifindex"] = ev.ifindex;
    j["dev"] = ev.dev;
    j["pid"] = ev.pid;
    j["comm"] = ev.comm;
    const Packet& p = ev.pkt;
    nlohmann::json pkt;
    pkt["family"] = packet_family_name(p.family);
    pkt["origin"] = p.origin == PacketOrigin::Headers  ? "headers"
                    : p.origin == PacketOrigin::Socket ? "socket"
                                                       : "";
    pkt["proto"] = p.l4_proto;
    pkt["saddr"] = p.saddr.to_string();
    pkt["daddr"] = p.daddr.to_string();
    if (p.has_ports) {
        pkt["sport"] = p.sport;
        pkt["dport"] = p.dport;
    }
    if (p.l4_proto == 6) {
        pkt["tcp_flags"] = p.tcp_flags;
    }
    if (p.has_icmp) {
        pkt["icmp_type"] = p.icmp_type;
        pkt["icmp_code"] = p.icmp_code;
    }
    pkt["len"] = p.len;
    pkt["ttl"] = p.ttl;
    pkt["ethertype"] = p.ethertype;
    j["pkt"] = std::move(pkt);
    if (ev.kind == EventKind::Drop) {
        nlohmann::json drop;
        drop["reason"] = ev.drop.reason;
        drop["reason_code"] = ev.drop.reason_code;
        drop["location"] = frame_json(ev.drop.location);
        nlohmann::json stack = nlohmann::json::array();
        for (const auto& f : ev.drop.stack) {
            stack.push_back(frame_json(f));
        }
        drop["stack"] = std::move(stack);
        j["drop"] = std::move(drop);
    } else {
        j["trace"] = trace_json(ev.trace);
    }
    return j;
}

Result<Event> event_from_json(const nlohmann::json& j) {
    try {
        Event ev;
        auto kind = parse_event_kind(j.at("kind").get<std::string>());
        if (!kind) {
            return make_error(ErrorKind::Usage,
                              "unknown event kind '" + j.at("kind").get<std::string>() + "'");
        }
        ev.kind = *kind;
        ev.ts_ns = get_or<std::uint64_t>(j, "ts_ns", 0);
        ev.cpu = get_or<std::uint32_t>(j, "cpu", 0);
        ev.skb = std::strtoull(get_or<std::string>(j, "skb", "0").c_str(), nullptr, 16);
        ev.netns = get_or<std::uint32_t>(j, "netns", 0);
        ev.netns_name = get_or<std::string>(j, "netns_name", "");
        ev.ifindex = get_or<std::uint32_t>(j, "ifindex", 0);
        ev.dev = get_or<std::string>(j, "dev", "");
        ev.pid = get_or<std::uint32_t>(j, "pid", 0);
        ev.comm = get_or<std::string>(j, "comm", "");
        if (auto it = j.find("pkt"); it != j.end()) {
            const auto& pj = *it;
            Packet& p = ev.pkt;
            p.family = parse_packet_family(get_or<std::string>(pj, "family", ""))
                           .value_or(PacketFamily::None);
            auto origin = get_or<std::string>(pj, "origin", "");
            p.origin = origin == "headers"  ? PacketOrigin::Headers
                       : origin == "socket" ? PacketOrigin::Socket
                                            : PacketOrigin::None;
            p.l4_proto = get_or<std::uint8_t>(pj, "proto", 0);
            p.saddr = IpAddr::parse(get_or<std::string>(pj, "saddr", "")).value_or(IpAddr{});
            p.daddr = IpAddr::parse(get_or<std::string>(pj, "daddr", "")).value_or(IpAddr{});
            p.has_ports = pj.contains("sport");
            p.sport = get_or<std::uint16_t>(pj, "sport", 0);
            p.dport = get_or<std::uint16_t>(pj, "dport", 0);
            p.tcp_flags = get_or<std::uint8_t>(pj, "tcp_flags", 0);
            p.has_icmp = pj.contains("icmp_type");
            p.icmp_type = get_or<std::uint8_t>(pj, "icmp_type", 0);
            p.icmp_code = get_or<std::uint8_t>(pj, "icmp_code", 0);
            p.len = get_or<std::uint16_t>(pj, "len", 0);
            p.ttl = get_or<std::uint8_t>(pj, "ttl", 0);
            p.ethertype = get_or<std::uint16_t>(pj, "ethertype", 0);
        }
        if (auto it = j.find("trace"); it != j.end()) {
            ev.trace = trace_from_json(*it);
        }
        if (auto it = j.find("drop"); it != j.end()) {
            const auto& dj = *it;
            ev.drop.reason = get_or<std::string>(dj, "reason", "");
            ev.drop.reason_code = get_or<std::uint32_t>(dj, "reason_code", 0);
            ev.drop.location = frame_from_text(get_or<std::string>(dj, "location", ""));
            if (auto st = dj.find("stack"); st != dj.end()) {
                for (const auto& f : *st) {
                    ev.drop.stack.push_back(frame_from_text(f.get<std::string>()));
                }
            }
        }
        return ev;
    } catch (const nlohmann::json::exception& e) {
        return make_error(ErrorKind::Usage, std::string("malformed event: ") + e.what());
    }
}

} // namespace netdx::engine
