// SPDX-License-Identifier: GPL-2.0
// `netdx rules explain REASON|--list|--markdown`: the drop-reason knowledge, for operators.
#pragma once

#include <ostream>
#include <string_view>

#include "engine/rule.h"

namespace netdx::cli {

// Prints the entry like a man page (or as JSON). Returns false when no entry has that name.
bool explain_reason(std::ostream& out,
                    const engine::DropReasonBook& book,
                    std::string_view name,
                    bool json);

// Every entry with its one-line summary and whether the running kernel has the reason, plus
// the kernel's reasons that have no entry. Returns the exit code.
int list_reasons(std::ostream& out, const engine::DropReasonBook& book, bool json);

// The reference document docs/drop-reasons.md: every entry, the same on every machine.
void write_reasons_markdown(std::ostream& out, const engine::DropReasonBook& book);

} // namespace netdx::cli
