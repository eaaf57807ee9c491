// SPDX-License-Identifier: GPL-2.0
// engine::Filter (what the operator asked for) -> struct netdx_filter (bpf/events.h), the
// .rodata every BPF object checks before reserving ring-buffer space.
#pragma once

#include "bpf/events.h"
#include "engine/filter.h"
#include "engine/result.h"

namespace netdx::probes {

// `filter.netns` must already be resolved into `filter.netns_inode`. Ports stay host order, as in
// struct netdx_pkt. Fails (Usage) on a device name longer than 15 characters.
Result<netdx_filter> to_kernel_filter(const engine::Filter& filter);

} // namespace netdx::probes
