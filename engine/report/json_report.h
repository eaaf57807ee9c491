// SPDX-License-Identifier: GPL-2.0
// netdx.report/1: the JSON report attached to tickets (schema: docs/report.schema.json).
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "../result.h"
#include "report.h"

namespace netdx::engine {

nlohmann::json to_json(const Finding& finding);
nlohmann::json to_json(const Report& report);

// Writes the file next to its final name and renames it into place, so that a reader (or a
// crash) never sees half a report.
Result<void> write_json_atomically(const std::string& path, const nlohmann::json& doc);

} // namespace netdx::engine
