// SPDX-License-Identifier: GPL-2.0
// Stage 1 of rule loading: YAML text -> specs, with the position of every value kept. Shape
// errors (wrong types, unknown keys, bad YAML) are reported here, and reading goes on. Keys a
// rule does not give stay unset (std::optional), so an override can tell "not given" apart.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../diagnostic.h"
#include "../rule.h"
#include "scalar_text.h"

namespace netdx::engine::loader {

// The rule format version this netdx reads (`required_version` in a file).
inline constexpr int rule_format_version = 1;

// Limits that keep a hostile or broken file from exhausting the stack or memory.
inline constexpr std::size_t max_file_bytes = 16 << 20;
inline constexpr std::size_t max_nesting = 64;

struct AdviceSpec {
    AdviceKind kind = AdviceKind::Check;
    ScalarText text;
    bool from_drop_reason = false; // `- from: drop-reason`
};

struct EscalationSpec {
    SourceLoc loc;
    ScalarText level;
    std::optional<double> rate_per_s;
    std::optional<std::uint64_t> count;
    std::optional<double> after_s;
};

enum class OverrideAction { Append, Replace };

// `override: {condition: append, advice: replace, ...}` on an entry of a later file.
struct OverrideSpec {
    SourceLoc loc;
    std::vector<std::pair<ScalarText, OverrideAction>> keys; // key name, action

    bool present() const { return loc.line > 0; }
};

struct RuleSpec {
    SourceLoc loc; // the rule's mapping
    ScalarText id;
    ScalarText category;
    ScalarText level;
    ScalarText message;
    ScalarText description;
    std::vector<ScalarText> condition; // several parts after `condition: append` overrides
    std::optional<std::vector<ScalarText>> events;
    std::optional<std::vector<ScalarText>> tags;
    std::optional<std::vector<ScalarText>> key;
    std::optional<std::vector<AdviceSpec>> advice;
    std::optional<std::vector<EscalationSpec>> escalate;
    std::optional<bool> suppress;
    std::optional<bool> fallback;
    std::optional<bool> enabled;
    OverrideSpec override;
    std::vector<SourceLoc> overridden_at; // filled by the collector
    std::vector<std::string> keys_given;  // every key the entry wrote, in order
};

struct ListSpec {
    SourceLoc loc;
    ScalarText name;
    std::optional<std::vector<ScalarText>> items;
    OverrideSpec override;
    std::vector<SourceLoc> overridden_at;
};

struct MacroSpec {
    SourceLoc loc;
    ScalarText name;
    std::vector<ScalarText> condition;
    OverrideSpec override;
    std::vector<SourceLoc> overridden_at;
};

// One entry of `reasons:` (knowledge/drop-reasons/*.yaml).
struct ReasonSpec {
    SourceLoc loc;
    ScalarText name;
    ScalarText subsystem;
    ScalarText since;
    ScalarText removed_in;
    ScalarText summary;
    ScalarText explanation;
    ScalarText level;
    std::vector<ScalarText> formerly;
    std::vector<ScalarText> causes;
    std::vector<ScalarText> checks;
    std::vector<ScalarText> remediation;
    ScalarText benign_when;
    std::vector<ScalarText> benign_locations;
    std::vector<std::string> keys_given;
};

struct FileSpec {
    std::string path;
    std::shared_ptr<const std::string> text;
    std::vector<RuleSpec> rules;
    std::vector<ListSpec> lists;
    std::vector<MacroSpec> macros;
    std::vector<ReasonSpec> reasons;
};

// Reads one file's text; `path` is only used in messages.
FileSpec read_rule_text(std::string path, std::string text, Diagnostics& diags);

} // namespace netdx::engine::loader
