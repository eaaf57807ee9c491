// SPDX-License-Identifier: GPL-2.0
// The drop probe: bpf/skb_drop.bpf.c on tp_btf/kfree_skb, one netdx_drop_event per freed skb
// that passes the filter.
#pragma once

#include <memory>

#include "probe.h"

namespace netdx::probes {

std::unique_ptr<Probe> make_drop_probe();

} // namespace netdx::probes
