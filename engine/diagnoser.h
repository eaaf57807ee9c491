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
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "event.h"
#include "finding.h"
#include "rule.h"

namespace netdx::engine {

class EventView;

class Diagnoser {
public:
    struct Options {
        bool keep_going = false;      // --diag-keep: do not stop at the first ERROR
        std::size_t max_evidence = 5; // events kept per finding
    };
    struct Stats {
        std::uint64_t events = 0;     // events evaluated
        std::uint64_t explained = 0;  // events that produced or added to a finding
        std::uint64_t suppressed = 0; // benign events
    };

    Diagnoser(const RuleSet& rules, Options options);

    // Evaluates one event. Returns the indices (into findings()) of findings this event created;
    // the reference is valid until the next call.
    const std::vector<std::size_t>& process(const Event& ev);

    // True once an ERROR finding exists, unless keep_going.
    bool should_stop() const { return saw_error_ && !options_.keep_going; }
    const std::vector<Finding>& findings() const { return findings_; }
    std::optional<Level> worst_level() const;
    const Stats& stats() const { return stats_; }

private:
    struct KindIndex {
        std::vector<const Rule*> suppress;
        std::vector<const Rule*> primary;
        std::vector<const Rule*> fallback;
    };

    void record(const Rule& rule, const EventView& view);
    std::string rollup_key(const Rule& rule, const EventView& view) const;

    Options options_;
    std::array<KindIndex, event_kind_count> index_;
    std::vector<Finding> findings_;
    std::unordered_map<std::string, std::size_t> by_key_;
    std::vector<const Rule*> matched_; // reused per event
    std::vector<std::size_t> created_; // reused per event
    Stats stats_;
    bool saw_error_ = false;
};

} // namespace netdx::engine
