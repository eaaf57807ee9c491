// SPDX-License-Identifier: GPL-2.0
// How a diagnosis is shown and kept: --color and --quiet on a terminal, --output text|ndjson,
// --json FILE and --redact; shared by `diagnose` and `replay`.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "engine/report/redact.h"
#include "engine/report/reporter.h"
#include "engine/report/text_reporter.h"

namespace netdx::cli {

struct TerminalArgs {
    std::string color = "auto"; // auto | always | never
    bool quiet = false;
};

void add_terminal_options(CLI::App& cmd, TerminalArgs& args);

struct OutputArgs {
    TerminalArgs terminal;
    std::string format = "text"; // --output: text | ndjson
    std::string json_path;       // --json FILE, "" = none
    bool redact = false;
};

void add_output_options(CLI::App& cmd, OutputArgs& args);

// The reporter --output asks for, redacting through `redactor` when --redact.
std::unique_ptr<engine::Reporter> make_reporter(const OutputArgs& args, engine::Redactor& redactor);

// Writes the --json report (redacted with the same redactor when --redact). Returns false, with
// the error printed, when it cannot be written.
bool write_json_report(const OutputArgs& args,
                       const engine::Report& report,
                       engine::Redactor& redactor);

// Colour when asked and stdout is a terminal (NO_COLOR and TERM=dumb respected), a live status
// line when stderr is a terminal and not --quiet, lines wrapped at 80 columns (or a narrower
// terminal).
engine::TextStyle text_style(const TerminalArgs& args);

} // namespace netdx::cli
