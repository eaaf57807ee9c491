// SPDX-License-Identifier: GPL-2.0
#include "filter_args.h"

#include <cstring>

#include <arpa/inet.h>
#include <netdb.h>

#include "engine/event.h"
#include "engine/log.h"

namespace netdx::cli {
namespace {

// An address, or a host name resolved once now (the filter works on addresses).
Result<engine::IpAddr> resolve(const std::string& flag, const std::string& text) {
    if (auto ip = engine::IpAddr::parse(text)) {
        return *ip;
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    int rc = getaddrinfo(text.c_str(), nullptr, &hints, &res);
    if (rc != 0 || res == nullptr) {
        return make_error(ErrorKind::Usage,
                          "--" + flag + " " + text + ": not an address, and name lookup failed (" +
                              gai_strerror(rc) + ")");
    }
    engine::IpAddr ip;
    if (res->ai_family == AF_INET) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(res->ai_addr);
        ip = engine::IpAddr::v4(reinterpret_cast<const std::uint8_t*>(&sin->sin_addr));
    } else {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(res->ai_addr);
        ip = engine::IpAddr::v6(reinterpret_cast<const std::uint8_t*>(&sin6->sin6_addr));
    }
    freeaddrinfo(res);
    NETDX_LOG(Warn) << "--" << flag << " " << text << " resolved to " << ip.to_string()
                    << "; only that address is traced";
    return ip;
}

} // namespace

void add_filter_options(CLI::App& cmd, FilterArgs& args) {
    struct Flag {
        const char* name;
        const char* placeholder;
        const char* help;
    };
    auto add = [&cmd](const Flag& f, auto& target) {
        return cmd.add_option(f.name, target, f.help)->type_name(f.placeholder)->group("Filters");
    };
    add({"--host", "ADDR", "Only packets from or to this address (or host name)"}, args.host);
    add({"--saddr", "ADDR", "Only packets from this source address"}, args.saddr);
    add({"--daddr", "ADDR", "Only packets to this destination address"}, args.daddr);
    add({"--port", "PORT", "Only packets from or to this port"}, args.port)
        ->check(CLI::Range(1, 65535));
    add({"--sport", "PORT", "Only packets from this source port"}, args.sport)
        ->check(CLI::Range(1, 65535));
    add({"--dport", "PORT", "Only packets to this destination port"}, args.dport)
        ->check(CLI::Range(1, 65535));
    add({"--proto", "PROTO", "Only this protocol: tcp, udp, icmp, icmpv6 or a number"}, args.proto);
    add({"--netns", "NAME", "Only this network namespace (a name 'ip netns' lists, or host)"},
        args.netns);
    add({"--dev", "DEV", "Only packets on this device"}, args.dev);
}

Result<engine::Filter> build_filter(const FilterArgs& args) {
    engine::Filter f;
    for (auto [flag, text, out] : {std::tuple{"host", &args.host, &f.host},
                                   std::tuple{"saddr", &args.saddr, &f.saddr},
                                   std::tuple{"daddr", &args.daddr, &f.daddr}}) {
        if (text->empty()) {
            continue;
        }
        auto ip = resolve(flag, *text);
        if (!ip) {
            return ip.error();
        }
        *out = *ip;
    }
    if (args.port) {
        f.port = static_cast<std::uint16_t>(args.port);
    }
    if (args.sport) {
        f.sport = static_cast<std::uint16_t>(args.sport);
    }
    if (args.dport) {
        f.dport = static_cast<std::uint16_t>(args.dport);
    }
    if (!args.proto.empty()) {
        auto proto = engine::parse_proto(args.proto);
        if (!proto || *proto == 0) {
            return make_error(ErrorKind::Usage,
                              "--proto " + args.proto + ": use tcp, udp, icmp, icmpv6 or 1-255");
        }
        f.l4_proto = *proto;
    }
    if (!args.netns.empty()) {
        f.netns = args.netns;
    }
    if (!args.dev.empty()) {
        if (args.dev.size() >= 16) {
            return make_error(ErrorKind::Usage,
                              "--dev " + args.dev + ": device names are at most 15 characters");
        }
        f.dev = args.dev;
    }
    return f;
}

} // namespace netdx::cli
