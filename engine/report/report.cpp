// SPDX-License-Identifier: GPL-2.0
#include "report.h"

namespace netdx::engine {

std::string_view stop_reason_name(StopReason reason) {
    switch (reason) {
    case StopReason::FirstError:
        return "first-error";
    case StopReason::Duration:
        return "duration";
    case StopReason::Interrupted:
        return "interrupted";
    case StopReason::EndOfInput:
        return "end-of-input";
    }
    return "unknown";
}

std::optional<Level> Report::verdict() const {
    std::optional<Level> worst;
    for (const auto& f : findings) {
        if (!worst || f.level > *worst) {
            worst = f.level;
        }
    }
    return worst;
}

std::uint64_t Report::lost_events() const {
    std::uint64_t total = 0;
    for (const auto& p : probes) {
        total += p.lost_events;
    }
    return total;
}

} // namespace netdx::engine
