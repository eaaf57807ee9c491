// SPDX-License-Identifier: GPL-2.0
// RingReader: one libbpf ring_buffer over the ring buffer maps it is given (Tracer gives it one,
// shared by every probe), one poll loop. Each record is decoded and handed to the EventSink on
// the polling thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "decode.h"
#include "engine/event.h"
#include "engine/result.h"

struct ring_buffer;

namespace netdx::probes {

class EventSink {
public:
    virtual ~EventSink() = default;
    virtual void on_event(engine::Event&& event) = 0;
};

class RingReader {
public:
    // `ctx` and `sink` must outlive the reader.
    RingReader(const DecodeContext& ctx, EventSink& sink);

    // Adds one probe's ring buffer map.
    Result<void> add(int ring_fd);

    // Waits up to `timeout_ms` (negative: 100 ms; the probes wake the reader only once the ring
    // fills up, so every wait is bounded), then consumes what is there, but returns after about
    // 100 ms (or the timeout) of handling even when records keep coming, so the caller's loop
    // runs under any load. Returns the number of records handled, or a negative errno; -EINTR
    // means a signal interrupted the wait: not an error, check your stop flag and poll again.
    int poll(int timeout_ms);

    std::uint64_t records() const;
    // Records that could not be decoded (ABI mismatch); they are skipped, not fatal.
    std::uint64_t decode_errors() const;

private:
    struct State {
        const DecodeContext* ctx = nullptr;
        EventSink* sink = nullptr;
        std::uint64_t records = 0;
        std::uint64_t decode_errors = 0;
        std::uint64_t polled = 0;                       // records handled by the current poll()
        std::chrono::steady_clock::time_point deadline; // the current poll() returns after it
    };
    struct RingBufferFree {
        void operator()(ring_buffer* rb) const;
    };

    static int on_record(void* state, void* data, std::size_t size);

    std::unique_ptr<State> state_; // stable address: libbpf keeps a pointer to it
    std::unique_ptr<ring_buffer, RingBufferFree> rb_;
};

} // namespace netdx::probes
