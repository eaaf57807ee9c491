// SPDX-License-Identifier: GPL-2.0
// Probe: one BPF object (bpf/<family>.bpf.c) attached to one kind of kernel event. Each object
// writes its records to its own ring buffer map `events` and counts the records it could not
// reserve in `lost_events`; RingReader polls the rings, Tracer owns the probes.
//
// Adding a probe: write bpf/<family>.bpf.c (include common.bpf.h), add
// netdx_bpf_skeleton(<family>) in bpf/CMakeLists.txt, a <family>_probe.{h,cpp} implementing this
// class (BpfProbe<T> does the common part), a record struct + decoder case in decode.cpp, and a
// line in probe_registry.cpp.
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
    // Ring buffer size per probe: a power of two, multiple of the page size.
    std::uint32_t ring_bytes = 4U << 20;
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

    // The ring buffer map's fd, -1 when not running.
    virtual int ring_fd() const = 0;
    // Records lost because the ring was full, summed over CPUs (0 when not running).
    virtual std::uint64_t lost_events() const = 0;
    // Kernel ids of the loaded programs (for status output and tests).
    virtual std::vector<std::uint32_t> prog_ids() const = 0;
};

} // namespace netdx::probes
