// SPDX-License-Identifier: GPL-2.0
// Probe: one BPF object (bpf/<name>.bpf.c) attached to one kind of kernel event, through one or
// more tracepoints; it attaches whole or not at all. Each object writes its records to a ring
// buffer map `events` (its own, or one shared by every probe) and counts the records it could not
// write in its own `lost_events`; RingReader polls the rings, Tracer owns the probes.
//
// Adding a probe: write bpf/<name>.bpf.c (trace.bpf.h builds a struct netdx_trace_event), add it
// to the probe list in bpf/CMakeLists.txt, a tracepoint id in bpf/events.h and its decoding in
// decode.cpp, and a line in probe_registry.cpp.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/event.h"
#include "engine/filter.h"
#include "engine/result.h"

namespace netdx::probes {

struct ProbeOptions {
    // Applied in the kernel. `netns` must be resolved to `netns_inode` (Tracer does it).
    engine::Filter filter;
    // Ring buffer size: a power of two, multiple of the page size.
    std::uint32_t ring_bytes = 4U << 20;
    // A ring buffer map to write to instead of the object's own (Tracer shares one among all
    // its probes, so memory does not grow with the number of probes); -1: the probe's own.
    int shared_ring_fd = -1;
};

class Probe {
public:
    virtual ~Probe() = default;

    virtual std::string_view name() const = 0;       // "drop"
    virtual std::string_view tracepoint() const = 0; // "skb:kfree_skb"
    virtual engine::EventKind kind() const = 0;      // what its records decode to

    // Open, write the filter to .rodata, size the ring, load, attach. On failure nothing stays
    // loaded.
    virtual Result<void> start(const ProbeOptions& options) = 0;
    // Detach and unload; a no-op when not started.
    virtual void stop() = 0;
    virtual bool running() const = 0;

    // Records lost because the ring was full, summed over CPUs (0 when not running).
    virtual std::uint64_t lost_events() const = 0;
    // Kernel ids of the loaded programs (for status output and tests).
    virtual std::vector<std::uint32_t> prog_ids() const = 0;
};

} // namespace netdx::probes
