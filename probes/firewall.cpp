// SPDX-License-Identifier: GPL-2.0
#include "firewall.h"

#include <algorithm>
#include <charconv>
#include <deque>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

namespace netdx::probes {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
}

bool parse_u64(std::string_view s, std::uint64_t& out) {
    const char* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, out);
    return ec == std::errc() && p == end && !s.empty();
}

// "[packets:bytes]"
bool parse_counter(std::string_view s, PacketCounter& out) {
    if (s.size() < 5 || s.front() != '[' || s.back() != ']') {
        return false;
    }
    s = s.substr(1, s.size() - 2);
    const auto colon = s.find(':');
    return colon != std::string_view::npos && parse_u64(s.substr(0, colon), out.packets) &&
           parse_u64(s.substr(colon + 1), out.bytes);
}

// Splits an iptables-save rule into words; "quoted text" (with \" escapes) is one word.
std::vector<std::string> split_words(std::string_view line) {
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && line[i] == ' ') {
            ++i;
        }
        if (i >= line.size()) {
            break;
        }
        std::string word;
        if (line[i] == '"') {
            for (++i; i < line.size() && line[i] != '"'; ++i) {
                if (line[i] == '\\' && i + 1 < line.size()) {
                    ++i;
                }
                word += line[i];
            }
            ++i; // the closing quote
        } else {
            while (i < line.size() && line[i] != ' ') {
                word += line[i++];
            }
        }
        words.push_back(std::move(word));
    }
    return words;
}

bool is_iptables_hook(std::string_view name) {
    return name == "PREROUTING" || name == "INPUT" || name == "FORWARD" || name == "OUTPUT" ||
           name == "POSTROUTING";
}

std::string verdict_of_target(std::string_view target) {
    if (target == "DROP") {
        return "drop";
    }
    if (target == "REJECT") {
        return "reject";
    }
    if (target == "ACCEPT") {
        return "accept";
    }
    if (target == "RETURN") {
        return "return";
    }
    if (target == "QUEUE" || target == "NFQUEUE") {
        return "queue";
    }
    return "";
}

Error line_error(std::size_t line_no, std::string_view line, const std::string& what) {
    std::string shown(line.substr(0, 120));
    return make_error(ErrorKind::Io,
                      "iptables-save output, line " + std::to_string(line_no) + ": " + what +
                          ": '" + shown + "'");
}

// Identity of a rule across two snapshots: nf_tables rules by handle, x_tables rules by
// position and text (a legacy table is replaced whole on every change, so nothing stabler exists).
std::string rule_identity(const FirewallRule& r) {
    std::string id =
        std::string(world_name(r.world)) + '\0' + r.family + '\0' + r.table + '\0' + r.chain + '\0';
    if (r.handle) {
        return id + 'h' + std::to_string(*r.handle);
    }
    return id + std::to_string(r.position) + '\0' + r.text;
}

std::string chain_identity(FirewallWorld world,
                           std::string_view family,
                           std::string_view table,
                           std::string_view chain) {
    std::string id(world_name(world));
    for (auto part : {family, table, chain}) {
        id += '\0';
        id += part;
    }
    return id;
}

bool family_matches(std::string_view chain_family, std::string_view packet_family) {
    if (packet_family.empty()) {
        return true;
    }
    return chain_family == packet_family || chain_family == "inet";
}

std::uint64_t moved(std::uint64_t before, std::uint64_t after) {
    return after >= before ? after - before : after; // a reset counter restarted from zero
}

std::string iptables_command(const FirewallWorld world, std::string_view family) {
    std::string cmd = family == "ip6" ? "ip6tables" : "iptables";
    return cmd + (world == FirewallWorld::IptablesLegacy ? "-legacy" : "-nft");
}

std::string table_option(std::string_view table) {
    return table == "filter" ? std::string() : " -t " + std::string(table);
}

} // namespace

std::string_view world_name(FirewallWorld world) {
    switch (world) {
    case FirewallWorld::IptablesLegacy:
        return "iptables-legacy";
    case FirewallWorld::IptablesNft:
        return "iptables-nft";
    case FirewallWorld::Nftables:
        return "nftables";
    }
    return "";
}

Result<void> parse_iptables_save(std::string_view text,
                                 FirewallWorld world,
                                 std::string_view family,
                                 FirewallSnapshot& out) {
    std::string table;
    std::set<std::string, std::less<>> table_chains;
    std::map<std::string, int, std::less<>> positions;
    std::size_t line_no = 0;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const std::string_view raw = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        ++line_no;
        const std::string_view line = trim(raw);
        if (line.empty() || line.front() == '#') {
            continue;
        }
        if (line.front() == '*') {
            table = std::string(line.substr(1));
            if (table.empty()) {
                return line_error(line_no, line, "a table line without a name");
            }
            table_chains.clear();
            positions.clear();
            continue;
        }
        if (line == "COMMIT") {
            table.clear();
            continue;
        }
        if (table.empty()) {
            return line_error(line_no, line, "a chain or rule outside a table (no '*table' line)");
        }
        if (line.front() == ':') {
            const auto words = split_words(line.substr(1));
            if (words.size() < 2 || words[0].empty()) {
                return line_error(line_no, line, "a chain line needs a name and a policy");
            }
            FirewallChain chain;
            chain.world = world;
            chain.family = std::string(family);
            chain.table = table;
            chain.name = words[0];
            if (words[1] != "-") {
                chain.policy = words[1];
                chain.hook = is_iptables_hook(words[0]) ? words[0] : std::string();
            }
            if (words.size() >= 3) {
                PacketCounter c;
                if (!parse_counter(words[2], c)) {
                    return line_error(line_no, line, "a chain counter is not [packets:bytes]");
                }
                chain.counter = c;
            }
            table_chains.insert(chain.name);
            out.chains.push_back(std::move(chain));
            continue;
        }
        FirewallRule rule;
        rule.world = world;
        rule.family = std::string(family);
        rule.table = table;
        std::string_view body = line;
        if (body.front() == '[') {
            const auto end = body.find(']');
            PacketCounter c;
            if (end == std::string_view::npos || !parse_counter(body.substr(0, end + 1), c)) {
                return line_error(line_no, line, "a rule counter is not [packets:bytes]");
            }
            rule.counter = c;
            body = trim(body.substr(end + 1));
        }
        const auto words = split_words(body);
        if (words.size() < 2 || words[0] != "-A") {
            return line_error(line_no, line, "expected a rule (-A CHAIN ...)");
        }
        if (!table_chains.contains(words[1])) {
            return line_error(line_no, line, "a rule for chain '" + words[1] + "', not declared");
        }
        rule.chain = words[1];
        rule.position = ++positions[rule.chain];
        rule.text = std::string(body);
        for (std::size_t i = 2; i + 1 < words.size(); ++i) {
            if (words[i] == "-j" || words[i] == "-g") {
                const std::string& target = words[i + 1];
                if (table_chains.contains(target) && verdict_of_target(target).empty()) {
                    rule.verdict = words[i] == "-j" ? "jump" : "goto";
                    rule.target = target;
                } else {
                    rule.verdict = verdict_of_target(target);
                }
            } else if (words[i] == "--comment") {
                rule.comment = words[i + 1];
            }
        }
        out.rules.push_back(std::move(rule));
    }
    if (!table.empty()) {
        return make_error(ErrorKind::Io,
                          "iptables-save output ends inside table '" + table + "' (no COMMIT)");
    }
    return {};
}

void apply_nft_rule_texts(std::string_view text, FirewallSnapshot& snapshot) {
    std::map<std::tuple<std::string, std::string, std::string, std::uint64_t>, std::string> texts;
    std::string family;
    std::string table;
    std::string chain;
    auto unquote = [](std::string s) {
        if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
            s = s.substr(1, s.size() - 2);
        }
        return s;
    };
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const std::string_view line = trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        const auto words = split_words(line);
        if (words.size() >= 3 && words[0] == "table") {
            family = words[1];
            table = unquote(words[2]);
            chain.clear();
            continue;
        }
        if (words.size() >= 2 && words[0] == "chain") {
            chain = unquote(words[1]);
            continue;
        }
        const auto mark = line.rfind(" # handle ");
        if (mark == std::string_view::npos || chain.empty()) {
            continue;
        }
        std::string_view rule = trim(line.substr(0, mark));
        if (rule.empty() || rule.back() == '{') {
            chain.clear(); // a set, map or object definition: no longer inside a chain
            continue;
        }
        std::uint64_t handle = 0;
        if (!parse_u64(trim(line.substr(mark + 10)), handle)) {
            continue;
        }
        // "counter packets 3 bytes 180" -> "counter": the numbers are reported separately.
        std::string shown(rule);
        for (auto at = shown.find("counter packets "); at != std::string::npos;
             at = shown.find("counter packets ", at + 1)) {
            const auto bytes = shown.find(" bytes ", at);
            if (bytes == std::string::npos) {
                break;
            }
            auto end = shown.find(' ', bytes + 7);
            end = end == std::string::npos ? shown.size() : end;
            shown.replace(at + 7, end - (at + 7), "");
        }
        texts[{family, table, chain, handle}] = std::move(shown);
    }
    for (auto& r : snapshot.rules) {
        if (r.world == FirewallWorld::IptablesLegacy || !r.handle) {
            continue;
        }
        if (auto it = texts.find({r.family, r.table, r.chain, *r.handle}); it != texts.end()) {
            if (r.world == FirewallWorld::Nftables || r.text.empty()) {
                r.text = it->second;
            }
        }
    }
}

Result<void> apply_iptables_nft_texts(std::string_view text,
                                      std::string_view family,
                                      FirewallSnapshot& snapshot) {
    FirewallSnapshot parsed;
    if (auto r = parse_iptables_save(text, FirewallWorld::IptablesNft, family, parsed); !r) {
        return r;
    }
    std::map<std::tuple<std::string_view, std::string_view, int>, const FirewallRule*> by_place;
    for (const auto& r : parsed.rules) {
        by_place[{r.table, r.chain, r.position}] = &r;
    }
    for (auto& r : snapshot.rules) {
        if (r.world != FirewallWorld::IptablesNft || r.family != family) {
            continue;
        }
        if (auto it = by_place.find({r.table, r.chain, r.position}); it != by_place.end()) {
            r.text = it->second->text;
            r.comment = it->second->comment;
        }
    }
    return {};
}

bool looks_like_iptables_nft(const FirewallSnapshot& snapshot,
                             std::string_view family,
                             std::string_view table) {
    if (family != "ip" && family != "ip6") {
        return false;
    }
    if (table != "filter" && table != "nat" && table != "mangle" && table != "raw" &&
        table != "security") {
        return false;
    }
    for (const auto& c : snapshot.chains) {
        if (c.family == family && c.table == table && !c.hook.empty() && c.hook != c.name) {
            return false;
        }
    }
    return true;
}

Attribution attribute_drop(const FirewallSnapshot& before,
                           const FirewallSnapshot& after,
                           const DropSite& site) {
    std::map<std::string, PacketCounter> old_rules;
    for (const auto& r : before.rules) {
        if (r.counter) {
            old_rules.emplace(rule_identity(r), *r.counter);
        }
    }
    std::map<std::string, PacketCounter> old_policies;
    for (const auto& c : before.chains) {
        if (c.counter) {
            old_policies.emplace(chain_identity(c.world, c.family, c.table, c.name), *c.counter);
        }
    }
    std::map<std::string, std::vector<const FirewallRule*>> rules_of;
    for (const auto& r : after.rules) {
        rules_of[chain_identity(r.world, r.family, r.table, r.chain)].push_back(&r);
    }

    Attribution out;
    std::vector<AttributionCandidate> uncounted;
    std::set<std::string> seen;
    std::deque<std::string> queue;
    for (const auto& c : after.chains) {
        if (c.hook.empty() || !family_matches(c.family, site.family) ||
            (!site.hook.empty() && c.hook != site.hook)) {
            continue;
        }
        const std::string id = chain_identity(c.world, c.family, c.table, c.name);
        if (seen.insert(id).second) {
            queue.push_back(id);
        }
        if (c.policy != "DROP") {
            continue;
        }
        if (!c.counter) {
            out.uncounted_policies.push_back(&c);
            continue;
        }
        const auto it = old_policies.find(id);
        const std::uint64_t packets =
            moved(it == old_policies.end() ? 0 : it->second.packets, c.counter->packets);
        if (packets > 0) {
            out.candidates.push_back(
                {true,
                 nullptr,
                 &c,
                 packets,
                 moved(it == old_policies.end() ? 0 : it->second.bytes, c.counter->bytes)});
        }
    }
    while (!queue.empty()) {
        const std::string id = std::move(queue.front());
        queue.pop_front();
        const auto rules = rules_of.find(id);
        if (rules == rules_of.end()) {
            continue;
        }
        for (const FirewallRule* r : rules->second) {
            if (r->verdict == "jump" || r->verdict == "goto") {
                const std::string next = chain_identity(r->world, r->family, r->table, r->target);
                if (seen.insert(next).second) {
                    queue.push_back(next);
                }
                continue;
            }
            if (!r->terminal_drop()) {
                continue;
            }
            if (!r->counter) {
                uncounted.push_back({false, r, nullptr, 0, 0});
                continue;
            }
            const auto it = old_rules.find(rule_identity(*r));
            const PacketCounter old = it == old_rules.end() ? PacketCounter{} : it->second;
            const std::uint64_t packets = moved(old.packets, r->counter->packets);
            if (packets > 0) {
                out.candidates.push_back(
                    {false, r, nullptr, packets, moved(old.bytes, r->counter->bytes)});
            }
        }
    }

    auto world_of = [](const AttributionCandidate& c) {
        return c.rule != nullptr ? c.rule->world : c.chain->world;
    };
    if (out.candidates.size() > 1 && !site.hook.empty()) {
        // The stack tells nf_tables (nft_do_chain) from x_tables; keep that world when it moved.
        std::vector<AttributionCandidate> same_world;
        for (const auto& c : out.candidates) {
            if ((world_of(c) != FirewallWorld::IptablesLegacy) == site.nftables) {
                same_world.push_back(c);
            }
        }
        if (!same_world.empty()) {
            out.candidates = std::move(same_world);
        }
    }
    std::stable_sort(out.candidates.begin(),
                     out.candidates.end(),
                     [](const auto& a, const auto& b) { return a.packets > b.packets; });
    if (out.candidates.size() == 1) {
        out.verdict = Attribution::Verdict::Rule;
    } else if (out.candidates.size() > 1) {
        out.verdict = Attribution::Verdict::Ambiguous;
    } else if (!uncounted.empty()) {
        out.verdict = Attribution::Verdict::Uncounted;
        out.candidates = std::move(uncounted);
    } else if (!out.uncounted_policies.empty()) {
        out.verdict = Attribution::Verdict::Policy;
    }
    return out;
}

std::string describe(const AttributionCandidate& c) {
    if (c.policy) {
        const FirewallChain& ch = *c.chain;
        return "the DROP policy of chain " + ch.name + " in " + std::string(world_name(ch.world)) +
               " table " + ch.family + " " + ch.table + " (+" + std::to_string(c.packets) +
               (c.packets == 1 ? " packet)" : " packets)");
    }
    const FirewallRule& r = *c.rule;
    std::string out = std::string(world_name(r.world)) + " table " + r.family + " " + r.table +
                      ", chain " + r.chain + ", rule " + std::to_string(r.position);
    if (r.world == FirewallWorld::Nftables && r.handle) {
        out += " (handle " + std::to_string(*r.handle) + ")";
    }
    if (!r.text.empty()) {
        out += ": `" + r.text + "`";
    }
    if (r.counter) {
        out += " (+" + std::to_string(c.packets) + (c.packets == 1 ? " packet)" : " packets)");
    }
    return out;
}

std::string show_command(const AttributionCandidate& c) {
    const FirewallWorld world = c.policy ? c.chain->world : c.rule->world;
    const std::string& family = c.policy ? c.chain->family : c.rule->family;
    const std::string& table = c.policy ? c.chain->table : c.rule->table;
    const std::string& chain = c.policy ? c.chain->name : c.rule->chain;
    if (world == FirewallWorld::Nftables) {
        return "nft -a list chain " + family + " " + table + " " + chain;
    }
    return iptables_command(world, family) + table_option(table) + " -nvL " + chain +
           " --line-numbers";
}

std::string delete_command(const AttributionCandidate& c) {
    if (c.policy) {
        const FirewallChain& ch = *c.chain;
        if (ch.world == FirewallWorld::Nftables) {
            return "nft chain " + ch.family + " " + ch.table + " " + ch.name +
                   " '{ policy accept; }'";
        }
        return iptables_command(ch.world, ch.family) + table_option(ch.table) + " -P " + ch.name +
               " ACCEPT";
    }
    const FirewallRule& r = *c.rule;
    if (r.world == FirewallWorld::Nftables && r.handle) {
        return "nft delete rule " + r.family + " " + r.table + " " + r.chain + " handle " +
               std::to_string(*r.handle);
    }
    return iptables_command(r.world, r.family) + table_option(r.table) + " -D " + r.chain + " " +
           std::to_string(r.position);
}

nlohmann::json to_json(const FirewallSnapshot& snapshot) {
    auto counter_json = [](const std::optional<PacketCounter>& c) {
        return c ? nlohmann::json{{"packets", c->packets}, {"bytes", c->bytes}} : nlohmann::json();
    };
    nlohmann::json chains = nlohmann::json::array();
    for (const auto& c : snapshot.chains) {
        nlohmann::json j{{"world", world_name(c.world)},
                         {"family", c.family},
                         {"table", c.table},
                         {"name", c.name}};
        if (!c.hook.empty()) {
            j["hook"] = c.hook;
            j["policy"] = c.policy;
        }
        if (c.priority) {
            j["priority"] = *c.priority;
        }
        if (c.counter) {
            j["counter"] = counter_json(c.counter);
        }
        if (c.handle) {
            j["handle"] = *c.handle;
        }
        chains.push_back(std::move(j));
    }
    nlohmann::json rules = nlohmann::json::array();
    for (const auto& r : snapshot.rules) {
        nlohmann::json j{{"world", world_name(r.world)},
                         {"family", r.family},
                         {"table", r.table},
                         {"chain", r.chain},
                         {"position", r.position},
                         {"verdict", r.verdict},
                         {"counter", counter_json(r.counter)}};
        if (r.handle) {
            j["handle"] = *r.handle;
        }
        if (!r.target.empty()) {
            j["target"] = r.target;
        }
        if (!r.text.empty()) {
            j["text"] = r.text;
        }
        if (!r.comment.empty()) {
            j["comment"] = r.comment;
        }
        rules.push_back(std::move(j));
    }
    return {{"chains", std::move(chains)}, {"rules", std::move(rules)}, {"gaps", snapshot.gaps}};
}

} // namespace netdx::probes

namespace netdx::probes {

std::string summarize(const Attribution& a, const DropSite& site) {
    const std::string hook = site.hook.empty() ? "any" : site.hook;
    switch (a.verdict) {
    case Attribution::Verdict::Rule:
        return describe(a.candidates.front());
    case Attribution::Verdict::Ambiguous: {
        std::string out = std::to_string(a.candidates.size()) +
                          " DROP/REJECT counters moved at the " + hook +
                          " hook (other traffic is being dropped too), largest first: ";
        for (std::size_t i = 0; i < a.candidates.size() && i < 3; ++i) {
            out += (i > 0 ? "; " : "") + describe(a.candidates[i]);
        }
        return out + (a.candidates.size() > 3 ? "; ..." : "");
    }
    case Attribution::Verdict::Uncounted: {
        std::string out = "cannot name the rule: no counter moved, and these DROP/REJECT rules "
                          "reachable from the " +
                          hook + " hook have no counter: ";
        for (std::size_t i = 0; i < a.candidates.size() && i < 3; ++i) {
            out += (i > 0 ? "; " : "") + describe(a.candidates[i]);
        }
        return out + (a.candidates.size() > 3 ? "; ..." : "") +
               " (add `counter` to them, or trace the packet with `nft monitor trace`)";
    }
    case Attribution::Verdict::Policy: {
        const FirewallChain& c = *a.uncounted_policies.front();
        return "no rule counter moved: probably the DROP policy of nftables base chain " +
               c.family + " " + c.table + " " + c.name +
               " (nftables keeps no policy counter; check with `nft list chain " + c.family + " " +
               c.table + " " + c.name + "`)";
    }
    case Attribution::Verdict::Nothing:
        break;
    }
    return "cannot name the rule: no DROP/REJECT rule or DROP policy counter moved at the " + hook +
           " hook since netdx took its snapshot (a rule deleted meanwhile, conntrack dropping "
           "an INVALID packet, or another netfilter hook)";
}

} // namespace netdx::probes
