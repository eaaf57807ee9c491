// SPDX-License-Identifier: GPL-2.0
#include "firewall_reader.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <tuple>
#include <vector>

#include <endian.h>
#include <libmnl/libmnl.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>

#include "clock.h"
#include "mnl_dump.h"

namespace netdx::probes {
namespace {

constexpr std::size_t recv_buffer_size = 128 * 1024;
constexpr int dump_attempts = 3;

std::string family_name(std::uint32_t family) {
    switch (family) {
    case NFPROTO_INET:
        return "inet";
    case NFPROTO_IPV4:
        return "ip";
    case NFPROTO_ARP:
        return "arp";
    case NFPROTO_NETDEV:
        return "netdev";
    case NFPROTO_BRIDGE:
        return "bridge";
    case NFPROTO_IPV6:
        return "ip6";
    default:
        return "family" + std::to_string(family);
    }
}

// Hook numbers per family, named as iptables names the built-in chains.
std::string hook_name(std::uint32_t family, std::uint32_t hook) {
    if (family == NFPROTO_NETDEV) {
        return hook == 0 ? "INGRESS" : hook == 1 ? "EGRESS" : "HOOK" + std::to_string(hook);
    }
    if (family == NFPROTO_ARP) {
        static const char* const arp[] = {"INPUT", "OUTPUT", "FORWARD"};
        return hook < 3 ? arp[hook] : "HOOK" + std::to_string(hook);
    }
    static const char* const inet[] = {
        "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING", "INGRESS"};
    return hook < 6 ? inet[hook] : "HOOK" + std::to_string(hook);
}

std::string verdict_name(std::int32_t code) {
    switch (code) {
    case NF_DROP:
        return "drop";
    case NF_ACCEPT:
        return "accept";
    case NF_QUEUE:
        return "queue";
    case NFT_JUMP:
        return "jump";
    case NFT_GOTO:
        return "goto";
    case NFT_RETURN:
        return "return";
    default:
        return ""; // continue, break
    }
}

std::string target_verdict(std::string_view target) {
    return target == "REJECT" ? "reject" : target == "DROP" ? "drop" : "";
}

// The nf_tables messages are parsed here with libmnl rather than libnftnl: libnftnl trusts the
// kernel and exit()s or reads through bad pointers on a malformed message.

// Every attribute of a nest (or of the message), indexed by type; false when any is malformed.
template <std::size_t N>
bool attrs_of(const void* payload, std::size_t len, std::array<const nlattr*, N>& out) {
    out.fill(nullptr);
    const auto* at = static_cast<const char*>(payload);
    const char* end = at + len;
    const auto* attr = reinterpret_cast<const nlattr*>(at);
    while (end - reinterpret_cast<const char*>(attr) >=
           static_cast<std::ptrdiff_t>(sizeof(nlattr))) {
        if (!mnl_attr_ok(attr, static_cast<int>(end - reinterpret_cast<const char*>(attr)))) {
            return false;
        }
        const std::uint16_t type = mnl_attr_get_type(attr);
        if (type < N) {
            out[type] = attr;
        }
        attr = mnl_attr_next(attr);
    }
    return true;
}

template <std::size_t N>
bool nested(const nlattr* attr, std::array<const nlattr*, N>& out) {
    return attr != nullptr &&
           attrs_of(mnl_attr_get_payload(attr), mnl_attr_get_payload_len(attr), out);
}

std::optional<std::string> str_attr(const nlattr* attr) {
    if (attr == nullptr || mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0) {
        return std::nullopt;
    }
    return std::string(mnl_attr_get_str(attr));
}

std::optional<std::uint32_t> u32_attr(const nlattr* attr) {
    if (attr == nullptr || mnl_attr_validate(attr, MNL_TYPE_U32) < 0) {
        return std::nullopt;
    }
    return be32toh(mnl_attr_get_u32(attr));
}

std::optional<std::uint64_t> u64_attr(const nlattr* attr) {
    if (attr == nullptr || mnl_attr_validate(attr, MNL_TYPE_U64) < 0) {
        return std::nullopt;
    }
    return be64toh(mnl_attr_get_u64(attr));
}

std::optional<PacketCounter> counter_of(const nlattr* nest) {
    std::array<const nlattr*, NFTA_COUNTER_MAX + 1> tb{};
    if (!nested(nest, tb)) {
        return std::nullopt;
    }
    auto packets = u64_attr(tb[NFTA_COUNTER_PACKETS]);
    auto bytes = u64_attr(tb[NFTA_COUNTER_BYTES]);
    if (!packets || !bytes) {
        return std::nullopt;
    }
    return PacketCounter{*packets, *bytes};
}

Error malformed(const char* what, const char* detail) {
    return make_error(ErrorKind::Io,
                      std::string("a malformed nf_tables ") + what + " message: " + detail);
}

// The comment of a rule: NFTNL_UDATA_RULE_COMMENT (type 0) in the user data TLVs nft writes.
std::string comment_of(const nlattr* attr) {
    if (attr == nullptr) {
        return {};
    }
    const auto* data = static_cast<const std::uint8_t*>(mnl_attr_get_payload(attr));
    std::size_t len = mnl_attr_get_payload_len(attr);
    while (len >= 2) {
        const std::uint8_t type = data[0];
        const std::uint8_t size = data[1];
        if (std::size_t{size} + 2 > len) {
            break;
        }
        if (type == 0 && size > 0) {
            const auto* text = reinterpret_cast<const char*>(data + 2);
            return std::string(text, ::strnlen(text, size));
        }
        data += 2 + size;
        len -= 2 + std::size_t{size};
    }
    return {};
}

// Sets rule.verdict (and target) from one expression; counters fill rule.counter.
Result<void> apply_expr(const nlattr* elem, FirewallRule& rule) {
    std::array<const nlattr*, NFTA_EXPR_MAX + 1> tb{};
    if (mnl_attr_get_type(elem) != NFTA_LIST_ELEM || !nested(elem, tb)) {
        return malformed("rule", "an expression that is not a list element");
    }
    const auto name = str_attr(tb[NFTA_EXPR_NAME]);
    if (!name) {
        return malformed("rule", "an expression without a name");
    }
    if (*name == "counter") {
        if (!rule.counter) {
            rule.counter = counter_of(tb[NFTA_EXPR_DATA]);
            if (!rule.counter) {
                return malformed("rule", "a counter without packets and bytes");
            }
        }
    } else if (*name == "immediate") {
        std::array<const nlattr*, NFTA_IMMEDIATE_MAX + 1> imm{};
        std::array<const nlattr*, NFTA_DATA_MAX + 1> data{};
        std::array<const nlattr*, NFTA_VERDICT_MAX + 1> verdict{};
        if (!nested(tb[NFTA_EXPR_DATA], imm)) {
            return malformed("rule", "an immediate without data");
        }
        if (!nested(imm[NFTA_IMMEDIATE_DATA], data) || data[NFTA_DATA_VERDICT] == nullptr) {
            return {}; // loads a value into a register, not a verdict
        }
        const auto code = nested(data[NFTA_DATA_VERDICT], verdict)
                              ? u32_attr(verdict[NFTA_VERDICT_CODE])
                              : std::nullopt;
        if (!code) {
            return malformed("rule", "a verdict without a code");
        }
        if (std::string v = verdict_name(static_cast<std::int32_t>(*code)); !v.empty()) {
            rule.verdict = std::move(v);
            rule.target = str_attr(verdict[NFTA_VERDICT_CHAIN]).value_or("");
        }
    } else if (*name == "reject") {
        rule.verdict = "reject";
    } else if (*name == "queue") {
        rule.verdict = "queue";
    } else if (*name == "target") {
        std::array<const nlattr*, NFTA_TARGET_MAX + 1> tg{};
        if (nested(tb[NFTA_EXPR_DATA], tg)) {
            if (std::string v = target_verdict(str_attr(tg[NFTA_TARGET_NAME]).value_or(""));
                !v.empty()) {
                rule.verdict = std::move(v);
            }
        }
    }
    return {};
}

Result<void> parse_rule(const nlmsghdr* nlh, FirewallSnapshot& out) {
    std::array<const nlattr*, NFTA_RULE_MAX + 1> tb{};
    if (!attrs_of(mnl_nlmsg_get_payload_offset(nlh, sizeof(nfgenmsg)),
                  mnl_nlmsg_get_payload_len(nlh) - sizeof(nfgenmsg),
                  tb)) {
        return malformed("rule", "an attribute runs past the message");
    }
    const auto* gen = static_cast<const nfgenmsg*>(mnl_nlmsg_get_payload(nlh));
    FirewallRule rule;
    rule.world = FirewallWorld::Nftables;
    rule.family = family_name(gen->nfgen_family);
    auto table = str_attr(tb[NFTA_RULE_TABLE]);
    auto chain = str_attr(tb[NFTA_RULE_CHAIN]);
    if (!table || !chain) {
        return malformed("rule", "no table or chain name");
    }
    rule.table = std::move(*table);
    rule.chain = std::move(*chain);
    if (tb[NFTA_RULE_HANDLE] != nullptr) {
        rule.handle = u64_attr(tb[NFTA_RULE_HANDLE]);
        if (!rule.handle) {
            return malformed("rule", "a handle that is not 64 bits");
        }
    }
    rule.comment = comment_of(tb[NFTA_RULE_USERDATA]);
    if (const nlattr* list = tb[NFTA_RULE_EXPRESSIONS]) {
        const auto* payload = static_cast<const char*>(mnl_attr_get_payload(list));
        const char* end = payload + mnl_attr_get_payload_len(list);
        const auto* elem = reinterpret_cast<const nlattr*>(payload);
        while (end - reinterpret_cast<const char*>(elem) >=
               static_cast<std::ptrdiff_t>(sizeof(nlattr))) {
            if (!mnl_attr_ok(elem, static_cast<int>(end - reinterpret_cast<const char*>(elem)))) {
                return malformed("rule", "an expression runs past its list");
            }
            if (auto r = apply_expr(elem, rule); !r) {
                return r;
            }
            elem = mnl_attr_next(elem);
        }
    }
    // A dump lists each chain's rules together and in order, so the position follows the
    // previous rule's when both are in the same chain.
    rule.position = 1;
    if (!out.rules.empty()) {
        const FirewallRule& last = out.rules.back();
        if (last.world != FirewallWorld::IptablesLegacy && last.chain == rule.chain &&
            last.table == rule.table && last.family == rule.family) {
            rule.position = last.position + 1;
        }
    }
    out.rules.push_back(std::move(rule));
    return {};
}

Result<void> parse_chain(const nlmsghdr* nlh, FirewallSnapshot& out) {
    std::array<const nlattr*, NFTA_CHAIN_MAX + 1> tb{};
    if (!attrs_of(mnl_nlmsg_get_payload_offset(nlh, sizeof(nfgenmsg)),
                  mnl_nlmsg_get_payload_len(nlh) - sizeof(nfgenmsg),
                  tb)) {
        return malformed("chain", "an attribute runs past the message");
    }
    const auto* gen = static_cast<const nfgenmsg*>(mnl_nlmsg_get_payload(nlh));
    FirewallChain chain;
    chain.world = FirewallWorld::Nftables;
    chain.family = family_name(gen->nfgen_family);
    auto table = str_attr(tb[NFTA_CHAIN_TABLE]);
    auto name = str_attr(tb[NFTA_CHAIN_NAME]);
    if (!table || !name) {
        return malformed("chain", "no table or chain name");
    }
    chain.table = std::move(*table);
    chain.name = std::move(*name);
    chain.handle = u64_attr(tb[NFTA_CHAIN_HANDLE]);
    if (tb[NFTA_CHAIN_HOOK] != nullptr) {
        std::array<const nlattr*, NFTA_HOOK_MAX + 1> hook{};
        const auto number =
            nested(tb[NFTA_CHAIN_HOOK], hook) ? u32_attr(hook[NFTA_HOOK_HOOKNUM]) : std::nullopt;
        if (!number) {
            return malformed("chain", "a hook without a number");
        }
        chain.hook = hook_name(gen->nfgen_family, *number);
        if (auto prio = u32_attr(hook[NFTA_HOOK_PRIORITY])) {
            chain.priority = static_cast<std::int32_t>(*prio);
        }
        chain.policy =
            u32_attr(tb[NFTA_CHAIN_POLICY]).value_or(NF_ACCEPT) == NF_DROP ? "DROP" : "ACCEPT";
        if (tb[NFTA_CHAIN_COUNTERS] != nullptr) {
            chain.counter = counter_of(tb[NFTA_CHAIN_COUNTERS]);
        }
    }
    out.chains.push_back(std::move(chain));
    return {};
}

Result<FirewallSnapshot> read_nf_tables() {
    std::vector<char> buf(recv_buffer_size);
    nfgenmsg any_family{};
    any_family.nfgen_family = NFPROTO_UNSPEC;
    any_family.version = NFNETLINK_V0;
    const auto header = std::as_bytes(std::span(&any_family, 1));
    for (int attempt = 1;; ++attempt) {
        FirewallSnapshot snap;
        MnlSocket sock(NETLINK_NETFILTER);
        if (auto bound = sock.bind("netfilter netlink"); !bound) {
            return bound.error();
        }
        const MessageParser parse = [&snap](std::span<const std::byte> msg) {
            return parse_nft_message(msg, snap);
        };
        auto type = [](std::uint16_t msg) {
            return static_cast<std::uint16_t>((NFNL_SUBSYS_NFTABLES << 8) | msg);
        };
        const DumpCall calls[] = {{type(NFT_MSG_GETCHAIN), header, "nf_tables chains"},
                                  {type(NFT_MSG_GETRULE), header, "nf_tables rules"}};
        std::uint32_t seq = static_cast<std::uint32_t>(wall_clock_ns() / 1000);
        auto status = dump_all(sock.get(), calls, seq, buf, parse);
        if (!status) {
            return status.error();
        }
        if (*status == DumpStatus::Done) {
            return snap;
        }
        if (attempt == dump_attempts) {
            return make_error(ErrorKind::Environment,
                              "the nf_tables ruleset kept changing during " +
                                  std::to_string(dump_attempts) + " dumps");
        }
    }
}

bool file_has_content(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    return in && std::getline(in, line) && !line.empty();
}

void read_legacy(const FirewallReadOptions& options,
                 const std::string& names_file,
                 const std::string& tool,
                 std::string_view family,
                 FirewallSnapshot& out) {
    if (!file_has_content(options.proc_net + "/" + names_file)) {
        return; // no legacy table of this family in this namespace
    }
    auto run = run_capture({tool, "-c"}, options.limits);
    if (!run) {
        out.gaps.push_back(tool + ": " + run.error().describe());
        return;
    }
    if (run->exit_code != 0) {
        out.gaps.push_back(tool + " -c exited with " + std::to_string(run->exit_code) + ": " +
                           run->err.substr(0, 200));
        return;
    }
    // Parsed aside so that a garbled dump adds nothing but its gap.
    FirewallSnapshot legacy;
    if (auto r = parse_iptables_save(run->out, FirewallWorld::IptablesLegacy, family, legacy); !r) {
        out.gaps.push_back(tool + ": " + r.error().describe());
        return;
    }
    std::move(legacy.chains.begin(), legacy.chains.end(), std::back_inserter(out.chains));
    std::move(legacy.rules.begin(), legacy.rules.end(), std::back_inserter(out.rules));
}

} // namespace

Result<void> parse_nft_message(std::span<const std::byte> msg, FirewallSnapshot& out) {
    if (msg.size() < sizeof(nlmsghdr)) {
        return make_error(ErrorKind::Io, "an nf_tables message shorter than its header");
    }
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(msg.data());
    if (nlh->nlmsg_len < sizeof(nlmsghdr) + sizeof(nfgenmsg) || nlh->nlmsg_len > msg.size()) {
        return make_error(ErrorKind::Io,
                          "an nf_tables message whose length (" + std::to_string(nlh->nlmsg_len) +
                              ") does not fit its buffer (" + std::to_string(msg.size()) + ")");
    }
    if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES) {
        return {};
    }
    switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
    case NFT_MSG_NEWRULE:
        return parse_rule(nlh, out);
    case NFT_MSG_NEWCHAIN:
        return parse_chain(nlh, out);
    default:
        return {};
    }
}

FirewallSnapshot read_firewall(const FirewallReadOptions& options) {
    FirewallSnapshot out;
    out.started_unix_ns = wall_clock_ns();
    if (auto nft = read_nf_tables(); nft) {
        out.chains = std::move(nft->chains);
        out.rules = std::move(nft->rules);
    } else {
        out.gaps.push_back("nf_tables: " + nft.error().describe());
    }
    // Tables iptables-nft made are nf_tables too; tag them so the report speaks iptables.
    std::set<std::pair<std::string, std::string>> iptables_tables;
    for (const auto& c : out.chains) {
        if (looks_like_iptables_nft(out, c.family, c.table)) {
            iptables_tables.insert({c.family, c.table});
        }
    }
    for (auto& c : out.chains) {
        if (iptables_tables.contains({c.family, c.table})) {
            c.world = FirewallWorld::IptablesNft;
        }
    }
    for (auto& r : out.rules) {
        if (iptables_tables.contains({r.family, r.table})) {
            r.world = FirewallWorld::IptablesNft;
        }
    }
    read_legacy(options, "ip_tables_names", "iptables-legacy-save", "ip", out);
    read_legacy(options, "ip6_tables_names", "ip6tables-legacy-save", "ip6", out);
    if (options.rule_texts) {
        std::set<std::pair<std::string, std::string>> tables;
        for (const auto& r : out.rules) {
            if (r.world != FirewallWorld::IptablesLegacy) {
                tables.insert({r.family, r.table});
            }
        }
        for (const auto& [family, table] : tables) {
            read_rule_texts(out, family, table, options.limits);
        }
    }
    out.finished_unix_ns = wall_clock_ns();
    return out;
}

void read_rule_texts(FirewallSnapshot& snapshot,
                     std::string_view family,
                     std::string_view table,
                     const RunLimits& limits) {
    bool iptables = false;
    bool native = false;
    for (const auto& r : snapshot.rules) {
        if (r.family == family && r.table == table) {
            iptables = iptables || r.world == FirewallWorld::IptablesNft;
            native = native || r.world == FirewallWorld::Nftables;
        }
    }
    const std::string fam(family);
    const std::string tab(table);
    if (iptables) {
        const std::string tool = family == "ip6" ? "ip6tables-nft-save" : "iptables-nft-save";
        auto run = run_capture({tool, "-t", tab}, limits);
        if (!run || run->exit_code != 0) {
            snapshot.gaps.push_back(tool + " -t " + tab + ": " +
                                    (run ? run->err.substr(0, 200) : run.error().describe()));
        } else if (auto r = apply_iptables_nft_texts(run->out, family, snapshot); !r) {
            snapshot.gaps.push_back(tool + ": " + r.error().describe());
        }
    }
    if (native) {
        auto run = run_capture({"nft", "-a", "list", "table", fam, tab}, limits);
        if (!run || run->exit_code != 0) {
            snapshot.gaps.push_back("nft -a list table " + fam + " " + tab + ": " +
                                    (run ? run->err.substr(0, 200) : run.error().describe()));
        } else {
            apply_nft_rule_texts(run->out, snapshot);
        }
    }
}

} // namespace netdx::probes
