// SPDX-License-Identifier: GPL-2.0
// A compiled rule: what the loader produces from knowledge/*.yaml and the evaluator runs.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "condition/condition.h"
#include "diagnostic.h"
#include "event.h"
#include "template.h"

namespace netdx::engine {

enum class Level : std::uint8_t { Info, Warn, Error };

std::string_view level_name(Level level); // "INFO", "WARN", "ERROR"
std::optional<Level> parse_level(std::string_view text);

// The stable finding categories of design.md section 6. Reports and tests key on these.
std::span<const std::string_view> finding_categories();
bool is_finding_category(std::string_view name);

enum class AdviceKind : std::uint8_t { Check, Change }; // read-only check, or a change to make
std::string_view advice_kind_name(AdviceKind kind);     // "check", "change"

struct AdviceTemplate {
    AdviceKind kind = AdviceKind::Check;
    Template text;
};

using EventKindSet = std::bitset<event_kind_count>;

struct Finding;

// Raise a finding's level once it is frequent or lasting enough. Every threshold the step gives
// must be reached: {count: 3, level: ERROR} after three events, {rate_per_s: 10, after_s: 30,
// level: ERROR} for a stream of at least 10 per second lasting 30 seconds.
struct Escalation {
    Level level = Level::Error;
    std::optional<double> rate_per_s;
    std::optional<std::uint64_t> count;
    std::optional<double> after_s;

    bool reached(const Finding& finding) const;
    std::string describe() const; // "3 events", "10/s for 30 s", ...
};

struct Rule {
    std::string id;
    std::string category;
    Level level = Level::Info;
    EventKindSet kinds;
    condition::Condition condition;
    std::optional<Template> message; // absent only for suppress rules
    std::vector<AdviceTemplate> advice;
    std::vector<std::string> tags;
    std::vector<std::uint32_t> key_fields; // roll-up key; empty = the rendered message
    std::vector<Escalation> escalations;   // ascending by level
    std::string description;
    // Benign noise: a matching event is explained, counted, and never reported.
    bool suppress = false;
    // Only fires for events that no other (non-fallback) rule matched.
    bool fallback = false;
    bool enabled = true;                  // disabled rules are listed, never run
    SourceLoc origin;                     // where the rule was defined
    std::vector<SourceLoc> overridden_at; // later entries that changed it, in order
};

struct RuleSet {
    std::vector<Rule> rules;
    std::vector<std::string> files; // every file loaded, in order

    // The event kinds at least one enabled rule listens to: probes attach only these.
    EventKindSet kinds_needed() const;
    const Rule* find(std::string_view id) const;
};

} // namespace netdx::engine
