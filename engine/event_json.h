// SPDX-License-Identifier: GPL-2.0
// Events as JSON: evidence in reports, lines of a recorded trail, input of replay. The form is
// stable (it is part of netdx.report/1) and round-trips every field a rule can read.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "event.h"
#include "result.h"

namespace netdx::engine {

// "2026-11-22T05:12:03.123456Z" (UTC, microseconds).
std::string rfc3339(std::uint64_t unix_ns);

nlohmann::json to_json(const Event& ev);

// `doc` as text, indented. Bytes that are not UTF-8 (a process name, a rule file's text) become
// U+FFFD instead of throwing: a report must always be written.
std::string json_text(const nlohmann::json& doc, int indent = 2);
Result<Event> event_from_json(const nlohmann::json& j);

// The event.trace object of a report or recording; absent or mistyped members stay unset.
TraceInfo trace_from_json(const nlohmann::json& j);

} // namespace netdx::engine
