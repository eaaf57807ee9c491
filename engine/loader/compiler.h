// SPDX-License-Identifier: GPL-2.0
// Stage 3 of rule loading: the collected specs -> a RuleSet. Lists and macros become the scope
// conditions compile in; conditions and templates are checked against the field catalog;
// problems are reported where they were written, once, however often a macro is used.
#pragma once

#include "../diagnostic.h"
#include "../rule.h"
#include "collector.h"

namespace netdx::engine::loader {

RuleSet compile(const Collected& collected, Diagnostics& diags);

} // namespace netdx::engine::loader
