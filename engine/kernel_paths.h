// SPDX-License-Identifier: GPL-2.0
// What a drop's kernel stack says about where in the network stack it happened. This is kernel
// knowledge (function names of the running kernel), kept as data tables in kernel_paths.cpp.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "event.h"

namespace netdx::engine {

struct NetfilterPath {
    std::string_view hook;   // "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING", or ""
    std::string_view engine; // "nftables" when an nft_do_chain frame is on the stack, else ""
    std::string_view family; // nft table family from nft_do_chain_<family> ("ip", "ip6", "inet",
                             // ...), else the packet's ("ip", "ip6", "arp"), or ""
};

// Looks for the netfilter hook runner (nf_hook_slow) on the stack; the frame right after it is
// the function that ran the hook, which names the hook. nullopt when netfilter is not involved.
std::optional<NetfilterPath> netfilter_path(const DropInfo& drop, PacketFamily family);

// How many frames of `stack`, from the dropper outwards, describe the drop: those above the
// softirq and backlog plumbing (__netif_receive_skb*, process_backlog, net_rx_action, ...). When
// a packet is processed inline, the frames below belong to whatever task sent it, not to the
// drop. The whole stack when no plumbing frame is on it.
std::size_t drop_path_length(const std::vector<Frame>& stack);

} // namespace netdx::engine
