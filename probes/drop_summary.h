// SPDX-License-Identifier: GPL-2.0
// DropSummary: `netdx drops --summary`. bpf/drop_summary.bpf.c counts skb:kfree_skb in the kernel
// by (reason, location, netns), with the same in-kernel filter as the probes; every read() returns
// the counts since the previous one, with reasons, symbols and netns names resolved. Nothing is
// copied per packet to user space, so it stays cheap under a drop storm.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/event.h"
#include "engine/filter.h"
#include "engine/result.h"

namespace netdx::probes {

struct DropCount {
    std::uint32_t reason_code = 0;
    std::string reason;      // "NETFILTER_DROP", or "reason 200" when BTF does not name it
    engine::Frame location;  // the function that freed the packets
    std::uint32_t netns = 0; // inode, 0 when unknown
    std::string netns_name;  // "host", a /run/netns name, or "" when unknown
    std::uint64_t count = 0; // drops since the previous read()
};

class DropSummary {
public:
    // Checks the environment like Tracer::make (Environment errors), resolves filter.netns by
    // name (Usage error when unknown), loads and attaches the counter program, then reads
    // /proc/kallsyms (so our own program is in it).
    static Result<DropSummary> start(const engine::Filter& filter);

    DropSummary(DropSummary&&) noexcept;
    DropSummary& operator=(DropSummary&&) noexcept;
    ~DropSummary(); // stop()

    // Counts since the previous read (the first: since start), one per key that counted drops,
    // most first. Keys idle for a while are deleted from the kernel map to keep room.
    Result<std::vector<DropCount>> read();

    // Drops that passed the filter but were not counted because the key map was full.
    std::uint64_t uncounted() const;

    // Kernel ids of the loaded program (tests, -v); empty after stop().
    std::vector<std::uint32_t> prog_ids() const;

    // Detaches and unloads; returns once the kernel no longer lists the program.
    void stop();

private:
    struct Impl;
    explicit DropSummary(std::unique_ptr<Impl> impl);

    std::unique_ptr<Impl> impl_;
};

} // namespace netdx::probes
