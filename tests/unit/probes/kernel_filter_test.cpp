// SPDX-License-Identifier: GPL-2.0
// engine::Filter -> struct netdx_filter (the BPF objects' .rodata).
#include <cstring>

#include <doctest/doctest.h>

#include "probes/kernel_filter.h"

namespace {

using netdx::engine::Filter;
using netdx::engine::IpAddr;
using netdx::probes::to_kernel_filter;

} // namespace

TEST_CASE("kernel filter: an empty filter is all zero") {
    auto kf = to_kernel_filter(Filter{});
    REQUIRE(kf.has_value());
    const netdx_filter zero{};
    CHECK(std::memcmp(&*kf, &zero, sizeof(zero)) == 0);
}

TEST_CASE("kernel filter: addresses, ports, protocol, netns and device are encoded") {
    Filter f;
    f.host = IpAddr::parse("10.0.0.2");
    f.saddr = IpAddr::parse("fd00::1");
    f.port = 80;
    f.sport = 1234;
    f.dport = 443;
    f.l4_proto = 6;
    f.netns = "blue";
    f.netns_inode = 4026532000U;
    f.dev = "veth0";
    auto kf = to_kernel_filter(f);
    REQUIRE(kf.has_value());
    CHECK(kf->host_family == NETDX_PKT_IPV4);
    CHECK(kf->host[0] == 10);
    CHECK(kf->host[3] == 2);
    CHECK(kf->host[4] == 0);
    CHECK(kf->saddr_family == NETDX_PKT_IPV6);
    CHECK(kf->saddr[0] == 0xfd);
    CHECK(kf->saddr[15] == 1);
    CHECK(kf->daddr_family == 0);
    CHECK(kf->port == 80); // host order, like struct netdx_pkt
    CHECK(kf->sport == 1234);
    CHECK(kf->dport == 443);
    CHECK(kf->l4_proto == 6);
    CHECK(kf->netns == 4026532000U);
    CHECK(std::string(kf->dev) == "veth0");
}

TEST_CASE("kernel filter: a device name longer than 15 characters is a usage error") {
    Filter f;
    f.dev = "a-very-long-name0";
    auto kf = to_kernel_filter(f);
    REQUIRE_FALSE(kf.has_value());
    CHECK(kf.error().kind == netdx::ErrorKind::Usage);
    f.dev = "fifteen-chars-x";
    CHECK(to_kernel_filter(f).has_value());
}

TEST_CASE("kernel filter: a netns name that was not resolved is refused") {
    Filter f;
    f.netns = "blue";
    CHECK_FALSE(to_kernel_filter(f).has_value());
}
