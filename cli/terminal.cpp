// SPDX-License-Identifier: GPL-2.0
#include "terminal.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include <nlohmann/json.hpp>
#include <sys/ioctl.h>
#include <unistd.h>

#include "engine/report/json_report.h"
#include "engine/report/ndjson_reporter.h"

namespace netdx::cli {
namespace {

constexpr std::size_t default_width = 80;
constexpr std::size_t narrowest = 40;

} // namespace

void add_terminal_options(CLI::App& cmd, TerminalArgs& args) {
    cmd.add_option("--color",
                   args.color,
                   "Colour the levels: auto (on a terminal, unless NO_COLOR is set), always or "
                   "never")
        ->type_name("WHEN")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->default_str("auto");
    cmd.add_flag(
        "--quiet,-q", args.quiet, "Print only WARN and ERROR findings and their diagnosis");
}

void add_output_options(CLI::App& cmd, OutputArgs& args) {
    cmd.add_option("--json", args.json_path, "Also write the report (netdx.report/1) to FILE")
        ->type_name("FILE");
    cmd.add_option("--output",
                   args.format,
                   "What stdout gets: text (findings and a diagnosis, for people) or ndjson (one "
                   "JSON line per finding, status and loss, for pipelines)")
        ->type_name("FORMAT")
        ->check(CLI::IsMember({"text", "ndjson"}))
        ->default_str("text");
    cmd.add_flag("--redact",
                 args.redact,
                 "Replace addresses, the host name and namespace names by tokens (ip-1, ns-1, "
                 "...), the same everywhere in the output and the report, for sharing");
    add_terminal_options(cmd, args.terminal);
}

std::unique_ptr<engine::Reporter> make_reporter(const OutputArgs& args,
                                                engine::Redactor& redactor) {
    engine::Redactor* redact = args.redact ? &redactor : nullptr;
    if (args.format == "ndjson") {
        return std::make_unique<engine::NdjsonReporter>(std::cout, redact);
    }
    auto style = text_style(args.terminal);
    style.redactor = redact;
    return std::make_unique<engine::TextReporter>(std::cout, std::cerr, style);
}

bool write_json_report(const OutputArgs& args,
                       const engine::Report& report,
                       engine::Redactor& redactor) {
    if (args.json_path.empty()) {
        return true;
    }
    auto doc = engine::to_json(report);
    if (args.redact) {
        redactor.report(doc);
    }
    if (auto written = engine::write_json_atomically(args.json_path, doc); !written) {
        std::cerr << "netdx: error: " << written.error().describe() << "\n";
        return false;
    }
    return true;
}

engine::TextStyle text_style(const TerminalArgs& args) {
    engine::TextStyle style;
    const bool stdout_tty = isatty(STDOUT_FILENO) == 1;
    style.color =
        engine::use_color(args.color, stdout_tty, std::getenv("NO_COLOR"), std::getenv("TERM"));
    style.quiet = args.quiet;
    style.live_status = !args.quiet && isatty(STDERR_FILENO) == 1;
    winsize size{};
    if (stdout_tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
        style.width = std::clamp<std::size_t>(size.ws_col, narrowest, default_width);
    }
    return style;
}

} // namespace netdx::cli
