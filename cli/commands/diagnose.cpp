// SPDX-License-Identifier: GPL-2.0
// netdx diagnose: trace packet drops matching the filters and explain them.
#include <iostream>
#include <memory>

#include "../exit_codes.h"
#include "../filter_args.h"
#include "../rules.h"
#include "../session.h"
#include "../signals.h"
#include "../terminal.h"
#include "commands.h"
#include "probes/tracer.h"

namespace netdx::cli {
namespace {

struct DiagnoseArgs {
    FilterArgs filter;
    double duration_s = 0;
    bool keep_going = false;
    std::string record_path;
    std::vector<std::string> probes;
    std::vector<std::string> rule_paths;
    unsigned ring_mib = 4;
    OutputArgs output;
};

int run_diagnose(const DiagnoseArgs& args, const CommandContext& ctx) {
    auto filter = build_filter(args.filter);
    if (!filter) {
        std::cerr << "netdx: error: " << filter.error().describe() << "\n";
        return exit_usage;
    }
    auto setup = prepare_tracing(args.rule_paths);
    if (const int* exit_code = std::get_if<int>(&setup)) {
        return *exit_code;
    }
    auto& [rules, tracer] = std::get<TracingSetup>(setup);

    SessionOptions options;
    options.filter = *filter;
    options.keep_going = args.keep_going;
    if (args.duration_s > 0) {
        options.duration = std::chrono::milliseconds(static_cast<long>(args.duration_s * 1000));
    }
    options.ring_bytes = args.ring_mib << 20;
    options.command_line = ctx.command_line;
    options.record_path = args.record_path;
    for (const auto& name : args.probes) {
        if (name == "all") {
            options.all_probes = true;
        } else {
            options.extra_kinds.insert(*engine::parse_event_kind(name)); // checked by CLI11
        }
    }

    options.reload_rules = [&args](std::ostream& err) { return load_rules(args.rule_paths, err); };

    StopSignals signals;
    // One redactor for the terminal and the JSON report: the same address gets the same token.
    engine::Redactor redactor;
    auto reporter = make_reporter(args.output, redactor);
    auto report = run_diagnosis(tracer, rules, options, *reporter);
    if (!report) {
        std::cerr << "netdx: error: " << report.error().describe() << "\n";
        return exit_code_for(report.error());
    }
    if (!write_json_report(args.output, *report, redactor)) {
        return exit_usage;
    }
    auto verdict = report->verdict();
    return verdict == engine::Level::Error ? exit_error_found : exit_ok;
}

} // namespace

Command add_diagnose_command(CLI::App& app) {
    auto args = std::make_shared<DiagnoseArgs>();
    CLI::App* cmd = app.add_subcommand(
        "diagnose",
        "Trace packet drops and explain each root cause, with evidence and advice.\n\n"
        "Only the drops matching the filters are traced, if any are given. Stops at the first\n"
        "ERROR finding and prints a diagnosis, unless --diag-keep; Ctrl-C also stops it, and\n"
        "still prints the diagnosis and writes the report.");
    add_filter_options(*cmd, args->filter);
    cmd->add_option("--duration",
                    args->duration_s,
                    "Stop after this many seconds (default: at the first ERROR, or Ctrl-C)")
        ->type_name("SECONDS")
        ->check(CLI::PositiveNumber);
    cmd->add_flag("--diag-keep",
                  args->keep_going,
                  "Keep running after an ERROR finding (until --duration or Ctrl-C/SIGTERM, "
                  "which finish the report); SIGHUP reloads the rules");
    add_output_options(*cmd, args->output);
    cmd->add_option("--record",
                    args->record_path,
                    "Also write every traced event to FILE (NDJSON, netdx.record/1), before the "
                    "rules see it, for replay and tickets")
        ->type_name("FILE");
    cmd->add_option("--probes",
                    args->probes,
                    "Also attach these probes, besides those the rules need (comma-separated: "
                    "drop, rx, tx, route, neigh, tcp, sock, icmp, xdp, or all); with --record, "
                    "to capture more than the rules use")
        ->type_name("LIST")
        ->delimiter(',')
        ->check(CLI::Validator(
            [](const std::string& name) {
                return name == "all" || engine::parse_event_kind(name)
                           ? std::string()
                           : "unknown probe '" + name + "'";
            },
            "PROBE",
            ""));
    add_rule_paths_option(*cmd, args->rule_paths);
    cmd->add_option("--ring-size",
                    args->ring_mib,
                    "Size in MiB of the ring buffer all probes share (default 4)")
        ->type_name("MIB")
        ->check(CLI::Validator(
            [](const std::string& text) {
                unsigned long mib = std::strtoul(text.c_str(), nullptr, 10);
                bool power_of_two = mib > 0 && (mib & (mib - 1)) == 0;
                return power_of_two && mib <= 1024
                           ? std::string()
                           : std::string("must be a power of two from 1 to 1024");
            },
            ""));
    cmd->footer("Examples:\n"
                "  sudo netdx diagnose --host 10.0.0.2 --port 80 --proto tcp\n"
                "  sudo netdx diagnose --netns blue --diag-keep --duration 30 --json report.json\n"
                "  sudo netdx diagnose --host 10.0.0.2 --record trail.ndjson");
    return {cmd, [args](const CommandContext& ctx) { return run_diagnose(*args, ctx); }};
}

} // namespace netdx::cli
