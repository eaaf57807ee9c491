// SPDX-License-Identifier: GPL-2.0
// Rule loading: reader (YAML -> specs) -> collector (ids across files) -> compiler (conditions,
// templates). Every problem in every file is reported in one run.
#pragma once

#include <string>
#include <vector>

#include "../diagnostic.h"
#include "../rule.h"

namespace netdx::engine::loader {

struct LoadResult {
    RuleSet rules;
    Diagnostics diagnostics;
};

// Loads files and directories in order (a directory contributes its *.yaml and *.yml files,
// sorted by name). Later files come later in evaluation order.
LoadResult load_rule_paths(const std::vector<std::string>& paths);

// Loads rules from text, as if read from `path` (for tests and tools).
LoadResult load_rule_text(const std::string& path, const std::string& text);

} // namespace netdx::engine::loader
