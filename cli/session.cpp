// SPDX-License-Identifier: GPL-2.0
#include "session.h"

#include <cerrno>
#include <cstring>
#include <iostream>
#include <map>
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

// Records each decoded event (--record), evaluates it and prints findings the moment they
// first appear.
class DiagnosisSink final : public probes::EventSink {
public:
    DiagnosisSink(engine::Diagnoser& diagnoser, engine::Reporter& reporter, Recording* recording)
        : diagnoser_(diagnoser), reporter_(reporter), recording_(recording) {}

    void on_event(engine::Event&& ev) override {
        if (recording_) {
            recording_->record(ev);
        }
        for (const auto& change : diagnoser_.process(ev)) {
            reporter_.finding(diagnoser_.findings()[change.index]);
        }
    }

private:
    engine::Diagnoser& diagnoser_;
    engine::Reporter& reporter_;
    Recording* recording_;
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
    engine::Diagnoser diagnoser(rules, {options.keep_going, 5, &live_facts});
    std::optional<Recording> recording;
    if (!options.record_path.empty()) {
        auto opened = Recording::open(options.record_path, options.command_line);
        if (!opened) {
            return opened.error();
        }
        recording.emplace(std::move(*opened));
    }
    DiagnosisSink sink(diagnoser, reporter, recording ? &*recording : nullptr);

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

    const auto start = Clock::now();
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
    report.findings = diagnoser.findings();
    const auto& stats = diagnoser.stats();
    report.events = stats.events;
    report.suppressed = stats.suppressed;
    report.suppressed_by = diagnoser.suppressed_by_rule();
    report.unexplained = stats.events - stats.explained - stats.suppressed;
    for (auto& gap : live_facts.gaps()) {
        report.facts_unavailable.push_back(std::move(gap));
    }
    reporter.summary(report);
    return report;
}

} // namespace netdx::cli
