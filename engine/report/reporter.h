// SPDX-License-Identifier: GPL-2.0
// Output of a run, as it happens and at the end. Logs go to stderr; reporters own stdout.
#pragma once

#include <cstdint>
#include <string_view>

#include "report.h"

namespace netdx::engine {

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
    // The run is over.
    virtual void summary(const Report& report) = 0;
};

} // namespace netdx::engine
