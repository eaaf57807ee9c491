// SPDX-License-Identifier: GPL-2.0
// The rule engine proper: evaluates each event against the rules that listen to its kind and
// rolls matching events up into findings.
//
// Per event, in this order:
//   1. a matching `suppress` rule marks the event benign: counted, never reported;
//   2. otherwise every matching rule produces (or adds to) a finding;
//   3. `fallback` rules are tried only when no other rule matched.
// Findings roll up by (rule id, the rule's key fields), or by (rule id, message) without a key.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "correlator.h"
#include "event.h"
#include "facts.h"
#include "finding.h"
#include "hash_index.h"
#include "rule.h"

namespace netdx::engine {

class EventView;

class Diagnoser {
public:
    struct Options {
        bool keep_going = false;      // --diag-keep: do not stop at the first ERROR
        std::size_t max_evidence = 5; // events kept per finding
        FactSource* facts = nullptr;  // where fact.* fields come from; null: no facts
        // Distinct findings kept, so that memory stays bounded over hours (a scan of a
        // thousand ports is a thousand no-listener findings); later new ones are only counted.
        std::size_t max_findings = 10000;
    };
    struct Stats {
        std::uint64_t events = 0;     // events evaluated
        std::uint64_t explained = 0;  // events that produced or added to a finding
        std::uint64_t suppressed = 0; // benign events
        std::uint64_t over_cap = 0;   // events of new findings not kept (max_findings reached)
    };

    // `rules` must outlive the diagnoser (or the next reload).
    Diagnoser(const RuleSet& rules, Options options);

    // Evaluates later events with `rules` (SIGHUP): findings, correlation and benign counts
    // stay. The previous rules may be freed once this returns.
    void reload(const RuleSet& rules);

    // What an event did to the findings, for reporters that print as things happen.
    struct Change {
        std::size_t index; // into findings()
        bool escalated;    // false: a new finding; true: an existing one rose in level
    };

    // Evaluates one event. The reference is valid until the next call.
    const std::vector<Change>& process(const Event& ev);

    // True once an ERROR finding exists, unless keep_going.
    bool should_stop() const { return saw_error_ && !options_.keep_going; }
    const std::vector<Finding>& findings() const { return findings_; }
    std::optional<Level> worst_level() const;
    const Stats& stats() const { return stats_; }
    // Benign events per suppress rule id, in rule order, only rules that matched.
    std::vector<std::pair<std::string, std::uint64_t>> suppressed_by_rule() const;

private:
    struct RuleLists {
        std::vector<const Rule*> suppress;
        std::vector<const Rule*> primary;
        std::vector<const Rule*> fallback;
    };
    // The rules of one event kind. Most rules test one drop reason (or a few), so they are also
    // listed by the reason they need: an event is evaluated against the rules of its reason plus
    // those that accept any reason, in rule order, not against every rule of its kind.
    struct KindIndex {
        RuleLists any_reason;
        std::unordered_map<std::string_view, RuleLists> by_reason; // keys in reason_names_
    };
    const RuleLists& rules_for(const Event& ev, const EventView& view) const;
    void index_rules(const RuleSet& rules);

    void record(const Rule& rule, const EventView& view);
    void escalate(const Rule& rule, std::size_t index);
    // The roll-up key of `rule` for this event, valid until the next call.
    std::string_view build_rollup_key(const Rule& rule, const EventView& view);

    Options options_;
    const DropReasonBook* reasons_ = nullptr; // the rule set's, for reason.* fields
    std::uint32_t reason_field_ = 0;
    Correlator correlator_;
    std::deque<std::string> reason_names_; // a deque never moves them
    std::array<KindIndex, event_kind_count> index_;
    std::vector<Finding> findings_;
    HashIndex by_key_;                                      // roll-up key -> index in findings_
    std::vector<std::string> finding_keys_;                 // the roll-up key of each finding
    std::vector<char> key_buffer_ = std::vector<char>(256); // reused: no allocation per event
    std::string key_text_;                                  // keys of rules without `key`
    std::vector<const Rule*> matched_;                      // reused per event
    std::vector<Change> changes_;                           // reused per event
    std::vector<std::pair<const Rule*, std::uint64_t>> suppressed_;         // per suppress rule
    std::vector<std::pair<std::string, std::uint64_t>> retired_suppressed_; // rules reloaded away
    Stats stats_;
    bool saw_error_ = false;
};

} // namespace netdx::engine
