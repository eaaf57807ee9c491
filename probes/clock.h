// SPDX-License-Identifier: GPL-2.0
// BPF timestamps are CLOCK_MONOTONIC (bpf_ktime_get_ns); reports use wall-clock time.
#pragma once

#include <cstdint>

namespace netdx::probes {

// CLOCK_REALTIME - CLOCK_MONOTONIC in nanoseconds, sampled now (the tightest of a few reads).
std::int64_t monotonic_to_realtime_offset_ns();

// Wall clock (CLOCK_REALTIME), nanoseconds since the UNIX epoch.
std::uint64_t wall_clock_ns();

} // namespace netdx::probes
