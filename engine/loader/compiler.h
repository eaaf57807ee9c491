// SPDX-License-Identifier: GPL-2.0
// Stage 3 of rule loading: specs -> compiled rules (conditions, templates, kinds, levels).
#pragma once

#include <optional>

#include "../diagnostic.h"
#include "../rule.h"
#include "reader.h"

namespace netdx::engine::loader {

std::optional<Rule> compile_rule(const FileSpec& file, const RuleSpec& spec, Diagnostics& diags);

} // namespace netdx::engine::loader
