// SPDX-License-Identifier: GPL-2.0
// Drop-reason names of the running kernel, from its BTF `enum skb_drop_reason`: the numbering
// differs between kernels, so there is no built-in table.
#pragma once

#include "decode.h"
#include "engine/result.h"

namespace netdx::probes {

// Value -> name with the SKB_DROP_REASON_ prefix removed (SKB_CONSUMED -> "CONSUMED"); MAX and
// the subsystem mask are left out. Empty when the kernel has no such enum; an error when the
// kernel BTF cannot be loaded.
Result<ReasonNames> load_drop_reason_names();

} // namespace netdx::probes
