// SPDX-License-Identifier: GPL-2.0
#include "kernel_paths.h"

#include <array>
#include <utility>

namespace netdx::engine {
namespace {

// Function that calls nf_hook_slow -> hook. Verified on 6.18 (kernel-signals.md section 6) for
// the IPv4 hooks and IPv6 INPUT/OUTPUT; the other IPv6 and ARP entries follow the same NF_HOOK
// call sites in net/ipv6 and net/ipv4/arp.c.
constexpr std::array<std::pair<std::string_view, std::string_view>, 18> hook_callers = {{
    {"ip_rcv", "PREROUTING"},
    {"ip_list_rcv", "PREROUTING"},
    {"ip_sublist_rcv", "PREROUTING"},
    {"ip_local_deliver", "INPUT"},
    {"ip_forward", "FORWARD"},
    {"__ip_local_out", "OUTPUT"},
    {"ip_output", "POSTROUTING"},
    {"ip_mc_output", "POSTROUTING"},
    {"ipv6_rcv", "PREROUTING"},
    {"ipv6_list_rcv", "PREROUTING"},
    {"ip6_input", "INPUT"},
    {"ip6_forward", "FORWARD"},
    {"__ip6_local_out", "OUTPUT"},
    {"ip6_xmit", "OUTPUT"},
    {"ip6_output", "POSTROUTING"},
    {"ip6_finish_output", "POSTROUTING"},
    {"arp_rcv", "INPUT"},
    {"arp_xmit", "OUTPUT"},
}};

constexpr std::string_view nft_chain_runner = "nft_do_chain";
constexpr std::string_view nft_family_prefix = "nft_do_chain_";

// The kernel's chain-type suffix (nft_do_chain_ipv4) -> the family name nft users type.
std::string_view nft_family_name(std::string_view suffix) {
    if (suffix == "ipv4") {
        return "ip";
    }
    if (suffix == "ipv6") {
        return "ip6";
    }
    return suffix; // inet, arp, bridge, netdev
}

bool is_hook_runner(std::string_view symbol) {
    return symbol == "nf_hook_slow" || symbol == "nf_hook_slow_list";
}

std::string_view packet_nf_family(PacketFamily family) {
    switch (family) {
    case PacketFamily::Ipv4:
        return "ip";
    case PacketFamily::Ipv6:
        return "ip6";
    case PacketFamily::Arp:
        return "arp";
    case PacketFamily::None:
        break;
    }
    return "";
}

} // namespace

std::optional<NetfilterPath> netfilter_path(const DropInfo& drop, PacketFamily family) {
    const auto& stack = drop.stack;
    for (std::size_t i = 0; i < stack.size(); ++i) {
        if (!is_hook_runner(stack[i].symbol)) {
            continue;
        }
        NetfilterPath path;
        path.family = packet_nf_family(family);
        for (std::size_t j = 0; j < i; ++j) {
            std::string_view sym = stack[j].symbol;
            if (sym.starts_with(nft_family_prefix)) {
                path.engine = "nftables";
                path.family = nft_family_name(sym.substr(nft_family_prefix.size()));
            } else if (sym == nft_chain_runner) {
                path.engine = "nftables";
            }
        }
        if (i + 1 < stack.size()) {
            for (const auto& [caller, hook] : hook_callers) {
                if (stack[i + 1].symbol == caller) {
                    path.hook = hook;
                    break;
                }
            }
        }
        return path;
    }
    return std::nullopt;
}

std::size_t drop_path_length(const std::vector<Frame>& stack) {
    // Entry points of receive processing and softirq dispatch (kernel-signals section 6).
    constexpr std::array<std::string_view, 9> plumbing_prefixes = {"__netif_receive_skb",
                                                                   "netif_receive_skb",
                                                                   "process_backlog",
                                                                   "__napi_poll",
                                                                   "napi_complete_done",
                                                                   "net_rx_action",
                                                                   "handle_softirqs",
                                                                   "do_softirq",
                                                                   "__do_softirq"};
    for (std::size_t i = 0; i < stack.size(); ++i) {
        const std::string_view symbol = stack[i].symbol;
        for (const auto prefix : plumbing_prefixes) {
            if (symbol.starts_with(prefix)) {
                return i;
            }
        }
    }
    return stack.size();
}

} // namespace netdx::engine
