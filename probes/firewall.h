// SPDX-License-Identifier: GPL-2.0
// Netfilter rules and chain policies with their packet counters, from all three worlds that can
// drop a packet at a netfilter hook: iptables-legacy (x_tables), iptables-nft and native nftables
// (both nf_tables). And firewall attribution: given two snapshots of one namespace, the terminal
// DROP/REJECT rule (or chain policy) whose counter moved at the hook where a packet was dropped.
// Pure code: the parsers take text or messages, the reader is firewall_reader.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "engine/result.h"

namespace netdx::probes {

enum class FirewallWorld { IptablesLegacy, IptablesNft, Nftables };
std::string_view world_name(FirewallWorld world); // "iptables-legacy", "iptables-nft", "nftables"

struct PacketCounter {
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;
};

struct FirewallChain {
    FirewallWorld world = FirewallWorld::IptablesLegacy;
    std::string family; // "ip", "ip6", "inet", "arp", "bridge", "netdev"
    std::string table;
    std::string name;
    // The netfilter hook of a base (built-in) chain, in iptables' words: "PREROUTING", "INPUT",
    // "FORWARD", "OUTPUT", "POSTROUTING" ("INGRESS"/"EGRESS" for netdev); empty for a chain
    // that is only reached by a jump.
    std::string hook;
    std::optional<int> priority;          // nf_tables base chains
    std::string policy;                   // "ACCEPT" or "DROP" for base chains, else ""
    std::optional<PacketCounter> counter; // the policy's counter, when the world keeps one
    std::optional<std::uint64_t> handle;  // nf_tables
};

struct FirewallRule {
    FirewallWorld world = FirewallWorld::IptablesLegacy;
    std::string family;
    std::string table;
    std::string chain;
    int position = 0;                     // 1-based within the chain, as --line-numbers shows it
    std::optional<std::uint64_t> handle;  // nf_tables
    std::optional<PacketCounter> counter; // absent: the rule counts nothing (nft without counter)
    // What the rule does when it matches: "drop", "reject", "accept", "jump", "goto", "return",
    // "queue", or "" for rules that do not end the chain (LOG, MARK, counter only, verdict maps).
    std::string verdict;
    std::string target; // the chain of a jump or goto
    std::string text;   // "-A CHAIN ..." or nft's rule text; empty until read (it costs a tool run)
    std::string comment;

    bool terminal_drop() const { return verdict == "drop" || verdict == "reject"; }
};

struct FirewallSnapshot {
    std::vector<FirewallChain> chains;
    std::vector<FirewallRule> rules;
    std::vector<std::string> gaps; // parts that could not be read, each with its reason
    std::uint64_t started_unix_ns = 0;
    std::uint64_t finished_unix_ns = 0;
};

// Parses `iptables-save -c` (or without -c: counters stay absent) output of any backend and
// family into `out`. Comment and warning lines are skipped; a table iptables-nft calls
// incompatible is left to the nft reader. An error names the line and what is wrong.
Result<void> parse_iptables_save(std::string_view text,
                                 FirewallWorld world,
                                 std::string_view family,
                                 FirewallSnapshot& out);

// Rule texts from `nft -a list ...` output, keyed by (family, table, chain, handle), copied
// into the matching nf_tables rules of `snapshot`. Lines that are not rules are ignored.
void apply_nft_rule_texts(std::string_view text, FirewallSnapshot& snapshot);

// Rule texts from `iptables-nft-save` output, copied into the iptables-nft rules of `snapshot`
// at the same table, chain and position.
Result<void> apply_iptables_nft_texts(std::string_view text,
                                      std::string_view family,
                                      FirewallSnapshot& snapshot);

// Tables that iptables-nft manages: an ip/ip6 table with an iptables table name whose base
// chains are all named after their hooks. Native nft tables are everything else.
bool looks_like_iptables_nft(const FirewallSnapshot& snapshot,
                             std::string_view family,
                             std::string_view table);

// Where a packet was dropped, as the drop's kernel stack tells it.
struct DropSite {
    std::string hook;      // "INPUT", ...; "" when unknown (every hook is considered)
    std::string family;    // "ip" or "ip6" (the packet's), "" when unknown
    bool nftables = false; // an nft_do_chain frame was on the stack
};

struct AttributionCandidate {
    bool policy = false;                  // the chain policy, not a rule
    const FirewallRule* rule = nullptr;   // into the `after` snapshot; null for a policy
    const FirewallChain* chain = nullptr; // the policy's chain; null for a rule
    std::uint64_t packets = 0;            // counter delta between the snapshots
    std::uint64_t bytes = 0;
};

struct Attribution {
    enum class Verdict {
        Rule,      // exactly one rule (or policy) moved: candidates[0]
        Ambiguous, // several moved (concurrent traffic): all of them, largest delta first
        Uncounted, // nothing moved, but drop rules without counters are reachable: candidates
        Policy,    // no rule counter moved; a native nft base chain drops by policy (no counter)
        Nothing,   // nothing that drops at that hook moved
    };
    Verdict verdict = Verdict::Nothing;
    std::vector<AttributionCandidate> candidates;
    std::vector<const FirewallChain*> uncounted_policies; // for Verdict::Policy
};

// Compares the terminal DROP/REJECT rules (and DROP policies) of every chain reachable from the
// base chains at the drop's hook, in every world, between two snapshots of one namespace. When
// more than one moved, those of the world the stack points to (nftables or not) are preferred.
Attribution
attribute_drop(const FirewallSnapshot& before, const FirewallSnapshot& after, const DropSite& site);

// One line for an operator, e.g. "iptables-nft table filter, chain USERCHK, rule 1:
// `-A USERCHK -d 10.0.0.2/32 -j DROP` (+3 packets)".
std::string describe(const AttributionCandidate& candidate);
// The read-only command that shows the candidate, and the change that removes it.
std::string show_command(const AttributionCandidate& candidate);
std::string delete_command(const AttributionCandidate& candidate);

nlohmann::json to_json(const FirewallSnapshot& snapshot);

} // namespace netdx::probes

namespace netdx::probes {

// One sentence for the operator about an attribution at `site`, e.g. "rule 1 of ...", or why no
// rule can be named and what to run instead.
std::string summarize(const Attribution& attribution, const DropSite& site);

} // namespace netdx::probes
