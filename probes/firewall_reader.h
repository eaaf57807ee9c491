// SPDX-License-Identifier: GPL-2.0
// Reads the netfilter rules and counters of the network namespace the calling thread is in:
// nf_tables (iptables-nft and native nftables) over netlink (libmnl), and iptables-legacy
// with iptables-legacy-save -c when legacy tables exist. Read-only: nothing is ever changed.
#pragma once

#include <span>
#include <string>

#include "engine/result.h"
#include "firewall.h"
#include "subprocess.h"

namespace netdx::probes {

// Parses one NFT_MSG_NEWCHAIN or NFT_MSG_NEWRULE message (header included) of a dump into
// `out`; other messages are skipped. Rule positions count per chain in message order.
Result<void> parse_nft_message(std::span<const std::byte> msg, FirewallSnapshot& out);

struct FirewallReadOptions {
    // Rule texts need a tool run per world (iptables-nft-save, nft -a list): only for support
    // bundles and for the one rule a finding names.
    bool rule_texts = false;
    std::string proc_net = "/proc/thread-self/net"; // ip_tables_names, ip6_tables_names
    RunLimits limits;
};

// Everything readable; a part that fails becomes a gap with its reason.
FirewallSnapshot read_firewall(const FirewallReadOptions& options = {});

// Fills the texts of the rules of one table (family "ip"/"ip6"/"inet"/...) of `snapshot`.
void read_rule_texts(FirewallSnapshot& snapshot,
                     std::string_view family,
                     std::string_view table,
                     const RunLimits& limits = {});

} // namespace netdx::probes
