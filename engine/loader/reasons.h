// SPDX-License-Identifier: GPL-2.0
// Drop-reason entries (`reasons:` in knowledge files) -> DropReasonBook. Besides shape and
// templates it rejects placeholders: empty or filler text, a line repeated within an entry, and
// a summary, explanation or advice that another entry already uses (copy-paste is how a
// knowledge base quietly stops saying anything specific).
#pragma once

#include <vector>

#include "../diagnostic.h"
#include "../rule.h"
#include "reader.h"

namespace netdx::engine::loader {

DropReasonBook compile_reasons(const std::vector<FileSpec>& files, Diagnostics& diags);

} // namespace netdx::engine::loader
