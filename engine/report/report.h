// SPDX-License-Identifier: GPL-2.0
// Everything a run produced: what was asked, what could be observed, what was found.
// Serialized as netdx.report/1 (docs/report.schema.json).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../filter.h"
#include "../finding.h"

namespace netdx::engine {

inline constexpr const char* report_schema = "netdx.report/1";

struct ProbeStatus {
    std::string name;       // "drop"
    std::string tracepoint; // "skb:kfree_skb"
    bool attached = false;
    std::string reason; // why it is not attached
    std::uint64_t lost_events = 0;
};

struct FactGap {
    std::string name;   // what could not be read, e.g. "netfilter counters"
    std::string reason; // why
};

struct HostInfo {
    std::string hostname;
    std::string kernel; // uname -r
    bool btf = false;
};

// Why a run ended.
enum class StopReason : std::uint8_t { FirstError, Duration, Interrupted, EndOfInput };
std::string_view stop_reason_name(StopReason reason); // "first-error", "duration", ...

struct Report {
    HostInfo host;
    std::string command; // the command line, as typed
    std::uint64_t started_ns = 0;
    std::uint64_t ended_ns = 0;
    StopReason stop_reason = StopReason::Duration;
    Filter filters;
    std::vector<ProbeStatus> probes;
    std::vector<FactGap> facts_unavailable;
    std::uint64_t events = 0;                                         // events evaluated
    std::uint64_t suppressed = 0;                                     // benign events
    std::vector<std::pair<std::string, std::uint64_t>> suppressed_by; // suppress rule id, count
    std::uint64_t unexplained = 0;                                    // events no rule matched
    std::uint64_t decode_errors = 0;
    std::uint64_t over_finding_cap = 0; // events of findings not kept (Diagnoser max_findings)
    std::vector<Finding> findings;

    std::optional<Level> verdict() const; // worst level, nullopt when nothing was found
    std::uint64_t lost_events() const;    // sum over probes
};

} // namespace netdx::engine
