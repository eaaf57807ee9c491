// SPDX-License-Identifier: GPL-2.0
// netdx replay FILE: the findings of a recorded run (`diagnose --record`), offline. The trail
// holds every event and the host facts the rules asked about each, so the same rules give the
// same findings with no root, no BPF and not on the host that recorded it.
#include <iostream>
#include <memory>

#include "../exit_codes.h"
#include "../rules.h"
#include "../session.h"
#include "../terminal.h"
#include "commands.h"
#include "engine/diagnoser.h"
#include "engine/record.h"

namespace netdx::cli {
namespace {

struct ReplayArgs {
    std::string path;
    std::vector<std::string> rule_paths;
    OutputArgs output;
};

int run_replay(const ReplayArgs& args, const CommandContext& ctx) {
    auto rules = load_rules(args.rule_paths, std::cerr);
    if (!rules) {
        return exit_usage;
    }
    auto recording = engine::read_record(args.path);
    if (!recording) {
        std::cerr << "netdx: error: " << recording.error().describe() << "\n";
        return exit_usage;
    }
    for (const auto& warning : recording->warnings) {
        std::cerr << "netdx: warning: " << warning << "\n";
    }
    const auto& header = recording->header;
    const auto& events = recording->events;

    engine::Report report;
    report.host.hostname = header.hostname;
    report.host.kernel = header.kernel;
    report.command = ctx.command_line;
    report.stop_reason = engine::StopReason::EndOfInput;
    report.started_ns = events.empty() ? wall_clock_ns() : events.front().ts_ns;
    report.ended_ns = events.empty() ? report.started_ns : events.back().ts_ns;

    engine::Redactor redactor;
    auto reporter = make_reporter(args.output, redactor);
    if (args.output.format == "ndjson") {
        reporter->ready(report);
    } else if (!args.output.terminal.quiet) {
        std::cerr << "netdx: replaying " << events.size() << " events recorded by netdx "
                  << header.netdx_version << " on " << header.hostname << " (kernel "
                  << header.kernel << ") at " << header.started << ": " << header.command << "\n";
    }
    // Every recorded event is evaluated: the recording already ends where the live run stopped.
    engine::ReplayedFacts facts;
    engine::Diagnoser diagnoser(*rules, {true, 5, &facts});
    for (std::size_t i = 0; i < events.size(); ++i) {
        facts.set(&recording->facts[i]);
        for (const auto& change : diagnoser.process(events[i])) {
            reporter->finding(diagnoser.findings()[change.index]);
        }
    }
    fill_outcome(report, diagnoser);
    reporter->summary(report);
    if (!write_json_report(args.output, report, redactor)) {
        return exit_usage;
    }
    return report.verdict() == engine::Level::Error ? exit_error_found : exit_ok;
}

} // namespace

Command add_replay_command(CLI::App& app) {
    auto args = std::make_shared<ReplayArgs>();
    CLI::App* cmd = app.add_subcommand(
        "replay",
        "Diagnose a recorded run again, offline.\n\n"
        "Reads a recording of `netdx diagnose --record FILE` (every event and the host facts the\n"
        "rules asked about it) and gives the same findings, with no root and no BPF, on any\n"
        "machine. With newer or site rules (--rules), see what they make of the same traffic.");
    cmd->add_option("file", args->path, "The recording (netdx.record/1 NDJSON)")
        ->required()
        ->type_name("FILE");
    add_rule_paths_option(*cmd, args->rule_paths);
    add_output_options(*cmd, args->output);
    cmd->footer("Examples:\n"
                "  netdx replay trail.ndjson\n"
                "  netdx replay trail.ndjson --json report.json --redact\n"
                "  netdx replay trail.ndjson --rules site.yaml --quiet\n"
                "Exit codes: 0 no ERROR finding, 1 an ERROR finding, 2 usage, rule or\n"
                "recording errors.");
    return {cmd, [args](const CommandContext& ctx) { return run_replay(*args, ctx); }};
}

} // namespace netdx::cli
