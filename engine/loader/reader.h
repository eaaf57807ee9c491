// SPDX-License-Identifier: GPL-2.0
// Stage 1 of rule loading: YAML text -> specs, with the position of every value kept. Shape
// errors (wrong types, unknown keys, bad YAML) are reported here, and reading goes on.
#pragma once

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

struct AdviceSpec {
    AdviceKind kind = AdviceKind::Check;
    ScalarText text;
};

struct RuleSpec {
    SourceLoc loc; // the rule's mapping
    ScalarText id;
    ScalarText category;
    ScalarText level;
    ScalarText condition;
    ScalarText message;
    ScalarText description;
    std::vector<ScalarText> events;
    std::vector<ScalarText> tags;
    std::vector<ScalarText> key;
    std::vector<AdviceSpec> advice;
    bool suppress = false;
    bool fallback = false;
    bool enabled = true;
};

struct FileSpec {
    std::string path;
    std::shared_ptr<const std::string> text;
    std::vector<RuleSpec> rules;
};

// Reads one file's text; `path` is only used in messages.
FileSpec read_rule_text(std::string path, std::string text, Diagnostics& diags);

} // namespace netdx::engine::loader
