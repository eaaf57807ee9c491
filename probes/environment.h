// SPDX-License-Identifier: GPL-2.0
// Can this process trace at all? Kernel >= 5.8 (ring buffer, tp_btf), BTF for CO-RE, and the
// privileges to load tracing programs. Facts are read once; the check on them is pure (testable).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/result.h"

namespace netdx::probes {

struct EnvironmentFacts {
    std::string kernel_release; // uname -r, e.g. "6.18.44-fc"
    bool btf_present = false;   // /sys/kernel/btf/vmlinux exists
    std::string btf_path;       // where BTF was looked for
    std::uint32_t euid = 0;
    std::optional<std::uint64_t> cap_eff; // CapEff from /proc/self/status, if readable
};

// Capability bit numbers (linux/capability.h) that the check looks at.
inline constexpr int cap_sys_admin = 21;
inline constexpr int cap_perfmon = 38;
inline constexpr int cap_bpf = 39;

EnvironmentFacts read_environment_facts();

// Every problem found, in one Environment error: the message names what is missing, the hint what
// to do. Privileges: CAP_BPF+CAP_PERFMON or CAP_SYS_ADMIN in CapEff; when CapEff cannot be read,
// effective uid 0.
Result<void> check_tracing_environment(const EnvironmentFacts& facts);
Result<void> check_tracing_environment();

} // namespace netdx::probes
