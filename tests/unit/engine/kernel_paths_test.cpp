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

TEST_CASE("the drop path stops at the softirq plumbing, so the sender's frames are not in it") {
    using netdx::engine::drop_path_length;
    using netdx::engine::Frame;
    auto frames = [](std::initializer_list<const char*> names) {
        std::vector<Frame> out;
        for (const char* n : names) {
            out.push_back(Frame{0, n, 0});
        }
        return out;
    };
    // TCP SYN to a closed port on a veth, processed inline in the sender's connect().
    CHECK(drop_path_length(frames({"tcp_v4_rcv",
                                   "ip_protocol_deliver_rcu",
                                   "ip_local_deliver_finish",
                                   "__netif_receive_skb_one_core",
                                   "process_backlog",
                                   "net_rx_action",
                                   "handle_softirqs",
                                   "do_softirq",
                                   "__local_bh_enable_ip",
                                   "__dev_queue_xmit",
                                   "tcp_connect"})) == 3);
    // A drop on the send path has no plumbing: the whole stack describes it.
    CHECK(drop_path_length(frames({"nf_hook_slow", "__ip_local_out", "ip_local_out"})) == 3);
    CHECK(drop_path_length({}) == 0);
}
