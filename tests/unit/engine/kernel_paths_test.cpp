// SPDX-License-Identifier: GPL-2.0
#include <doctest/doctest.h>

#include "engine/kernel_paths.h"
#include "test_events.h"

using netdx::engine::netfilter_path;
using netdx::engine::PacketFamily;
using netdx::test::tcp_drop;

TEST_CASE("the frame after nf_hook_slow names the netfilter hook (kernel-signals section 6)") {
    struct Case {
        std::initializer_list<const char*> stack;
        const char* hook;
        const char* engine;
        const char* family;
    };
    const Case cases[] = {
        {{"nft_do_chain", "nft_do_chain_ipv4", "nf_hook_slow", "__ip_local_out", "ip_local_out"},
         "OUTPUT",
         "nftables",
         "ip"},
        {{"nf_hook_slow", "__ip_local_out", "ip_local_out", "__ip_queue_xmit"}, "OUTPUT", "", "ip"},
        {{"nft_do_chain", "nft_do_chain_inet", "nf_hook_slow", "ip_local_deliver"},
         "INPUT",
         "nftables",
         "inet"},
        {{"nf_hook_slow", "ip_forward", "__netif_receive_skb_one_core"}, "FORWARD", "", "ip"},
        {{"nf_hook_slow", "ip_rcv", "__netif_receive_skb_one_core"}, "PREROUTING", "", "ip"},
        {{"nf_hook_slow", "ip_output", "__ip_queue_xmit"}, "POSTROUTING", "", "ip"},
        {{"nft_do_chain", "nft_do_chain_ipv6", "nf_hook_slow", "ip6_xmit", "inet6_csk_xmit"},
         "OUTPUT",
         "nftables",
         "ip6"},
        {{"nf_hook_slow", "some_new_caller"}, "", "", "ip"},
    };
    for (const auto& c : cases) {
        auto ev = tcp_drop("NETFILTER_DROP", c.stack); // the path's names point into the event
        auto path = netfilter_path(ev.drop, PacketFamily::Ipv4);
        REQUIRE(path.has_value());
        CHECK(path->hook == c.hook);
        CHECK(path->engine == c.engine);
        CHECK(path->family == c.family);
    }
}

TEST_CASE("a drop without nf_hook_slow on its stack has no netfilter path") {
    auto ev = tcp_drop("NO_SOCKET", {"tcp_v4_rcv", "ip_protocol_deliver_rcu"});
    CHECK_FALSE(netfilter_path(ev.drop, PacketFamily::Ipv4).has_value());
    ev.drop.stack.clear();
    CHECK_FALSE(netfilter_path(ev.drop, PacketFamily::Ipv4).has_value());
}
