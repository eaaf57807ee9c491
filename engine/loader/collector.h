// SPDX-License-Identifier: GPL-2.0
// Stage 2 of rule loading: every file's entries, in load order, merged into one set. An entry
// whose id (rule id, list or macro name) is already defined must say how it changes the earlier
// one with `override: {key: append|replace}`; `enabled: false` alone disables a rule. Overriding
// an id nobody defined, or defining one twice, is an error.
#pragma once

#include <vector>

#include "../diagnostic.h"
#include "reader.h"

namespace netdx::engine::loader {

struct Collected {
    std::vector<RuleSpec> rules;
    std::vector<ListSpec> lists;
    std::vector<MacroSpec> macros;
};

Collected collect(const std::vector<FileSpec>& files, Diagnostics& diags);

} // namespace netdx::engine::loader
