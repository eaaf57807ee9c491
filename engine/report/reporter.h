// SPDX-License-Identifier: GPL-2.0
// Output of a run, as it happens and at the end. Logs go to stderr; reporters own stdout.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "report.h"

namespace netdx::engine {

// How a run is going, for a live status line.
struct Progress {
    std::uint64_t elapsed_ns = 0;
    std::uint64_t events = 0;   // evaluated
    std::uint64_t matched = 0;  // events that made or added to a finding
    std::uint64_t findings = 0; // distinct findings
    std::uint64_t lost = 0;     // events lost by the probes (ring buffer full)
};

// What a rules reload (SIGHUP) did.
struct ReloadOutcome {
    bool ok = false;
    std::size_t rules = 0;               // rules now in use
    std::size_t reasons = 0;             // drop-reason entries now in use
    std::string errors;                  // the load diagnostics, as text, when not ok
    std::vector<std::string> unattached; // event kinds the new rules need that no probe traces
};

class Reporter {
public:
    virtual ~Reporter() = default;
    // Probes are attached and events are flowing.
    virtual void ready(const Report& report) = 0;
    // A new finding (printed at first sight; counts come with the summary), or one whose level
    // just escalated (finding.escalated_because says why).
    virtual void finding(const Finding& finding) = 0;
    // A probe lost `count` more events since the last call (ring buffer full).
    virtual void lost_events(std::string_view probe, std::uint64_t count) = 0;
    // The rules were reloaded, or a reload failed and the old rules stay.
    virtual void reloaded(const ReloadOutcome& outcome) = 0;
    // About once a second while the run goes on.
    virtual void progress(const Progress& /*progress*/) {}
    // The run is over.
    virtual void summary(const Report& report) = 0;
};

} // namespace netdx::engine
