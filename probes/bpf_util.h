// SPDX-License-Identifier: GPL-2.0
// Small libbpf helpers shared by the probes.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include <bpf/libbpf.h>

#include "engine/result.h"
#include "unique_fd.h"

namespace netdx::probes {

// Sum of the u64 values of key 0 of a BPF_MAP_TYPE_PERCPU_ARRAY (0 if the lookup fails).
std::uint64_t sum_percpu_u64(int map_fd);

// Kernel ids of the loaded programs of `obj`.
std::vector<std::uint32_t> object_prog_ids(const bpf_object* obj);

// The kernel frees a detached program's id asynchronously (tens of ms after the last fd and link
// are gone). Waits up to `limit` until none of `ids` is loaded; false on timeout.
bool wait_progs_unloaded(const std::vector<std::uint32_t>& ids, std::chrono::milliseconds limit);

// Ring buffer sizes: a power of two and a multiple of the page size (Usage error otherwise).
Result<void> check_ring_bytes(std::uint32_t bytes);

// A BPF ring buffer map of `bytes` (checked as above), not tied to any object.
Result<UniqueFd> create_ring_buffer(std::uint32_t bytes);

// Routes libbpf's messages into NETDX_LOG: warnings and info at Debug, debug at Trace. libbpf's
// "try raising ulimit -l" hint on EPERM is misleading on kernels with memcg accounting, so it
// is never shown at the default level.
void route_libbpf_log();

} // namespace netdx::probes
