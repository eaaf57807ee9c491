// SPDX-License-Identifier: GPL-2.0
// One diagnosis run: attach the probes the rules need, feed every event to the engine, report
// findings as they appear, stop on the first ERROR (unless --diag-keep), the duration, or
// Ctrl-C, then detach everything and build the report.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "engine/diagnoser.h"
#include "engine/filter.h"
#include "engine/report/report.h"
#include "engine/report/reporter.h"
#include "engine/result.h"
#include "engine/rule.h"
#include "probes/clock.h"
#include "probes/tracer.h"

namespace netdx::cli {

struct SessionOptions {
    engine::Filter filter;
    bool keep_going = false;
    std::optional<std::chrono::milliseconds> duration;
    // After the first ERROR, keep collecting this long so the burst that caused it rolls up
    // into the finding's count instead of being cut off.
    std::chrono::milliseconds settle{300};
    std::uint32_t ring_bytes = 4U << 20;
    std::string command_line;
    std::string record_path; // --record: every event to this netdx.record/1 trail, "" = none
    // --probes: attached besides those the rules need; all_probes: every probe netdx has.
    std::set<engine::EventKind> extra_kinds;
    bool all_probes = false;
    // SIGHUP: loads the rules again, writing any problem to the stream; nullopt keeps the old
    // rules. Empty: SIGHUP is ignored.
    std::function<std::optional<engine::RuleSet>(std::ostream&)> reload_rules;
};

// What every tracing command needs before it starts: the rules and a tracer.
struct TracingSetup {
    engine::RuleSet rules;
    probes::Tracer tracer;
};

// Loads the rules (shipped, site, then `extra_rules`) and checks the environment. On failure the
// problems are printed to stderr and the result holds the exit code (2 rules, 3 environment).
std::variant<TracingSetup, int> prepare_tracing(const std::vector<std::string>& extra_rules);

// Runs a diagnosis with an already made tracer. `on_ready` runs once the probes are attached
// (the demo starts its traffic there). Fails only when nothing could be attached or polling
// broke; findings, losses and partial coverage are in the report.
Result<engine::Report> run_diagnosis(probes::Tracer& tracer,
                                     const engine::RuleSet& rules,
                                     const SessionOptions& options,
                                     engine::Reporter& reporter,
                                     const std::function<void()>& on_ready = {});

engine::HostInfo read_host_info();

// Copies what the diagnoser found and counted into the report.
void fill_outcome(engine::Report& report, const engine::Diagnoser& diagnoser);
using probes::wall_clock_ns;

} // namespace netdx::cli
