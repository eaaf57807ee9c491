// SPDX-License-Identifier: GPL-2.0
#include "ring_reader.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <span>

#include <bpf/libbpf.h>

#include "engine/log.h"

namespace netdx::probes {

void RingReader::RingBufferFree::operator()(ring_buffer* rb) const {
    ring_buffer__free(rb);
}

RingReader::RingReader(const DecodeContext& ctx, EventSink& sink)
    : state_(std::make_unique<State>()) {
    state_->ctx = &ctx;
    state_->sink = &sink;
}

namespace {
// Returned by on_record to end a poll whose time is up (the record itself was handled).
constexpr int out_of_time = -ECANCELED;
constexpr std::chrono::milliseconds poll_budget{100};
constexpr std::uint64_t records_between_clock_checks = 256;
} // namespace

int RingReader::on_record(void* state, void* data, std::size_t size) {
    auto* st = static_cast<State*>(state);
    ++st->records;
    ++st->polled;
    const std::span<const std::uint8_t> record(static_cast<const std::uint8_t*>(data), size);
    auto event = decode_record(record, *st->ctx);
    if (!event) {
        ++st->decode_errors;
        NETDX_LOG(Trace) << event.error().message;
        return 0; // skip it, keep consuming
    }
    st->sink->on_event(std::move(*event));
    // libbpf keeps consuming while records keep coming: under a flood faster than we handle
    // them, a poll would never return, and --duration, Ctrl-C and the loss warnings with it.
    if (st->polled % records_between_clock_checks == 0 &&
        std::chrono::steady_clock::now() >= st->deadline) {
        return out_of_time;
    }
    return 0;
}

Result<void> RingReader::add(int ring_fd) {
    if (ring_fd < 0) {
        return make_error(ErrorKind::Internal, "ring buffer map is not loaded");
    }
    if (!rb_) {
        errno = 0;
        ring_buffer* rb = ring_buffer__new(ring_fd, on_record, state_.get(), nullptr);
        if (rb == nullptr) {
            return make_error(ErrorKind::Environment, "cannot map the ring buffer", errno);
        }
        rb_.reset(rb);
        return {};
    }
    if (const int rc = ring_buffer__add(rb_.get(), ring_fd, on_record, state_.get()); rc != 0) {
        return make_error(ErrorKind::Environment, "cannot map the ring buffer", -rc);
    }
    return {};
}

int RingReader::poll(int timeout_ms) {
    if (!rb_) {
        return -EINVAL;
    }
    // The probes wake us only when the ring fills up: never wait without a bound.
    timeout_ms = timeout_ms < 0 ? static_cast<int>(poll_budget.count()) : timeout_ms;
    state_->polled = 0;
    state_->deadline = std::chrono::steady_clock::now() +
                       std::max(poll_budget, std::chrono::milliseconds(timeout_ms));
    int rc = ring_buffer__poll(rb_.get(), timeout_ms);
    if (rc == 0) {
        // Records written since the last wake-up (netdx_wakeup_flags) are there without one.
        rc = ring_buffer__consume(rb_.get());
    }
    return rc == out_of_time ? static_cast<int>(state_->polled) : rc;
}

std::uint64_t RingReader::records() const {
    return state_->records;
}

std::uint64_t RingReader::decode_errors() const {
    return state_->decode_errors;
}

} // namespace netdx::probes
