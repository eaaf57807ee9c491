// SPDX-License-Identifier: GPL-2.0
// A compiled rule: what the loader produces from knowledge/*.yaml and the evaluator runs.
#pragma once

#include <bitset>
#include <cstdint>
#include <map>
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
    // `- from: drop-reason`: the checks and remediation of the event's drop reason go here.
    bool from_drop_reason = false;
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

// What one kernel drop reason (enum skb_drop_reason, keyed by name) means to an operator.
struct DropReason {
    std::string name; // without SKB_DROP_REASON_ (CONSUMED, NOT_SPECIFIED, ...)
    std::string subsystem;
    std::string since;                 // first release with this name, "5.17"
    std::string removed_in;            // empty: still in current kernels
    std::vector<std::string> formerly; // older names of the same reason
    std::string summary;               // one line
    std::string explanation;
    std::vector<std::string> causes;
    std::vector<Template> checks;              // read-only
    std::vector<Template> remediation;         // changes
    Level level = Level::Warn;                 // of a kernel-drop finding for it
    std::string benign_when;                   // empty: never benign
    std::vector<std::string> benign_locations; // empty with benign_when: benign everywhere
    SourceLoc origin;

    bool benign_at(std::string_view location) const;
};

// "skb_drop_reason_no_socket", "SKB_DROP_REASON_NO_SOCKET", "no_socket" -> "NO_SOCKET";
// "SKB_CONSUMED" -> "CONSUMED".
std::string canonical_reason_name(std::string_view name);

// The drop-reason entries, found by current or former name in any spelling.
class DropReasonBook {
public:
    void add(DropReason reason); // the caller has checked the names are new
    const DropReason* find(std::string_view name) const;
    const std::vector<DropReason>& entries() const { return entries_; }
    bool empty() const { return entries_.empty(); }

private:
    std::vector<DropReason> entries_;
    std::map<std::string, std::size_t, std::less<>> by_name_;
};

struct RuleSet {
    std::vector<Rule> rules;
    DropReasonBook reasons;
    std::vector<std::string> files; // every file loaded, in order

    // The event kinds at least one enabled rule listens to: probes attach only these.
    EventKindSet kinds_needed() const;
    const Rule* find(std::string_view id) const;
};

} // namespace netdx::engine
