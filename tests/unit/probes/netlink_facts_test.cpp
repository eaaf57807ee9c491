// SPDX-License-Identifier: GPL-2.0
// rtnetlink parsing (issue 5) on hand-built messages: a link with an XDP program, a blackhole
// route, a linkdown route, a FAILED neighbour, a policy rule, a clsact qdisc and its tc filters;
// and truncated or garbled input, which must give an error naming the message, never a crash or
// a read past the buffer.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <linux/fib_rules.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "probes/netlink_parse.h"

namespace {

using netdx::probes::FactsSnapshot;
using netdx::probes::parse_rtnl_buffer;
using netdx::probes::parse_rtnl_message;
using netdx::probes::parse_tc_filter_message;
using netdx::probes::TcFilterDump;
using Buffer = std::vector<std::byte>;

// Builds one netlink message: header, family header, attributes (nested ones too).
class Msg {
public:
    explicit Msg(std::uint16_t type) {
        nlmsghdr h{};
        h.nlmsg_type = type;
        h.nlmsg_flags = NLM_F_MULTI;
        raw(&h, sizeof h);
    }
    template <class T>
    Msg& family_header(const T& hdr) {
        raw(&hdr, sizeof hdr);
        pad();
        return *this;
    }
    Msg& attr(std::uint16_t type, const void* data, std::size_t len) {
        nlattr a{};
        a.nla_len = static_cast<std::uint16_t>(sizeof(nlattr) + len);
        a.nla_type = type;
        raw(&a, sizeof a);
        raw(data, len);
        pad();
        return *this;
    }
    Msg& u8(std::uint16_t type, std::uint8_t v) { return attr(type, &v, 1); }
    Msg& u32(std::uint16_t type, std::uint32_t v) { return attr(type, &v, 4); }
    Msg& str(std::uint16_t type, const std::string& s) {
        return attr(type, s.c_str(), s.size() + 1);
    }
    Msg& ipv4(std::uint16_t type, const char* text) {
        in_addr a{};
        REQUIRE(::inet_pton(AF_INET, text, &a) == 1);
        return attr(type, &a, sizeof a);
    }
    Msg& begin(std::uint16_t type) {
        nests_.push_back(buf_.size());
        return attr(type, nullptr, 0);
    }
    Msg& end() {
        const std::size_t at = nests_.back();
        nests_.pop_back();
        const auto len = static_cast<std::uint16_t>(buf_.size() - at);
        std::memcpy(buf_.data() + at, &len, sizeof len);
        return *this;
    }
    Buffer done() const {
        Buffer out = buf_;
        const auto len = static_cast<std::uint32_t>(out.size());
        std::memcpy(out.data(), &len, sizeof len);
        return out;
    }

private:
    void raw(const void* data, std::size_t len) {
        if (len == 0) {
            return;
        }
        const std::size_t at = buf_.size();
        buf_.resize(at + len);
        std::memcpy(buf_.data() + at, data, len);
    }
    void pad() { buf_.resize((buf_.size() + 3) & ~std::size_t{3}); }

    Buffer buf_;
    std::vector<std::size_t> nests_;
};

Buffer veth_with_xdp() {
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = 2;
    ifi.ifi_flags = IFF_UP | IFF_BROADCAST; // admin up, no IFF_LOWER_UP
    const std::uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    return Msg(RTM_NEWLINK)
        .family_header(ifi)
        .str(IFLA_IFNAME, "veth0")
        .attr(IFLA_ADDRESS, mac, sizeof mac)
        .u32(IFLA_MTU, 1500)
        .u32(IFLA_LINK, 7)
        .u8(IFLA_OPERSTATE, IF_OPER_LOWERLAYERDOWN)
        .u8(IFLA_CARRIER, 0)
        .begin(IFLA_LINKINFO)
        .str(IFLA_INFO_KIND, "veth")
        .end()
        .begin(IFLA_XDP)
        .u8(IFLA_XDP_ATTACHED, XDP_ATTACHED_SKB)
        .u32(IFLA_XDP_PROG_ID, 42)
        .u32(IFLA_XDP_SKB_PROG_ID, 42)
        .end()
        .done();
}

rtmsg route_header(std::uint8_t type, std::uint8_t dst_len, std::uint32_t flags = 0) {
    rtmsg rtm{};
    rtm.rtm_family = AF_INET;
    rtm.rtm_dst_len = dst_len;
    rtm.rtm_table = RT_TABLE_MAIN;
    rtm.rtm_protocol = RTPROT_BOOT;
    rtm.rtm_scope = RT_SCOPE_UNIVERSE;
    rtm.rtm_type = type;
    rtm.rtm_flags = flags;
    return rtm;
}

Buffer blackhole_route() {
    return Msg(RTM_NEWROUTE)
        .family_header(route_header(RTN_BLACKHOLE, 24))
        .u32(RTA_TABLE, RT_TABLE_MAIN)
        .ipv4(RTA_DST, "10.9.9.0")
        .done();
}

Buffer linkdown_route() {
    return Msg(RTM_NEWROUTE)
        .family_header(route_header(RTN_UNICAST, 0, RTNH_F_LINKDOWN))
        .u32(RTA_TABLE, 100)
        .ipv4(RTA_GATEWAY, "10.201.1.2")
        .u32(RTA_OIF, 2)
        .u32(RTA_PRIORITY, 20)
        .done();
}

Buffer failed_neighbour() {
    ndmsg ndm{};
    ndm.ndm_family = AF_INET;
    ndm.ndm_ifindex = 2;
    ndm.ndm_state = NUD_FAILED;
    return Msg(RTM_NEWNEIGH).family_header(ndm).ipv4(NDA_DST, "10.201.1.77").done();
}

Buffer main_rule() {
    fib_rule_hdr frh{};
    frh.family = AF_INET;
    frh.table = RT_TABLE_MAIN;
    frh.action = FR_ACT_TO_TBL;
    return Msg(RTM_NEWRULE)
        .family_header(frh)
        .u32(FRA_TABLE, RT_TABLE_MAIN)
        .u32(FRA_PRIORITY, 32766)
        .done();
}

Buffer address() {
    ifaddrmsg ifa{};
    ifa.ifa_family = AF_INET;
    ifa.ifa_prefixlen = 24;
    ifa.ifa_scope = RT_SCOPE_UNIVERSE;
    ifa.ifa_index = 2;
    return Msg(RTM_NEWADDR)
        .family_header(ifa)
        .ipv4(IFA_ADDRESS, "10.201.1.1")
        .ipv4(IFA_LOCAL, "10.201.1.1")
        .str(IFA_LABEL, "veth0")
        .done();
}

tcmsg tc_header(int ifindex, std::uint32_t handle, std::uint32_t parent, std::uint32_t info) {
    tcmsg tcm{};
    tcm.tcm_family = AF_UNSPEC;
    tcm.tcm_ifindex = ifindex;
    tcm.tcm_handle = handle;
    tcm.tcm_parent = parent;
    tcm.tcm_info = info;
    return tcm;
}

Buffer clsact_qdisc(int ifindex) {
    return Msg(RTM_NEWQDISC)
        .family_header(tc_header(ifindex, TC_H_MAKE(TC_H_CLSACT, 0), TC_H_INGRESS, 1))
        .str(TCA_KIND, "clsact")
        .done();
}

// tcm_info: the preference in the upper 16 bits, the protocol (network order) in the lower.
std::uint32_t tc_info(std::uint16_t prio, std::uint16_t protocol) {
    return TC_H_MAKE(std::uint32_t{prio} << 16, htons(protocol));
}

// What the kernel sends for `tc filter add dev veth0 ingress bpf da obj tc_verdict.o sec tc`.
// The parent is the qdisc's handle, whichever hook was dumped.
Buffer bpf_filter(int ifindex = 2) {
    const std::uint8_t tag[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    return Msg(RTM_NEWTFILTER)
        .family_header(tc_header(ifindex, 1, TC_H_MAKE(TC_H_CLSACT, 0), tc_info(49152, ETH_P_ALL)))
        .str(TCA_KIND, "bpf")
        .u32(TCA_CHAIN, 0)
        .begin(TCA_OPTIONS)
        .u32(TCA_BPF_ID, 13)
        .str(TCA_BPF_NAME, "tc_verdict.o:[tc]")
        .u32(TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT)
        .attr(TCA_BPF_TAG, tag, sizeof tag)
        .end()
        .done();
}

FactsSnapshot parsed(const Buffer& msg) {
    FactsSnapshot s;
    auto r = parse_rtnl_message(msg, s);
    REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().message));
    return s;
}

std::string error_of(const Buffer& msg) {
    FactsSnapshot s;
    auto r = parse_rtnl_message(msg, s);
    REQUIRE_FALSE(r.has_value());
    return r.error().message;
}

void set_u16(Buffer& b, std::size_t at, std::uint16_t v) {
    std::memcpy(b.data() + at, &v, 2);
}

constexpr std::size_t link_attrs = sizeof(nlmsghdr) + sizeof(ifinfomsg);
constexpr std::size_t route_attrs = sizeof(nlmsghdr) + sizeof(rtmsg);
constexpr std::size_t tc_attrs = sizeof(nlmsghdr) + sizeof(tcmsg);

constexpr TcFilterDump veth_ingress{2, "ingress"};

// veth0 (ifindex 2), then `msg` parsed as a reply to the ingress filter dump of veth0.
FactsSnapshot with_filter(const Buffer& msg) {
    FactsSnapshot s = parsed(veth_with_xdp());
    auto r = parse_tc_filter_message(msg, veth_ingress, s);
    REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().message));
    return s;
}

std::string filter_error_of(const Buffer& msg) {
    FactsSnapshot s = parsed(veth_with_xdp());
    auto r = parse_tc_filter_message(msg, veth_ingress, s);
    REQUIRE_FALSE(r.has_value());
    CHECK(s.links[0].tc_filters.empty());
    return r.error().message;
}

} // namespace

TEST_CASE("netlink facts: a link with a generic XDP program, admin up without carrier") {
    const auto s = parsed(veth_with_xdp());
    REQUIRE(s.links.size() == 1);
    const auto& l = s.links[0];
    CHECK(l.ifindex == 2);
    CHECK(l.name == "veth0");
    CHECK(l.kind == "veth");
    CHECK(l.admin_up);
    CHECK_FALSE(l.carrier);
    CHECK(l.oper_state == "LOWERLAYERDOWN");
    CHECK(l.mtu == 1500);
    CHECK(l.link == 7);
    CHECK_FALSE(l.master);
    CHECK(l.address == "02:00:00:00:00:01");
    REQUIRE(l.xdp);
    CHECK(l.xdp->mode == "generic");
    CHECK(l.xdp->prog_id == 42);
    CHECK(l.xdp->generic_prog_id == 42);
    const auto j = netdx::probes::to_json(s);
    CHECK(j["links"][0]["xdp"]["mode"] == "generic");
    CHECK(j["links"][0]["xdp"]["prog_id"] == 42);
    CHECK(j["links"][0]["carrier"] == false);
}

TEST_CASE("netlink facts: a link whose IFLA_XDP says nothing is attached has no xdp") {
    ifinfomsg ifi{};
    ifi.ifi_index = 1;
    ifi.ifi_flags = IFF_UP | IFF_LOWER_UP;
    const auto s = parsed(Msg(RTM_NEWLINK)
                              .family_header(ifi)
                              .str(IFLA_IFNAME, "lo")
                              .begin(IFLA_XDP)
                              .u8(IFLA_XDP_ATTACHED, XDP_ATTACHED_NONE)
                              .end()
                              .done());
    REQUIRE(s.links.size() == 1);
    CHECK(s.links[0].carrier);
    CHECK_FALSE(s.links[0].xdp);
    CHECK(netdx::probes::to_json(s)["links"][0]["xdp"].is_null());
}

TEST_CASE("netlink facts: the XDP program names appear in the JSON, per mode in multi mode") {
    FactsSnapshot s = parsed(veth_with_xdp());
    auto& x = *s.links[0].xdp;
    x.mode = "multi";
    x.prog_id = 0;
    x.native_prog_id = 43;
    x.generic_prog_name = "handle_generic";
    x.native_prog_name = "handle_native";
    s.gaps.push_back("BPF program names not read: because");
    const auto j = netdx::probes::to_json(s);
    const auto& xdp = j["links"][0]["xdp"];
    CHECK(xdp["mode"] == "multi");
    CHECK(xdp["prog_name"] == "");
    CHECK(xdp["generic_prog_id"] == 42);
    CHECK(xdp["generic_prog_name"] == "handle_generic");
    CHECK(xdp["native_prog_id"] == 43);
    CHECK(xdp["native_prog_name"] == "handle_native");
    CHECK(xdp["offload_prog_name"] == "");
    CHECK(j["gaps"] == nlohmann::json::array({"BPF program names not read: because"}));
}

TEST_CASE("netlink facts: a clsact qdisc is noted on its link; root qdiscs are not") {
    FactsSnapshot s = parsed(veth_with_xdp());
    REQUIRE(parse_rtnl_message(clsact_qdisc(2), s).has_value());
    CHECK(s.links[0].tc_qdisc == "clsact");
    CHECK(netdx::probes::to_json(s)["links"][0]["tc_qdisc"] == "clsact");

    FactsSnapshot s2 = parsed(veth_with_xdp());
    const Buffer noqueue = Msg(RTM_NEWQDISC)
                               .family_header(tc_header(2, 0, TC_H_ROOT, 2))
                               .str(TCA_KIND, "noqueue")
                               .done();
    const Buffer legacy_ingress = Msg(RTM_NEWQDISC)
                                      .family_header(tc_header(2, 0xffff0000, TC_H_INGRESS, 1))
                                      .str(TCA_KIND, "ingress")
                                      .done();
    REQUIRE(parse_rtnl_message(noqueue, s2).has_value());
    CHECK(s2.links[0].tc_qdisc.empty());
    CHECK(netdx::probes::to_json(s2)["links"][0]["tc_qdisc"].is_null());
    REQUIRE(parse_rtnl_message(legacy_ingress, s2).has_value());
    CHECK(s2.links[0].tc_qdisc == "ingress");
    // A device that appeared after the link dump: nothing to note it on, not an error.
    REQUIRE(parse_rtnl_message(clsact_qdisc(99), s2).has_value());
    CHECK(s2.links.size() == 1);
}

TEST_CASE("netlink facts: a cls_bpf direct-action filter on the ingress hook") {
    const auto s = with_filter(bpf_filter());
    REQUIRE(s.links[0].tc_filters.size() == 1);
    const auto& f = s.links[0].tc_filters[0];
    CHECK(f.direction == "ingress");
    CHECK(f.kind == "bpf");
    CHECK(f.prio == 49152);
    CHECK(f.protocol == ETH_P_ALL);
    CHECK(f.handle == 1);
    CHECK(f.chain == 0);
    CHECK(f.prog_id == 13);
    CHECK(f.bpf_name == "tc_verdict.o:[tc]");
    CHECK(f.direct_action);
    CHECK(f.prog_name.empty()); // the reader fills it in from the kernel
    const auto j = netdx::probes::to_json(s)["links"][0]["tc_filters"];
    REQUIRE(j.size() == 1);
    CHECK(j[0]["direction"] == "ingress");
    CHECK(j[0]["kind"] == "bpf");
    CHECK(j[0]["prio"] == 49152);
    CHECK(j[0]["protocol"] == "all");
    CHECK(j[0]["handle"] == 1);
    CHECK(j[0]["prog_id"] == 13);
    CHECK(j[0]["bpf_name"] == "tc_verdict.o:[tc]");
    CHECK(j[0]["direct_action"] == true);
}

TEST_CASE("netlink facts: a tcx program has no chain, preference, protocol or handle in JSON") {
    FactsSnapshot s = with_filter(bpf_filter());
    netdx::probes::TcFilterFact tcx;
    tcx.direction = "egress";
    tcx.kind = "tcx";
    tcx.prog_id = 77;
    tcx.prog_name = "handle_egress_with_a_long_name";
    s.links[0].tc_filters.insert(s.links[0].tc_filters.begin(), tcx);
    const auto j = netdx::probes::to_json(s)["links"][0]["tc_filters"];
    REQUIRE(j.size() == 2);
    CHECK(j[0]["kind"] == "tcx");
    CHECK(j[0]["direction"] == "egress");
    CHECK(j[0]["prog_id"] == 77);
    CHECK(j[0]["prog_name"] == "handle_egress_with_a_long_name");
    for (const auto* key : {"chain", "prio", "protocol", "handle"}) {
        CAPTURE(key);
        CHECK(j[0][key].is_null());
        CHECK_FALSE(j[1][key].is_null());
    }
    CHECK(j[0]["direct_action"] == false);
}

TEST_CASE("netlink facts: the direction and device of a tc filter come from the request") {
    // A shared block's replies carry TCM_IFINDEX_MAGIC_BLOCK, and every reply the qdisc handle.
    Buffer b = bpf_filter(static_cast<int>(TCM_IFINDEX_MAGIC_BLOCK));
    FactsSnapshot s = parsed(veth_with_xdp());
    REQUIRE(parse_tc_filter_message(b, TcFilterDump{2, "egress"}, s).has_value());
    REQUIRE(s.links[0].tc_filters.size() == 1);
    CHECK(s.links[0].tc_filters[0].direction == "egress");
    // The dump of a device that is not in the snapshot adds nothing.
    REQUIRE(parse_tc_filter_message(b, TcFilterDump{9, "ingress"}, s).has_value());
    CHECK(s.links[0].tc_filters.size() == 1);
}

TEST_CASE("netlink facts: tc filter dumps skip the classifier message and other types") {
    // Before its filters, the kernel sends each classifier (prio, protocol) with handle 0.
    const Buffer classifier =
        Msg(RTM_NEWTFILTER)
            .family_header(tc_header(2, 0, TC_H_MAKE(TC_H_CLSACT, 0), tc_info(49152, ETH_P_ALL)))
            .str(TCA_KIND, "bpf")
            .u32(TCA_CHAIN, 0)
            .done();
    CHECK(with_filter(classifier).links[0].tc_filters.empty());
    CHECK(with_filter(blackhole_route()).links[0].tc_filters.empty());
    CHECK(with_filter(blackhole_route()).routes.empty());

    // Another classifier kind: its options are not read, so any layout is fine.
    const std::uint8_t opaque[3] = {0xff, 0xff, 0xff};
    const auto s = with_filter(
        Msg(RTM_NEWTFILTER)
            .family_header(tc_header(2, 0x800, TC_H_MAKE(TC_H_CLSACT, 0), tc_info(10, ETH_P_IP)))
            .str(TCA_KIND, "u32")
            .u32(TCA_CHAIN, 3)
            .attr(TCA_OPTIONS, opaque, sizeof opaque)
            .done());
    REQUIRE(s.links[0].tc_filters.size() == 1);
    const auto& f = s.links[0].tc_filters[0];
    CHECK(f.kind == "u32");
    CHECK(f.prog_id == 0);
    CHECK(f.chain == 3);
    CHECK(netdx::probes::tc_protocol_name(f.protocol) == "ip");
    CHECK(netdx::probes::tc_protocol_name(ETH_P_IPV6) == "ipv6");
    CHECK(netdx::probes::tc_protocol_name(0x88cc) == "0x88cc");
}

TEST_CASE("netlink facts: TCA_OPTIONS flagged NLA_F_NESTED reads the same") {
    Buffer b = bpf_filter();
    // TCA_OPTIONS is the third attribute: after TCA_KIND "bpf" (8 bytes) and TCA_CHAIN (8).
    std::uint16_t type = 0;
    std::memcpy(&type, b.data() + tc_attrs + 16 + 2, 2);
    REQUIRE(type == TCA_OPTIONS);
    set_u16(b, tc_attrs + 16 + 2, TCA_OPTIONS | NLA_F_NESTED);
    const auto s = with_filter(b);
    REQUIRE(s.links[0].tc_filters.size() == 1);
    CHECK(s.links[0].tc_filters[0].prog_id == 13);
}

TEST_CASE("netlink facts: a blackhole route in the main table") {
    const auto s = parsed(blackhole_route());
    REQUIRE(s.routes.size() == 1);
    const auto& r = s.routes[0];
    CHECK(r.family == "inet");
    CHECK(r.type == "blackhole");
    CHECK(r.dst == "10.9.9.0/24");
    CHECK(r.table == RT_TABLE_MAIN);
    CHECK(r.protocol == "boot");
    CHECK(r.oif == 0);
    CHECK_FALSE(r.linkdown());
    const auto j = netdx::probes::to_json(s)["routes"][0];
    CHECK(j["table_name"] == "main");
    CHECK(j["dev"].is_null());
}

TEST_CASE("netlink facts: a default route flagged linkdown, in table 100, with a metric") {
    FactsSnapshot s = parsed(veth_with_xdp());
    REQUIRE(parse_rtnl_message(linkdown_route(), s).has_value());
    REQUIRE(s.routes.size() == 1);
    const auto& r = s.routes[0];
    CHECK(r.dst == "default");
    CHECK(r.gateway == "10.201.1.2");
    CHECK(r.oif == 2);
    CHECK(r.table == 100);
    CHECK(r.priority == 20u);
    CHECK(r.linkdown());
    CHECK_FALSE(r.dead());
    const auto j = netdx::probes::to_json(s)["routes"][0];
    CHECK(j["linkdown"] == true);
    CHECK(j["dev"] == "veth0");
    CHECK(j["flags"] == nlohmann::json::array({"linkdown"}));
    CHECK(j["table_name"] == "100");
}

TEST_CASE("netlink facts: a multipath route lists each next hop with its flags") {
    std::vector<std::byte> hops;
    auto add_hop = [&](int ifindex, std::uint8_t flags, const char* gw) {
        rtnexthop nh{};
        nh.rtnh_len = sizeof(rtnexthop) + 8;
        nh.rtnh_flags = flags;
        nh.rtnh_ifindex = ifindex;
        const auto* p = reinterpret_cast<const std::byte*>(&nh);
        hops.insert(hops.end(), p, p + sizeof nh);
        nlattr a{8, RTA_GATEWAY};
        p = reinterpret_cast<const std::byte*>(&a);
        hops.insert(hops.end(), p, p + sizeof a);
        in_addr addr{};
        REQUIRE(::inet_pton(AF_INET, gw, &addr) == 1);
        p = reinterpret_cast<const std::byte*>(&addr);
        hops.insert(hops.end(), p, p + sizeof addr);
    };
    add_hop(2, RTNH_F_LINKDOWN | RTNH_F_DEAD, "10.0.0.1");
    add_hop(3, 0, "10.0.1.1");
    const auto s = parsed(Msg(RTM_NEWROUTE)
                              .family_header(route_header(RTN_UNICAST, 8))
                              .ipv4(RTA_DST, "10.0.0.0")
                              .attr(RTA_MULTIPATH, hops.data(), hops.size())
                              .done());
    REQUIRE(s.routes.size() == 1);
    REQUIRE(s.routes[0].nexthops.size() == 2);
    CHECK(s.routes[0].nexthops[0].gateway == "10.0.0.1");
    CHECK(s.routes[0].nexthops[0].flags == (RTNH_F_LINKDOWN | RTNH_F_DEAD));
    CHECK(s.routes[0].nexthops[1].oif == 3);
    const auto j = netdx::probes::to_json(s)["routes"][0]["nexthops"][0];
    CHECK(j["linkdown"] == true);
    CHECK(j["dead"] == true);
}

TEST_CASE("netlink facts: a FAILED neighbour has no link-layer address") {
    const auto s = parsed(failed_neighbour());
    REQUIRE(s.neighbours.size() == 1);
    CHECK(s.neighbours[0].address == "10.201.1.77");
    CHECK(s.neighbours[0].lladdr.empty());
    CHECK(netdx::probes::neigh_state_name(s.neighbours[0].state) == "FAILED");
    CHECK(netdx::probes::to_json(s)["neighbours"][0]["state"] == "FAILED");
    CHECK(netdx::probes::neigh_state_name(NUD_REACHABLE | NUD_NOARP) == "REACHABLE|NOARP");
    CHECK(netdx::probes::neigh_state_name(NUD_NONE) == "NONE");
}

TEST_CASE("netlink facts: addresses and policy rules") {
    FactsSnapshot s = parsed(address());
    REQUIRE(parse_rtnl_message(main_rule(), s).has_value());
    REQUIRE(s.addresses.size() == 1);
    CHECK(s.addresses[0].address == "10.201.1.1");
    CHECK(s.addresses[0].prefix_len == 24);
    CHECK(s.addresses[0].scope == "global");
    CHECK(s.addresses[0].label == "veth0");
    REQUIRE(s.rules.size() == 1);
    CHECK(s.rules[0].priority == 32766);
    CHECK(s.rules[0].table == RT_TABLE_MAIN);
    CHECK(s.rules[0].action == "lookup");
    CHECK(s.rules[0].src.empty());
}

TEST_CASE("netlink facts: bridge fdb entries and multicast routes are skipped, not errors") {
    ndmsg ndm{};
    ndm.ndm_family = AF_BRIDGE;
    const auto s = parsed(Msg(RTM_NEWNEIGH).family_header(ndm).u32(NDA_DST, 1).done());
    CHECK(s.neighbours.empty());
    auto rtm = route_header(RTN_MULTICAST, 32);
    rtm.rtm_family = RTNL_FAMILY_IPMR;
    CHECK(parsed(Msg(RTM_NEWROUTE).family_header(rtm).done()).routes.empty());
}

TEST_CASE("netlink facts: a buffer of messages ends at NLMSG_DONE; NLMSG_ERROR gives its errno") {
    Buffer buf;
    for (const auto& m : {veth_with_xdp(), blackhole_route(), failed_neighbour()}) {
        buf.insert(buf.end(), m.begin(), m.end());
    }
    const Buffer done = Msg(NLMSG_DONE).u32(0, 0).done();
    buf.insert(buf.end(), done.begin(), done.end());
    FactsSnapshot s;
    REQUIRE(parse_rtnl_buffer(buf, s).has_value());
    CHECK(s.links.size() == 1);
    CHECK(s.routes.size() == 1);
    CHECK(s.neighbours.size() == 1);

    nlmsgerr err{};
    err.error = -13;
    Buffer error_msg = Msg(NLMSG_ERROR).family_header(err).done();
    FactsSnapshot s2;
    auto r = parse_rtnl_buffer(error_msg, s2);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().sys_errno == 13);

    Buffer trailing = blackhole_route();
    trailing.resize(trailing.size() + 6);
    auto r2 = parse_rtnl_buffer(trailing, s2);
    REQUIRE_FALSE(r2.has_value());
    CHECK(r2.error().message ==
          "malformed netlink message header: truncated: 6 bytes left, a header needs 16");
}

TEST_CASE("netlink facts: every truncation of every message is an error, not a crash") {
    for (const auto& full : {veth_with_xdp(),
                             blackhole_route(),
                             linkdown_route(),
                             failed_neighbour(),
                             main_rule(),
                             address()}) {
        for (std::size_t len = 0; len < full.size(); ++len) {
            CAPTURE(len);
            // Exactly `len` bytes on the heap, so a read past them is a sanitizer error.
            const Buffer cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(len));
            FactsSnapshot s;
            CHECK_FALSE(parse_rtnl_message(cut, s).has_value());
            if (len > 0) { // an empty buffer holds no message, which is fine
                CHECK_FALSE(parse_rtnl_buffer(cut, s).has_value());
            }
        }
    }
    for (const auto& full : {bpf_filter(), clsact_qdisc(2)}) {
        for (std::size_t len = 0; len < full.size(); ++len) {
            CAPTURE(len);
            const Buffer cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(len));
            FactsSnapshot s = parsed(veth_with_xdp());
            CHECK_FALSE(parse_tc_filter_message(cut, veth_ingress, s).has_value());
            CHECK_FALSE(parse_rtnl_message(cut, s).has_value());
            CHECK(s.links[0].tc_filters.empty());
        }
    }
}

TEST_CASE("netlink facts: a tc filter whose nlmsg_len shrinks inside TCA_OPTIONS is an error") {
    Buffer b = bpf_filter();
    const auto len = static_cast<std::uint32_t>(b.size() - 4);
    std::memcpy(b.data(), &len, sizeof len);
    CHECK(filter_error_of(b).find("malformed netlink message RTM_NEWTFILTER") == 0);
}

TEST_CASE("netlink facts: garbled tc messages give an error naming the message and attribute") {
    const tcmsg hdr = tc_header(2, 1, TC_H_MAKE(TC_H_CLSACT, 0), tc_info(1, ETH_P_ALL));
    SUBCASE("a payload shorter than tcmsg") {
        CHECK(filter_error_of(Msg(RTM_NEWTFILTER).u32(TCA_KIND, 0).done()) ==
              "malformed netlink message RTM_NEWTFILTER: 8 bytes of payload, tcmsg needs 20");
        FactsSnapshot s = parsed(veth_with_xdp());
        auto r = parse_rtnl_message(Msg(RTM_NEWQDISC).u32(TCA_KIND, 0).done(), s);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().message ==
              "malformed netlink message RTM_NEWQDISC: 8 bytes of payload, tcmsg needs 20");
    }
    SUBCASE("an attribute length past the end of the message") {
        Buffer b = bpf_filter();
        set_u16(b, tc_attrs, 0x4000);
        CHECK(filter_error_of(b).find("malformed netlink message RTM_NEWTFILTER: attribute type 1 "
                                      "at offset 0 has length 16384") == 0);
        Buffer q = clsact_qdisc(2);
        set_u16(q, tc_attrs, 3);
        FactsSnapshot s = parsed(veth_with_xdp());
        auto r = parse_rtnl_message(q, s);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().message.find("malformed netlink message RTM_NEWQDISC: attribute type 1 "
                                     "at offset 0 has length 3") == 0);
        CHECK(s.links[0].tc_qdisc.empty());
    }
    SUBCASE("a filter without TCA_KIND") {
        CHECK(filter_error_of(Msg(RTM_NEWTFILTER).family_header(hdr).u32(TCA_CHAIN, 0).done()) ==
              "malformed netlink message RTM_NEWTFILTER: no TCA_KIND");
    }
    SUBCASE("a TCA_CHAIN of one byte") {
        CHECK(filter_error_of(Msg(RTM_NEWTFILTER)
                                  .family_header(hdr)
                                  .str(TCA_KIND, "bpf")
                                  .u8(TCA_CHAIN, 0)
                                  .done()) ==
              "malformed netlink message RTM_NEWTFILTER: TCA_CHAIN(11) has 1 bytes, expected 4");
    }
    SUBCASE("a TCA_BPF_ID of two bytes") {
        const std::uint16_t two = 13;
        CHECK(filter_error_of(Msg(RTM_NEWTFILTER)
                                  .family_header(hdr)
                                  .str(TCA_KIND, "bpf")
                                  .begin(TCA_OPTIONS)
                                  .attr(TCA_BPF_ID, &two, sizeof two)
                                  .end()
                                  .done()) ==
              "malformed netlink message RTM_NEWTFILTER "
              "TCA_OPTIONS: TCA_BPF_ID(11) has 2 bytes, expected 4");
    }
    SUBCASE("a TCA_BPF_FLAGS without bytes") {
        CHECK(filter_error_of(Msg(RTM_NEWTFILTER)
                                  .family_header(hdr)
                                  .str(TCA_KIND, "bpf")
                                  .begin(TCA_OPTIONS)
                                  .attr(TCA_BPF_FLAGS, nullptr, 0)
                                  .end()
                                  .done()) ==
              "malformed netlink message RTM_NEWTFILTER TCA_OPTIONS: TCA_BPF_FLAGS(8) has 0 "
              "bytes, expected 4");
    }
    SUBCASE("a garbled nested TCA_OPTIONS of a bpf filter") {
        const std::uint8_t junk[6] = {0x40, 0x00, 0x0b, 0x00, 0, 0};
        CHECK(filter_error_of(Msg(RTM_NEWTFILTER)
                                  .family_header(hdr)
                                  .str(TCA_KIND, "bpf")
                                  .attr(TCA_OPTIONS, junk, sizeof junk)
                                  .done()) ==
              "malformed netlink message RTM_NEWTFILTER TCA_OPTIONS: attribute type 11 at offset "
              "0 has length 64, 6 bytes left");
    }
}

TEST_CASE("netlink facts: a message whose nlmsg_len shrinks inside its attributes is an error") {
    // nlmsg_len says less than what was built: the last attribute now runs past the message.
    Buffer b = veth_with_xdp();
    const auto len = static_cast<std::uint32_t>(b.size() - 4);
    std::memcpy(b.data(), &len, sizeof len);
    CHECK(error_of(b).find("malformed netlink message RTM_NEWLINK") == 0);
}

TEST_CASE("netlink facts: garbled attributes give an error naming the message and attribute") {
    SUBCASE("a payload shorter than the family header") {
        Buffer b = Msg(RTM_NEWLINK).u32(IFLA_MTU, 1).done();
        CHECK(error_of(b) ==
              "malformed netlink message RTM_NEWLINK: 8 bytes of payload, ifinfomsg needs 16");
    }
    SUBCASE("an attribute length below the attribute header") {
        Buffer b = veth_with_xdp();
        set_u16(b, link_attrs, 2);
        CHECK(error_of(b) == "malformed netlink message RTM_NEWLINK: attribute type 3 at offset 0 "
                             "has length 2, " +
                                 std::to_string(b.size() - link_attrs) + " bytes left");
    }
    SUBCASE("an attribute length past the end of the message") {
        Buffer b = blackhole_route();
        set_u16(b, route_attrs, 0xfff0);
        CHECK(error_of(b).find("malformed netlink message RTM_NEWROUTE: attribute type 15") == 0);
    }
    SUBCASE("an address of the wrong size") {
        const std::uint8_t three[3] = {10, 0, 0};
        Buffer b = Msg(RTM_NEWROUTE)
                       .family_header(route_header(RTN_UNICAST, 0))
                       .attr(RTA_GATEWAY, three, sizeof three)
                       .done();
        CHECK(error_of(b) == "malformed netlink message RTM_NEWROUTE: RTA_GATEWAY(5) has 3 bytes, "
                             "expected 4 for inet");
    }
    SUBCASE("a u32 attribute with two bytes") {
        const std::uint16_t two = 1500;
        ifinfomsg ifi{};
        Buffer b = Msg(RTM_NEWLINK).family_header(ifi).attr(IFLA_MTU, &two, 2).done();
        CHECK(error_of(b) ==
              "malformed netlink message RTM_NEWLINK: IFLA_MTU(4) has 2 bytes, expected 4");
    }
    SUBCASE("a garbled nested IFLA_XDP") {
        ifinfomsg ifi{};
        const std::uint8_t junk[6] = {0xff, 0xff, 0x01, 0x00, 0, 0};
        Buffer b = Msg(RTM_NEWLINK).family_header(ifi).attr(IFLA_XDP, junk, sizeof junk).done();
        CHECK(error_of(b).find("malformed netlink message RTM_NEWLINK IFLA_XDP: attribute type 1 "
                               "at offset 0 has length 65535") == 0);
    }
    SUBCASE("a multipath next hop longer than the attribute") {
        rtnexthop nh{};
        nh.rtnh_len = 200;
        Buffer b = Msg(RTM_NEWROUTE)
                       .family_header(route_header(RTN_UNICAST, 0))
                       .attr(RTA_MULTIPATH, &nh, sizeof nh)
                       .done();
        CHECK(error_of(b) == "malformed netlink message RTM_NEWROUTE RTA_MULTIPATH: next hop at "
                             "offset 0 has length 200, 8 bytes left");
    }
    SUBCASE("a neighbour without its address") {
        ndmsg ndm{};
        ndm.ndm_family = AF_INET;
        CHECK(error_of(Msg(RTM_NEWNEIGH).family_header(ndm).done()) ==
              "malformed netlink message RTM_NEWNEIGH: no NDA_DST");
    }
}

TEST_CASE("netlink facts: random byte flips never crash the parsers") {
    std::mt19937 rng(5); // fixed seed: the same inputs every run
    const std::vector<Buffer> seeds = {veth_with_xdp(),
                                       blackhole_route(),
                                       linkdown_route(),
                                       failed_neighbour(),
                                       main_rule(),
                                       address(),
                                       clsact_qdisc(2)};
    int errors = 0;
    for (int i = 0; i < 20000; ++i) {
        Buffer b = seeds[static_cast<std::size_t>(i) % seeds.size()];
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int f = 0; f < flips; ++f) {
            b[rng() % b.size()] = static_cast<std::byte>(rng());
        }
        FactsSnapshot s;
        errors += parse_rtnl_buffer(b, s).has_value() ? 0 : 1;
        (void)netdx::probes::to_json(s);
    }
    CHECK(errors > 0); // garbling was noticed at least sometimes

    const Buffer filter = bpf_filter();
    int filter_errors = 0;
    for (int i = 0; i < 10000; ++i) {
        Buffer b = filter;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int f = 0; f < flips; ++f) {
            b[rng() % b.size()] = static_cast<std::byte>(rng());
        }
        FactsSnapshot s = parsed(veth_with_xdp());
        filter_errors += parse_tc_filter_message(b, veth_ingress, s).has_value() ? 0 : 1;
        (void)netdx::probes::to_json(s);
    }
    CHECK(filter_errors > 0);
}
