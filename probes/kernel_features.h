// SPDX-License-Identifier: GPL-2.0
// What this kernel offers netdx, found by trying each thing for real: the effective capabilities
// (capget), the kernel BTF, a ring buffer map, a minimal tp_btf program loaded and attached on
// every tracepoint netdx uses, an fentry program, the kprobe PMU and kprobe_events, tracefs and
// kallsyms addresses. probe_kernel_features() does the probing (libbpf); assess() only judges the
// facts, so it is unit tested on faked ones.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace netdx::probes {

enum class Availability { Yes, No, NotChecked };

std::string_view availability_name(Availability a); // "yes", "no", "not checked"

// The outcome of one probe of the kernel.
struct Probed {
    Availability state = Availability::NotChecked;
    std::string detail; // no: why, with the errno text; not checked: why not; yes: a note or ""
    int sys_errno = 0;  // errno of the call that failed, 0 when none did

    static Probed yes(std::string note = {});
    static Probed no(std::string why, int sys_errno = 0);
    static Probed not_checked(std::string why);
    bool ok() const { return state == Availability::Yes; }
};

// "EPERM (Operation not permitted)".
std::string errno_text(int sys_errno);

// A tracepoint one of netdx's probes attaches to (as tp_btf).
struct TracepointUse {
    std::string_view probe;      // the netdx probe: "drop", "tcp", ...
    std::string_view tracepoint; // the raw tracepoint: "kfree_skb", ...
};

// Every tracepoint netdx's probes use, grouped by probe, probes in the order they start.
std::span<const TracepointUse> netdx_tracepoints();

struct TracepointResult {
    TracepointUse use;
    Probed result;
};

struct CapabilityName {
    std::string_view name;
    int bit; // linux/capability.h
};

// The capabilities netdx looks at, in the order they are reported.
std::span<const CapabilityName> checked_capabilities();

struct Privileges {
    std::uint32_t euid = 0;
    std::optional<std::uint64_t> cap_eff; // effective set from capget; nullopt if it failed
    std::string cap_error;                // why capget failed

    bool has(int cap) const { return cap_eff && ((*cap_eff >> cap) & 1U) != 0; }
    // The kernel's bpf_capable() and perfmon_capable(): CAP_SYS_ADMIN covers both.
    bool bpf_capable() const;
    bool perfmon_capable() const;
};

// The kernel function the fentry test attaches to: present on every kernel netdx supports.
inline constexpr const char* fentry_target = "tcp_v4_rcv";

struct KernelFeatures {
    std::string kernel_release;
    Privileges privileges;
    Probed btf;
    Probed ring_buffer;
    std::vector<TracepointResult> tracepoints; // in netdx_tracepoints() order
    Probed fentry;                             // on fentry_target
    Probed kprobe_pmu;                         // /sys/bus/event_source/devices/kprobe
    Probed kprobe_events;                      // <tracefs>/kprobe_events
    Probed tracefs;
    Probed kallsyms; // real addresses in /proc/kallsyms
};

// Probes this kernel. Loads and attaches only when the capabilities allow it; otherwise those
// results are NotChecked and say which capability is needed. Never fails as a whole.
KernelFeatures probe_kernel_features();

// ---- judging (pure) ----

// What the capabilities lack for tracing: {"CAP_BPF", "CAP_PERFMON"}, either, or none.
std::vector<std::string> missing_capabilities(const Privileges& privileges);

// One netdx feature and whether this kernel and process allow it.
struct FeatureVerdict {
    std::string feature; // "drop diagnosis", "probe tcp", ...
    Probed verdict;
};

struct Assessment {
    std::vector<FeatureVerdict> verdicts;
    bool diagnose_can_run = false;
    std::vector<std::string> missing; // what stops `netdx diagnose`, each naming what is missing
    std::string hint;                 // what to do about it, "" when nothing is missing
    std::size_t usable_probes = 0;
    std::size_t probe_count = 0;
};

Assessment assess(const KernelFeatures& features);

} // namespace netdx::probes
