// SPDX-License-Identifier: GPL-2.0
#include "drop_probe.h"

// clang-format off: the skeleton needs the ABI structs declared first
#include "bpf/events.h"
#include "skb_drop.skel.h"
// clang-format on

#include "bpf_probe.h"

namespace netdx::probes {
namespace {

class DropProbe final : public BpfProbe<skb_drop_bpf> {
public:
    std::string_view name() const override { return "drop"; }
    std::string_view tracepoint() const override { return "skb:kfree_skb"; }
    engine::EventKind kind() const override { return engine::EventKind::Drop; }

protected:
    SkeletonOps<skb_drop_bpf> ops() const override { return NETDX_SKELETON_OPS(skb_drop_bpf); }
};

} // namespace

std::unique_ptr<Probe> make_drop_probe() {
    return std::make_unique<DropProbe>();
}

} // namespace netdx::probes
