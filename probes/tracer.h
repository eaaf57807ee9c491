// SPDX-License-Identifier: GPL-2.0
// Tracer: what the CLI uses to trace. It loads the decode context (drop-reason names from BTF,
// netns names, clock offset; kallsyms once the probes are attached, so that our own programs are
// in it), starts the probes for the event kinds asked for, decodes their records into an
// EventSink, and detaches everything on stop() or destruction.
// A probe that fails to load or attach is recorded in probe_status() and the others go on.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "decode.h"
#include "engine/event.h"
#include "engine/result.h"
#include "probe.h"
#include "ring_reader.h"

namespace netdx::probes {

struct ProbeStatus {
    std::string name;       // "drop"; the event kind's name when netdx has no probe for it
    std::string tracepoint; // "skb:kfree_skb", "" when there is no probe
    engine::EventKind kind = engine::EventKind::Drop;
    bool attached = false;
    std::string reason; // why it is not attached, "" when attached
    std::string hint;
    std::vector<std::uint32_t> prog_ids; // kernel program ids while attached
};

struct ProbeLoss {
    std::string name;
    std::uint64_t lost = 0; // records dropped because the probe's ring buffer was full
};

class Tracer {
public:
    // Checks the environment (kernel, BTF, privileges: Environment errors) and loads the decode
    // context except kallsyms. Routes libbpf's log into NETDX_LOG(Debug). Attaches nothing yet.
    static Result<Tracer> make();

    Tracer(Tracer&&) noexcept;
    Tracer& operator=(Tracer&&) noexcept;
    ~Tracer(); // stop()

    // Starts the probes that produce `kinds` (empty: every probe) with `options`; records go to
    // `sink`, which must outlive the run. Resolves options.filter.netns by name. Fails with Usage
    // for a bad filter or ring size, with Environment when no probe could be attached (the
    // message lists each probe's reason). Starting again stops the previous run first. After
    // attaching it (re)reads /proc/kallsyms.
    Result<void>
    start(const std::set<engine::EventKind>& kinds, const ProbeOptions& options, EventSink& sink);

    // See RingReader::poll: records handled, or a negative errno; -EINTR means interrupted.
    int poll(int timeout_ms);

    // Detaches and unloads every probe; afterwards no program of ours is in the kernel.
    void stop();

    // One entry per probe started or asked for, in registry order; kept after stop().
    const std::vector<ProbeStatus>& probe_status() const;
    std::vector<ProbeLoss> lost_events() const;
    std::uint64_t decode_errors() const;
    const DecodeContext& decode_context() const;

private:
    struct Impl;
    explicit Tracer(std::unique_ptr<Impl> impl);

    std::unique_ptr<Impl> impl_;
};

} // namespace netdx::probes
