// SPDX-License-Identifier: GPL-2.0
// fact.* answers from hand-made namespace facts: the device's XDP and tc programs, MTUs, the
// route a destination takes, its next hop, linkdown routes, devices that are down, full
// listeners and the effective rp_filter.
#include <doctest/doctest.h>
#include <net/if.h>
#include <netinet/in.h>

#include <linux/rtnetlink.h>

#include "probes/fact_answers.h"

namespace {

using netdx::engine::FactValue;
using netdx::probes::answer_fact;
using netdx::probes::answer_link_fact;

netdx::engine::Event event_to(const char* daddr, const char* dev, std::uint32_t ifindex) {
    netdx::engine::Event ev;
    ev.pkt.family = netdx::engine::PacketFamily::Ipv4;
    ev.pkt.daddr = *netdx::engine::IpAddr::parse(daddr);
    ev.dev = dev;
    ev.ifindex = ifindex;
    return ev;
}

netdx::probes::FactsSnapshot router() {
    netdx::probes::FactsSnapshot s;
    netdx::probes::LinkFact lo;
    lo.ifindex = 1;
    lo.name = "lo";
    lo.flags = IFF_LOOPBACK;
    netdx::probes::LinkFact in;
    in.ifindex = 2;
    in.name = "veth-in";
    in.admin_up = true;
    in.carrier = true;
    in.mtu = 1500;
    in.xdp =
        netdx::probes::XdpFact{"generic", 42, 42, 0, 0, "netdx_test_xdp", "netdx_test_xdp", "", ""};
    netdx::probes::TcFilterFact tc;
    tc.direction = "ingress";
    tc.kind = "bpf";
    tc.prog_id = 7;
    tc.prog_name = "shoot";
    in.tc_filters.push_back(tc);
    netdx::probes::LinkFact out;
    out.ifindex = 3;
    out.name = "veth-out";
    out.admin_up = true;
    out.mtu = 1280;
    netdx::probes::LinkFact down;
    down.ifindex = 4;
    down.name = "spare0";
    s.links = {lo, in, out, down};
    auto route = [](const char* dst, int len, int oif, const char* gw, std::uint32_t flags) {
        netdx::probes::RouteFact r;
        r.family = "inet";
        r.table = RT_TABLE_MAIN;
        r.type = "unicast";
        r.dst = dst;
        r.dst_len = len;
        r.oif = oif;
        r.gateway = gw;
        r.flags = flags;
        return r;
    };
    s.routes = {route("10.0.1.0/24", 24, 2, "", 0),
                route("10.0.2.0/24", 24, 3, "", RTNH_F_LINKDOWN),
                route("default", 0, 3, "10.0.2.254", RTNH_F_LINKDOWN),
                route("10.0.2.128/25", 25, 2, "10.0.1.9", 0)};
    netdx::probes::RouteFact v6 = route("fe80::/64", 64, 3, "", RTNH_F_LINKDOWN);
    v6.family = "inet6";
    s.routes.push_back(v6);
    return s;
}

} // namespace

TEST_CASE("fact answers: the device's programs and MTU") {
    const auto links = router();
    const auto ev = event_to("10.0.2.7", "veth-in", 2);
    CHECK(answer_link_fact("xdp_prog", ev, links) == FactValue(std::string("netdx_test_xdp")));
    CHECK(answer_link_fact("xdp_prog_id", ev, links) == FactValue(std::int64_t{42}));
    CHECK(answer_link_fact("xdp_mode", ev, links) == FactValue(std::string("generic")));
    CHECK(answer_link_fact("tc_ingress_prog", ev, links) == FactValue(std::string("shoot")));
    CHECK(answer_link_fact("tc_ingress_prog_id", ev, links) == FactValue(std::int64_t{7}));
    CHECK(answer_link_fact("link_mtu", ev, links) == FactValue(std::int64_t{1500}));
    CHECK(answer_link_fact("link_carrier", ev, links) == FactValue(true));
    // An event on a device the snapshot does not have: nothing about it.
    CHECK(answer_link_fact("link_mtu", event_to("10.0.2.7", "gone0", 9), links) == FactValue{});
}

TEST_CASE("fact answers: the route a destination takes, its next hop, linkdown routes") {
    const auto links = router();
    // Longest prefix: 10.0.2.200 takes the /25 via 10.0.1.9 out of veth-in, not the /24.
    const auto far = event_to("10.0.2.200", "veth-in", 2);
    CHECK(answer_link_fact("egress_dev", far, links) == FactValue(std::string("veth-in")));
    CHECK(answer_link_fact("next_hop", far, links) == FactValue(std::string("10.0.1.9")));
    // Directly connected: the destination is its own next hop.
    const auto near = event_to("10.0.2.7", "veth-in", 2);
    CHECK(answer_link_fact("egress_dev", near, links) == FactValue(std::string("veth-out")));
    CHECK(answer_link_fact("egress_mtu", near, links) == FactValue(std::int64_t{1280}));
    CHECK(answer_link_fact("next_hop", near, links) == FactValue(std::string("10.0.2.7")));
    // The default route.
    CHECK(answer_link_fact("next_hop", event_to("192.0.2.1", "veth-in", 2), links) ==
          FactValue(std::string("10.0.2.254")));
    // Routes flagged linkdown through the event's device, of the packet's family only.
    CHECK(answer_link_fact("linkdown_routes", event_to("10.0.2.7", "veth-out", 3), links) ==
          FactValue(std::string("10.0.2.0/24, default via 10.0.2.254")));
    CHECK(answer_link_fact("linkdown_routes", near, links) == FactValue{});
    // Devices set down, loopback aside.
    CHECK(answer_link_fact("links_down", near, links) == FactValue(std::string("spare0")));
}

TEST_CASE("fact answers: full listeners and the effective rp_filter") {
    netdx::probes::NamespaceFacts facts;
    netdx::probes::SocketEntry ok;
    ok.proto = IPPROTO_TCP;
    ok.state = netdx::probes::tcp_state_listen;
    ok.addr = *netdx::engine::IpAddr::parse("10.0.0.2");
    ok.port = 22;
    ok.rqueue = 0;
    ok.wqueue = 128;
    netdx::probes::SocketEntry full = ok;
    full.port = 80;
    full.rqueue = 2;
    full.wqueue = 1;
    facts.sockets = std::vector{ok, full};
    facts.sysctls.values = {{"ipv4/conf/all/rp_filter", 0}, {"ipv4/conf/veth0/rp_filter", 1}};
    const auto ev = event_to("10.0.0.2", "veth0", 2);
    CHECK(answer_fact("full_listeners", ev, facts) ==
          FactValue(std::string("10.0.0.2:80 (accept queue 2, backlog 1)")));
    CHECK(answer_fact("rp_filter", ev, facts) == FactValue(std::int64_t{1}));
    facts.sysctls.values["ipv4/conf/all/rp_filter"] = 2;
    CHECK(answer_fact("rp_filter", ev, facts) == FactValue(std::int64_t{2}));
    facts.sockets = std::vector{ok};
    CHECK(answer_fact("full_listeners", ev, facts) == FactValue{});
}
