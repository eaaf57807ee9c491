// SPDX-License-Identifier: GPL-2.0
#include "clock.h"

#include <limits>

#include <time.h>

namespace netdx::probes {
namespace {

std::int64_t ns(const timespec& ts) {
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

} // namespace

std::uint64_t wall_clock_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::uint64_t>(ns(ts));
}

std::int64_t monotonic_to_realtime_offset_ns() {
    std::int64_t best_offset = 0;
    std::int64_t best_window = std::numeric_limits<std::int64_t>::max();
    for (int i = 0; i < 5; ++i) {
        timespec before{};
        timespec real{};
        timespec after{};
        ::clock_gettime(CLOCK_MONOTONIC, &before);
        ::clock_gettime(CLOCK_REALTIME, &real);
        ::clock_gettime(CLOCK_MONOTONIC, &after);
        const std::int64_t window = ns(after) - ns(before);
        if (window < best_window) {
            best_window = window;
            best_offset = ns(real) - (ns(before) + window / 2);
        }
    }
    return best_offset;
}

} // namespace netdx::probes
