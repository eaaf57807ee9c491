// SPDX-License-Identifier: GPL-2.0
#include "session.h"

#include <cerrno>
#include <cstring>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include <sys/utsname.h>
#include <unistd.h>

#include "engine/diagnoser.h"
#include "engine/log.h"
#include "exit_codes.h"
#include "probes/live_facts.h"
#include "recording.h"
#include "rules.h"
#include "signals.h"

namespace netdx::cli {
namespace {

using Clock = std::chrono::steady_clock;

// Records each decoded event (--record), evaluates it, records the facts the rules asked about
// it, and prints findings the moment they first appear.
class DiagnosisSink final : public probes::EventSink {
public:
    DiagnosisSink(engine::Diagnoser& diagnoser,
                  engine::Reporter& reporter,
                  Recording* recording,
                  engine::FactTap& facts)
        : diagnoser_(diagnoser), reporter_(reporter), recording_(recording), facts_(facts) {}

    void on_event(engine::Event&& ev) override {
        if (recording_) {
            recording_->record(ev);
        }
        const auto& changes = diagnoser_.process(ev);
        const engine::FactAnswers asked = facts_.take();
        if (recording_) {
            recording_->record_facts(asked);
        }
        for (const auto& change : changes) {
            reporter_.finding(diagnoser_.findings()[change.index]);
        }
    }

private:
    engine::Diagnoser& diagnoser_;
    engine::Reporter& reporter_;
    Recording* recording_;
    engine::FactTap& facts_;
};

std::vector<engine::ProbeStatus> probe_coverage(const probes::Tracer& tracer) {
    std::vector<engine::ProbeStatus> out;
    for (const auto& s : tracer.probe_status()) {
        engine::ProbeStatus p;
        p.name = s.name;
        p.tracepoint = s.tracepoint;
        p.attached = s.attached;
        p.reason = s.hint.empty() ? s.reason : s.reason + " (" + s.hint + ")";
        out.push_back(std::move(p));
    }
    return out;
}

// Loads the rules again; the new set replaces `current` in the diagnoser only if it loaded.
void reload_rules(const SessionOptions& options,
                  const std::set<engine::EventKind>& traced,
                  bool all_traced,
                  engine::Diagnoser& diagnoser,
                  std::unique_ptr<engine::RuleSet>& current,
                  engine::Reporter& reporter) {
    std::ostringstream problems;
    engine::ReloadOutcome outcome;
    auto loaded = options.reload_rules(problems);
    if (!loaded) {
        outcome.errors = problems.str();
        reporter.reloaded(outcome);
        return;
    }
    auto next = std::make_unique<engine::RuleSet>(std::move(*loaded));
    diagnoser.reload(*next);
    current = std::move(next); // the previous set is no longer referenced
    outcome.ok = true;
    outcome.rules = current->rules.size();
    outcome.reasons = current->reasons.entries().size();
    const auto needed = current->kinds_needed();
    for (std::size_t k = 0; k < engine::event_kind_count; ++k) {
        const auto kind = static_cast<engine::EventKind>(k);
        if (needed.test(k) && !all_traced && !traced.contains(kind)) {
            outcome.unattached.emplace_back(engine::event_kind_name(kind));
        }
    }
    reporter.reloaded(outcome);
}

} // namespace

std::variant<TracingSetup, int> prepare_tracing(const std::vector<std::string>& extra_rules) {
    auto rules = load_rules(extra_rules, std::cerr);
    if (!rules) {
        return exit_usage;
    }
    auto tracer = probes::Tracer::make();
    if (!tracer) {
        std::cerr << "netdx: error: " << tracer.error().describe() << "\n";
        return exit_code_for(tracer.error());
    }
    return TracingSetup{std::move(*rules), std::move(*tracer)};
}

engine::HostInfo read_host_info() {
    engine::HostInfo host;
    char name[256] = "";
    if (gethostname(name, sizeof name - 1) == 0) {
        host.hostname = name;
    }
    utsname uts{};
    if (uname(&uts) == 0) {
        host.kernel = uts.release;
    }
    host.btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
    return host;
}

void fill_outcome(engine::Report& report, const engine::Diagnoser& diagnoser) {
    report.findings = diagnoser.findings();
    const auto& stats = diagnoser.stats();
    report.events = stats.events;
    report.suppressed = stats.suppressed;
    report.suppressed_by = diagnoser.suppressed_by_rule();
    report.unexplained = stats.events - stats.explained - stats.suppressed;
    report.over_finding_cap = stats.over_cap;
}

Result<engine::Report> run_diagnosis(probes::Tracer& tracer,
                                     const engine::RuleSet& rules,
                                     const SessionOptions& options,
                                     engine::Reporter& reporter,
                                     const std::function<void()>& on_ready) {
    engine::Report report;
    report.host = read_host_info();
    report.command = options.command_line;
    report.filters = options.filter;
    report.started_ns = wall_clock_ns();

    // fact.* fields: read in the event's namespace on a helper thread, only when a rule asks.
    probes::LiveFacts live_facts;
    engine::FactTap fact_tap(&live_facts); // what the rules asked, for --record
    engine::Diagnoser diagnoser(rules, {options.keep_going, 5, &fact_tap});
    std::optional<Recording> recording;
    if (!options.record_path.empty()) {
        auto opened = Recording::open(options.record_path, options.command_line);
        if (!opened) {
            return opened.error();
        }
        recording.emplace(std::move(*opened));
    }
    DiagnosisSink sink(diagnoser, reporter, recording ? &*recording : nullptr, fact_tap);

    std::set<engine::EventKind> kinds;
    auto needed = rules.kinds_needed();
    for (std::size_t k = 0; k < engine::event_kind_count; ++k) {
        if (needed.test(k)) {
            kinds.insert(static_cast<engine::EventKind>(k));
        }
    }
    if (kinds.empty() && options.extra_kinds.empty() && !options.all_probes) {
        return make_error(ErrorKind::Usage, "no enabled rule listens to any event kind");
    }
    kinds.insert(options.extra_kinds.begin(), options.extra_kinds.end());
    if (options.all_probes) {
        kinds.clear(); // Tracer::start: every probe
    }
    probes::ProbeOptions probe_options;
    probe_options.filter = options.filter;
    probe_options.ring_bytes = options.ring_bytes;
    // Counter events come from netdx's own sampling, not from a probe.
    const bool counters = options.all_probes || kinds.contains(engine::EventKind::Counter);
    kinds.erase(engine::EventKind::Counter);
    const bool tracing = !kinds.empty() || options.all_probes;
    if (tracing) {
        if (auto started = tracer.start(kinds, probe_options, sink); !started) {
            return started.error();
        }
    }
    report.probes = probe_coverage(tracer);
    if (!tracing || kinds.empty() || kinds.contains(engine::EventKind::Drop)) {
        // Baselines for naming the firewall rule behind a drop: taken before any traffic
        // of interest, in the background.
        live_facts.prime_firewall();
        live_facts.wait_primed(std::chrono::seconds(2));
    }
    if (counters) {
        std::uint32_t only = 0;
        if (options.filter.netns) {
            probes::NetnsRegistry registry;
            if (auto inode = registry.inode_of(*options.filter.netns); inode) {
                only = *inode;
            }
        }
        live_facts.watch_counters(only);
        engine::ProbeStatus watch;
        watch.name = "counters";
        watch.tracepoint = "netdx:counters";
        watch.attached = true;
        report.probes.push_back(std::move(watch));
    }
    reporter.ready(report);
    if (on_ready) {
        on_ready();
    }

    std::set<engine::EventKind> traced = kinds;
    if (counters) {
        traced.insert(engine::EventKind::Counter);
    }
    std::unique_ptr<engine::RuleSet> reloaded; // the rules in use after a SIGHUP
    const auto start = Clock::now();
    auto next_progress = start + std::chrono::seconds(1);
    std::optional<Clock::time_point> first_error;
    std::map<std::string, std::uint64_t> lost_seen;
    std::optional<Error> failure;
    for (;;) {
        int rc = 0;
        if (tracing) {
            rc = tracer.poll(100);
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        if (rc < 0 && rc != -EINTR) {
            failure = make_error(ErrorKind::Environment, "polling the ring buffers failed", -rc);
            break;
        }
        if (recording) {
            recording->tick();
        }
        live_facts.tick();
        for (auto& ev : live_facts.counter_events()) {
            sink.on_event(std::move(ev));
        }
        for (const auto& loss : tracer.lost_events()) {
            auto& seen = lost_seen[loss.name];
            if (loss.lost > seen) {
                reporter.lost_events(loss.name, loss.lost - seen);
                seen = loss.lost;
            }
        }
        const auto now = Clock::now();
        if (now >= next_progress) {
            next_progress = now + std::chrono::seconds(1);
            const auto& stats = diagnoser.stats();
            engine::Progress progress;
            progress.elapsed_ns = static_cast<std::uint64_t>(
                std::chrono::duration_cast<std::chrono::nanoseconds>(now - start).count());
            progress.events = stats.events;
            progress.matched = stats.explained;
            progress.findings = diagnoser.findings().size();
            for (const auto& [probe, lost] : lost_seen) {
                progress.lost += lost;
            }
            reporter.progress(progress);
        }
        if (StopSignals::take_reload() && options.reload_rules) {
            reload_rules(options, traced, options.all_probes, diagnoser, reloaded, reporter);
        }
        if (StopSignals::requested()) {
            report.stop_reason = engine::StopReason::Interrupted;
            break;
        }
        if (diagnoser.should_stop()) {
            first_error = first_error.value_or(now);
            if (now - *first_error >= options.settle) {
                report.stop_reason = engine::StopReason::FirstError;
                break;
            }
        }
        if (options.duration && now - start >= *options.duration) {
            report.stop_reason = engine::StopReason::Duration;
            break;
        }
    }
    // Loss counters are final only while the probes are still loaded.
    for (const auto& loss : tracer.lost_events()) {
        for (auto& p : report.probes) {
            if (p.name == loss.name) {
                p.lost_events = loss.lost;
            }
        }
    }
    report.decode_errors = tracer.decode_errors();
    tracer.stop();
    if (recording) {
        recording->finish();
    }
    if (failure) {
        return *failure;
    }

    report.ended_ns = wall_clock_ns();
    fill_outcome(report, diagnoser);
    for (auto& gap : live_facts.gaps()) {
        report.facts_unavailable.push_back(std::move(gap));
    }
    reporter.summary(report);
    return report;
}

} // namespace netdx::cli
