// SPDX-License-Identifier: GPL-2.0
// What the kernel says about a loaded BPF program, found by its id (the ids rtnetlink reports
// for XDP and tc programs), and the tcx programs attached to a device. Reading programs by id
// needs CAP_SYS_ADMIN; querying tcx needs CAP_NET_ADMIN.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/result.h"

namespace netdx::probes {

struct BpfProgInfo {
    std::uint32_t id = 0;
    // The program's function name from its BTF when it has one, else the kernel's name
    // (bpf_prog_info.name, cut to 15 characters); empty when the loader gave none.
    std::string name;
    std::string type; // libbpf's name of the program type: "xdp", "sched_cls", ...
};

// The program with kernel id `id`. ENOENT when it was unloaded meanwhile; EPERM without
// CAP_SYS_ADMIN.
Result<BpfProgInfo> bpf_prog_info(std::uint32_t id);

enum class TcxDirection { Ingress, Egress };

// Ids of the programs attached with tcx (BPF_TCX_INGRESS / BPF_TCX_EGRESS, Linux 6.6) to the
// device `ifindex` of the calling thread's network namespace, in the order they run. Empty when
// none is attached or the device is gone. EINVAL when the kernel has no tcx.
Result<std::vector<std::uint32_t>> tcx_prog_ids(int ifindex, TcxDirection direction);

} // namespace netdx::probes
