// SPDX-License-Identifier: GPL-2.0
// A finding: one diagnosed problem, rolled up over every event that showed it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "event.h"
#include "rule.h"

namespace netdx::engine {

struct AdviceStep {
    AdviceKind kind = AdviceKind::Check;
    std::string text;
};

struct Finding {
    std::string rule_id;
    std::string category;
    Level level = Level::Info;
    Level initial_level = Level::Info; // the rule's level; `level` may have escalated from it
    std::string escalated_because;     // e.g. "3 events"; empty unless escalated
    std::string message;
    std::vector<AdviceStep> advice;
    std::uint64_t count = 0;
    std::uint64_t first_seen_ns = 0; // wall clock
    std::uint64_t last_seen_ns = 0;
    Packet flow;       // the packet of the first event
    std::string netns; // name, or "" when unnamed
    std::uint32_t netns_inode = 0;
    std::string device;
    std::vector<Event> evidence; // the first few events, capped (Diagnoser::Options)

    // Events per second between first and last sighting (at least a one-second window).
    double rate_per_s() const;
};

} // namespace netdx::engine
