// SPDX-License-Identifier: GPL-2.0
#include "event.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <utility>

namespace netdx::engine {
namespace {

constexpr std::array<std::pair<EventKind, std::string_view>, event_kind_count> kind_names = {{
    {EventKind::Drop, "drop"},
    {EventKind::Rx, "rx"},
    {EventKind::Tx, "tx"},
    {EventKind::Route, "route"},
    {EventKind::Neigh, "neigh"},
    {EventKind::Tcp, "tcp"},
    {EventKind::Sock, "sock"},
    {EventKind::Icmp, "icmp"},
    {EventKind::Xdp, "xdp"},
    {EventKind::Qdisc, "qdisc"},
    {EventKind::Counter, "counter"},
}};

constexpr std::array<std::pair<PacketFamily, std::string_view>, 4> family_names = {{
    {PacketFamily::None, ""},
    {PacketFamily::Ipv4, "ipv4"},
    {PacketFamily::Ipv6, "ipv6"},
    {PacketFamily::Arp, "arp"},
}};

constexpr std::array<std::pair<std::uint8_t, std::string_view>, 8> proto_names = {{
    {1, "icmp"},
    {2, "igmp"},
    {6, "tcp"},
    {17, "udp"},
    {47, "gre"},
    {58, "icmpv6"},
    {132, "sctp"},
    {136, "udplite"},
}};

// TCP header flag bits, lowest first, with the names tcpdump and ss print.
constexpr std::array<std::string_view, 8> tcp_flag_names = {
    "FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};

std::string icmp_type_text(const Packet& pkt) {
    if (pkt.l4_proto == 1) {
        switch (pkt.icmp_type) {
        case 0:
            return "echo-reply";
        case 3:
            return "dest-unreachable code " + std::to_string(pkt.icmp_code);
        case 8:
            return "echo-request";
        case 11:
            return "time-exceeded";
        default:
            break;
        }
    } else if (pkt.l4_proto == 58) {
        switch (pkt.icmp_type) {
        case 1:
            return "dest-unreachable code " + std::to_string(pkt.icmp_code);
        case 2:
            return "packet-too-big";
        case 3:
            return "time-exceeded";
        case 128:
            return "echo-request";
        case 129:
            return "echo-reply";
        case 135:
            return "neighbor-solicitation";
        case 136:
            return "neighbor-advertisement";
        default:
            break;
        }
    }
    return "type " + std::to_string(pkt.icmp_type) + " code " + std::to_string(pkt.icmp_code);
}

std::string endpoint(const IpAddr& addr, std::uint16_t port, bool with_port) {
    std::string a = addr.to_string();
    if (!with_port) {
        return a;
    }
    if (addr.family() == IpFamily::V6) {
        a = "[" + a + "]";
    }
    return a + ":" + std::to_string(port);
}

} // namespace

std::string_view event_kind_name(EventKind kind) {
    for (const auto& [k, name] : kind_names) {
        if (k == kind) {
            return name;
        }
    }
    return "unknown";
}

std::optional<EventKind> parse_event_kind(std::string_view name) {
    for (const auto& [k, n] : kind_names) {
        if (n == name) {
            return k;
        }
    }
    return std::nullopt;
}

std::string_view packet_family_name(PacketFamily family) {
    for (const auto& [f, name] : family_names) {
        if (f == family) {
            return name;
        }
    }
    return "";
}

std::optional<PacketFamily> parse_packet_family(std::string_view name) {
    for (const auto& [f, n] : family_names) {
        if (n == name) {
            return f;
        }
    }
    return std::nullopt;
}

std::string proto_name(std::uint8_t l4_proto) {
    for (const auto& [p, name] : proto_names) {
        if (p == l4_proto) {
            return std::string(name);
        }
    }
    return std::to_string(l4_proto);
}

std::optional<std::uint8_t> parse_proto(std::string_view name) {
    for (const auto& [p, n] : proto_names) {
        if (n == name) {
            return p;
        }
    }
    unsigned value = 0;
    auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), value);
    if (ec != std::errc{} || end != name.data() + name.size() || value > 255) {
        return std::nullopt;
    }
    return static_cast<std::uint8_t>(value);
}

std::string tcp_flags_text(std::uint8_t flags) {
    // Print in handshake order (SYN, ACK first) because that is how operators read them.
    constexpr std::array<int, 8> order = {1, 4, 3, 0, 2, 5, 6, 7};
    std::string out;
    for (int bit : order) {
        if (flags & (1u << bit)) {
            if (!out.empty()) {
                out += ',';
            }
            out += tcp_flag_names[static_cast<std::size_t>(bit)];
        }
    }
    return out;
}

std::string flow_text(const Packet& pkt) {
    if (!pkt.saddr.is_set() || !pkt.daddr.is_set()) {
        return "";
    }
    if (pkt.family == PacketFamily::Arp) {
        return "ARP " + pkt.saddr.to_string() + " -> " + pkt.daddr.to_string();
    }
    std::string proto = proto_name(pkt.l4_proto);
    for (auto& c : proto) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    std::string out = proto + " " + endpoint(pkt.saddr, pkt.sport, pkt.has_ports) + " -> " +
                      endpoint(pkt.daddr, pkt.dport, pkt.has_ports);
    if (pkt.has_icmp) {
        out += " (" + icmp_type_text(pkt) + ")";
    }
    return out;
}

std::string Frame::text() const {
    char buf[32];
    if (symbol.empty()) {
        std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(addr));
        return buf;
    }
    std::snprintf(buf, sizeof buf, "+0x%llx", static_cast<unsigned long long>(offset));
    return symbol + buf;
}

std::string tcp_state_name(int state) {
    static constexpr std::array<std::string_view, 13> names = {"",
                                                               "ESTABLISHED",
                                                               "SYN_SENT",
                                                               "SYN_RECV",
                                                               "FIN_WAIT1",
                                                               "FIN_WAIT2",
                                                               "TIME_WAIT",
                                                               "CLOSE",
                                                               "CLOSE_WAIT",
                                                               "LAST_ACK",
                                                               "LISTEN",
                                                               "CLOSING",
                                                               "NEW_SYN_RECV"};
    if (state > 0 && static_cast<std::size_t>(state) < names.size()) {
        return std::string(names[static_cast<std::size_t>(state)]);
    }
    return std::to_string(state);
}

std::string nud_state_name(int state) {
    static constexpr std::array<std::pair<int, std::string_view>, 8> bits = {{{0x01, "INCOMPLETE"},
                                                                              {0x02, "REACHABLE"},
                                                                              {0x04, "STALE"},
                                                                              {0x08, "DELAY"},
                                                                              {0x10, "PROBE"},
                                                                              {0x20, "FAILED"},
                                                                              {0x40, "NOARP"},
                                                                              {0x80, "PERMANENT"}}};
    std::string out;
    for (const auto& [bit, name] : bits) {
        if ((state & bit) != 0) {
            out += out.empty() ? "" : "|";
            out += name;
        }
    }
    return out.empty() ? "NONE" : out;
}

std::string xdp_action_name(std::uint32_t action) {
    static constexpr std::array<std::string_view, 5> names = {
        "ABORTED", "DROP", "PASS", "TX", "REDIRECT"};
    return action < names.size() ? std::string(names[action]) : std::to_string(action);
}

std::string errno_name(std::int32_t err) {
    if (err == 0) {
        return {};
    }
    const int number = err < 0 ? -err : err;
    const char* name = strerrorname_np(number);
    return name != nullptr ? std::string(name) : std::to_string(err);
}

} // namespace netdx::engine
