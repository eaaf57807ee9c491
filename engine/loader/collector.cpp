// SPDX-License-Identifier: GPL-2.0
#include "collector.h"

#include <algorithm>
#include <array>
#include <map>
#include <string_view>

namespace netdx::engine::loader {
namespace {

// Which actions each key of a rule accepts in an override.
struct OverridableKey {
    std::string_view name;
    bool append;
};
constexpr std::array<OverridableKey, 13> rule_override_keys = {{
    {"condition", true},
    {"advice", true},
    {"tags", true},
    {"events", true},
    {"escalate", true},
    {"key", false},
    {"message", false},
    {"description", false},
    {"level", false},
    {"category", false},
    {"enabled", false},
    {"suppress", false},
    {"fallback", false},
}};

std::string where(const SourceLoc& loc) {
    return loc.file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.col);
}

Diagnostic&
report_at(Diagnostics& diags, const DiagCode& code, std::string message, const ScalarText& at) {
    Diagnostic& d = diags.add(code, std::move(message));
    locate(d, at, 0, at.value.size());
    return d;
}

template <class T>
void merge_list(std::optional<std::vector<T>>& into,
                std::optional<std::vector<T>>&& from,
                OverrideAction action) {
    if (action == OverrideAction::Replace || !into) {
        into = std::move(from);
    } else {
        into->insert(into->end(),
                     std::make_move_iterator(from->begin()),
                     std::make_move_iterator(from->end()));
    }
}

// Applies one rule override to the earlier definition; false if the override is malformed.
bool apply_rule_override(RuleSpec& base, RuleSpec&& patch, Diagnostics& diags) {
    bool ok = true;
    for (auto& [key, action] : patch.override.keys) {
        auto known = std::find_if(rule_override_keys.begin(),
                                  rule_override_keys.end(),
                                  [&name = key.value](const auto& k) { return k.name == name; });
        if (known == rule_override_keys.end()) {
            report_at(diags, diag::bad_override, "'" + key.value + "' cannot be overridden", key)
                .hints.push_back("overridable keys: condition, advice, tags, events, escalate, "
                                 "key, message, description, level, category, enabled, "
                                 "suppress, fallback");
            ok = false;
            continue;
        }
        if (action == OverrideAction::Append && !known->append) {
            report_at(diags, diag::bad_override, "'" + key.value + "' can only be replaced", key);
            ok = false;
            continue;
        }
        if (std::find(patch.keys_given.begin(), patch.keys_given.end(), key.value) ==
            patch.keys_given.end()) {
            report_at(diags,
                      diag::bad_override,
                      "the override says how to change '" + key.value +
                          "' but the entry gives no '" + key.value + "'",
                      key);
            ok = false;
        }
    }
    if (!ok) {
        return false;
    }
    for (auto& [key, action] : patch.override.keys) {
        const std::string& k = key.value;
        if (k == "condition") {
            if (action == OverrideAction::Replace) {
                base.condition.clear();
            }
            base.condition.insert(
                base.condition.end(), patch.condition.begin(), patch.condition.end());
        } else if (k == "advice") {
            merge_list(base.advice, std::move(patch.advice), action);
        } else if (k == "tags") {
            merge_list(base.tags, std::move(patch.tags), action);
        } else if (k == "events") {
            merge_list(base.events, std::move(patch.events), action);
        } else if (k == "escalate") {
            merge_list(base.escalate, std::move(patch.escalate), action);
        } else if (k == "key") {
            base.key = std::move(patch.key);
        } else if (k == "message") {
            base.message = std::move(patch.message);
        } else if (k == "description") {
            base.description = std::move(patch.description);
        } else if (k == "level") {
            base.level = std::move(patch.level);
        } else if (k == "category") {
            base.category = std::move(patch.category);
        } else if (k == "enabled") {
            base.enabled = patch.enabled;
        } else if (k == "suppress") {
            base.suppress = patch.suppress;
        } else if (k == "fallback") {
            base.fallback = patch.fallback;
        }
    }
    return true;
}

// An entry that only gives `id` and `enabled` switches an existing rule on or off.
bool is_enable_toggle(const RuleSpec& spec) {
    return !spec.override.present() && spec.enabled.has_value() && spec.keys_given.size() == 2;
}

// What an entry's name resolves to among the entries collected so far.
struct Resolution {
    bool accepted = false;               // false: reported as a duplicate or a missing target
    std::optional<std::size_t> existing; // the entry an override changes
};

class Collector {
public:
    explicit Collector(Diagnostics& diags) : diags_(diags) {}

    void add_rule(const RuleSpec& spec);
    void add_list(const ListSpec& spec);
    void add_macro(const MacroSpec& spec);
    Collected take() { return std::move(out_); }

private:
    template <class Spec>
    Resolution resolve(std::map<std::string, std::size_t>& index,
                       const std::vector<Spec>& entries,
                       const ScalarText& name,
                       bool is_override,
                       const char* what);

    Diagnostics& diags_;
    Collected out_;
    std::map<std::string, std::size_t> rule_index_;
    std::map<std::string, std::size_t> list_index_;
    std::map<std::string, std::size_t> macro_index_;
};

template <class Spec>
Resolution Collector::resolve(std::map<std::string, std::size_t>& index,
                              const std::vector<Spec>& entries,
                              const ScalarText& name,
                              bool is_override,
                              const char* what) {
    auto it = index.find(name.value);
    if (is_override && it == index.end()) {
        report_at(diags_,
                  diag::override_missing,
                  std::string("override of ") + what + " '" + name.value +
                      "', which no earlier file defines",
                  name)
            .hints.push_back("check the name, and that the file defining it loads first");
        return {};
    }
    if (is_override) {
        return {true, it->second};
    }
    if (it != index.end()) {
        report_at(diags_,
                  diag::duplicate_id,
                  std::string(what) + " '" + name.value + "' is already defined",
                  name)
            .hints.push_back("first defined at " + where(entries[it->second].loc) +
                             "; to change it, add 'override:' saying how, e.g. "
                             "override: {condition: append}");
        return {};
    }
    index.emplace(name.value, entries.size());
    return {true, std::nullopt};
}

void Collector::add_rule(const RuleSpec& spec) {
    if (spec.id.value.empty()) {
        out_.rules.push_back(spec); // the compiler reports the missing id
        return;
    }
    bool toggle = is_enable_toggle(spec);
    auto r = resolve(rule_index_, out_.rules, spec.id, spec.override.present() || toggle, "rule");
    if (!r.accepted) {
        return;
    }
    if (!r.existing) {
        out_.rules.push_back(spec);
        return;
    }
    RuleSpec patch = spec;
    if (toggle) {
        // `- id: x` + `enabled: false` is shorthand for override: {enabled: replace}.
        ScalarText key = spec.id;
        key.value = "enabled";
        patch.override.keys.emplace_back(std::move(key), OverrideAction::Replace);
    }
    RuleSpec& base = out_.rules[*r.existing];
    if (apply_rule_override(base, std::move(patch), diags_)) {
        base.overridden_at.push_back(spec.loc);
    }
}

void Collector::add_list(const ListSpec& spec) {
    if (spec.name.value.empty()) {
        return;
    }
    auto r = resolve(list_index_, out_.lists, spec.name, spec.override.present(), "list");
    if (!r.accepted) {
        return;
    }
    if (!r.existing) {
        out_.lists.push_back(spec);
        return;
    }
    ListSpec& base = out_.lists[*r.existing];
    for (const auto& [key, action] : spec.override.keys) {
        if (key.value != "items" || !spec.items) {
            report_at(diags_,
                      diag::bad_override,
                      key.value == "items" ? "the override changes 'items' but gives none"
                                           : "only 'items' of a list can be overridden",
                      key);
            return;
        }
        auto items = spec.items;
        merge_list(base.items, std::move(items), action);
    }
    base.overridden_at.push_back(spec.loc);
}

void Collector::add_macro(const MacroSpec& spec) {
    if (spec.name.value.empty()) {
        return;
    }
    auto r = resolve(macro_index_, out_.macros, spec.name, spec.override.present(), "macro");
    if (!r.accepted) {
        return;
    }
    if (!r.existing) {
        out_.macros.push_back(spec);
        return;
    }
    MacroSpec& base = out_.macros[*r.existing];
    for (const auto& [key, action] : spec.override.keys) {
        if (key.value != "condition" || spec.condition.empty()) {
            report_at(diags_,
                      diag::bad_override,
                      key.value == "condition" ? "the override changes 'condition' but gives none"
                                               : "only 'condition' of a macro can be overridden",
                      key);
            return;
        }
        if (action == OverrideAction::Replace) {
            base.condition.clear();
        }
        base.condition.insert(base.condition.end(), spec.condition.begin(), spec.condition.end());
    }
    base.overridden_at.push_back(spec.loc);
}

} // namespace

Collected collect(const std::vector<FileSpec>& files, Diagnostics& diags) {
    Collector collector(diags);
    // Lists and macros first: a rule may use a list that a later file defines.
    for (const auto& file : files) {
        for (const auto& list : file.lists) {
            collector.add_list(list);
        }
        for (const auto& macro : file.macros) {
            collector.add_macro(macro);
        }
    }
    for (const auto& file : files) {
        for (const auto& rule : file.rules) {
            collector.add_rule(rule);
        }
    }
    return collector.take();
}

} // namespace netdx::engine::loader
