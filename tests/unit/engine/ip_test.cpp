// SPDX-License-Identifier: GPL-2.0
#include <doctest/doctest.h>

#include "engine/event.h"
#include "engine/ip.h"

using netdx::engine::Cidr;
using netdx::engine::IpAddr;

TEST_CASE("addresses parse and print in their usual form") {
    CHECK(IpAddr::parse("10.0.0.2")->to_string() == "10.0.0.2");
    CHECK(IpAddr::parse("fd00:0:0::1")->to_string() == "fd00::1");
    CHECK_FALSE(IpAddr::parse("10.0.0").has_value());
    CHECK_FALSE(IpAddr::parse("").has_value());
    CHECK_FALSE(IpAddr::parse("10.0.0.256").has_value());
}

TEST_CASE("prefixes contain the addresses inside them, of their family only") {
    auto net = *Cidr::parse("10.1.2.3/8");
    CHECK(net.to_string() == "10.0.0.0/8");
    CHECK(net.contains(*IpAddr::parse("10.255.0.1")));
    CHECK_FALSE(net.contains(*IpAddr::parse("11.0.0.1")));
    CHECK_FALSE(net.contains(*IpAddr::parse("::ffff:10.0.0.1")));
    auto v6 = *Cidr::parse("fd00::/63");
    CHECK(v6.contains(*IpAddr::parse("fd00:0:0:1::5")));
    CHECK_FALSE(v6.contains(*IpAddr::parse("fd00:0:0:2::5")));
    CHECK(Cidr::parse("10.0.0.1")->prefix_len() == 32);
    CHECK_FALSE(Cidr::parse("10.0.0.0/33").has_value());
    CHECK_FALSE(Cidr::parse("10.0.0.0/").has_value());
}

TEST_CASE("flows read as one line with protocol, endpoints and ICMP type") {
    netdx::engine::Packet p;
    p.family = netdx::engine::PacketFamily::Ipv6;
    p.l4_proto = 17;
    p.has_ports = true;
    p.saddr = *IpAddr::parse("fd00::1");
    p.daddr = *IpAddr::parse("fd00::2");
    p.sport = 5353;
    p.dport = 53;
    CHECK(netdx::engine::flow_text(p) == "UDP [fd00::1]:5353 -> [fd00::2]:53");
    p.l4_proto = 58;
    p.has_ports = false;
    p.has_icmp = true;
    p.icmp_type = 128;
    CHECK(netdx::engine::flow_text(p) == "ICMPV6 fd00::1 -> fd00::2 (echo-request)");
    CHECK(netdx::engine::tcp_flags_text(0x12) == "SYN,ACK");
    CHECK(netdx::engine::tcp_flags_text(0x11) == "ACK,FIN");
}
