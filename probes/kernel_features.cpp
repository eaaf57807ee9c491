// SPDX-License-Identifier: GPL-2.0
#include "kernel_features.h"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>

#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>
#include <linux/magic.h>

#include "environment.h"
#include "unique_fd.h"

namespace netdx::probes {
namespace {

// The contract with the probes: which tracepoints each one attaches to. One table, nowhere else.
constexpr TracepointUse tracepoint_table[] = {
    {"drop", "kfree_skb"},
    {"rx", "netif_receive_skb"},
    {"tx", "net_dev_queue"},
    {"tx", "net_dev_xmit"},
    {"route", "fib_table_lookup"},
    {"route", "fib6_table_lookup"},
    {"neigh", "neigh_update"},
    {"neigh", "neigh_timer_handler"},
    {"neigh", "neigh_event_send_dead"},
    {"tcp", "tcp_send_reset"},
    {"tcp", "tcp_receive_reset"},
    {"tcp", "tcp_retransmit_skb"},
    {"tcp", "tcp_retransmit_synack"},
    {"tcp", "tcp_bad_csum"},
    {"sock", "inet_sock_set_state"},
    {"sock", "inet_sk_error_report"},
    {"sock", "udp_fail_queue_rcv_skb"},
    {"sock", "sock_exceed_buf_limit"},
    {"icmp", "icmp_send"},
    {"xdp", "xdp_exception"},
    {"xdp", "xdp_redirect_err"},
};

constexpr int cap_net_admin = 12;

constexpr CapabilityName capability_table[] = {
    {"CAP_BPF", cap_bpf},
    {"CAP_PERFMON", cap_perfmon},
    {"CAP_NET_ADMIN", cap_net_admin},
    {"CAP_SYS_ADMIN", cap_sys_admin},
};

constexpr const char* btf_path = "/sys/kernel/btf/vmlinux";
constexpr const char* kprobe_pmu_type = "/sys/bus/event_source/devices/kprobe/type";
constexpr std::array<const char*, 2> tracefs_paths = {"/sys/kernel/tracing",
                                                      "/sys/kernel/debug/tracing"};

struct BtfDeleter {
    void operator()(btf* b) const { btf__free(b); }
};
using BtfPtr = std::unique_ptr<btf, BtfDeleter>;

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        out += (i == 0 ? "" : std::string(sep)) + parts[i];
    }
    return out;
}

Privileges read_privileges() {
    Privileges p;
    p.euid = ::geteuid();
    __user_cap_header_struct header{};
    header.version = _LINUX_CAPABILITY_VERSION_3;
    header.pid = 0;
    std::array<__user_cap_data_struct, _LINUX_CAPABILITY_U32S_3> data{};
    if (::syscall(SYS_capget, &header, data.data()) != 0) {
        p.cap_error = "capget: " + errno_text(errno);
        return p;
    }
    p.cap_eff = (std::uint64_t{data[1].effective} << 32) | data[0].effective;
    return p;
}

// "needs CAP_BPF and CAP_PERFMON" for a load test the process may not run.
std::string needs(const std::vector<std::string>& caps) {
    return "needs " + join(caps, " and ");
}

// The last non-empty line of a verifier log.
std::string last_line(const std::vector<char>& log) {
    std::string text(log.data(), ::strnlen(log.data(), log.size()));
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    const auto nl = text.rfind('\n');
    return nl == std::string::npos ? text : text.substr(nl + 1);
}

struct LoadSpec {
    bpf_attach_type attach_type;
    std::uint32_t attach_btf_id;
    const char* name; // the program's name in the kernel
};

// Loads `r0 = 0; exit` as a BPF_PROG_TYPE_TRACING program for `spec`, attaches it, then closes
// both: the kernel's own answer to "can netdx attach here".
Probed load_and_attach(const LoadSpec& spec) {
    const bpf_insn insns[] = {
        {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0}, // r0 = 0
        {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},                  // exit
    };
    bpf_prog_load_opts opts;
    std::memset(&opts, 0, sizeof(opts));
    opts.sz = sizeof(opts);
    opts.expected_attach_type = spec.attach_type;
    opts.attach_btf_id = spec.attach_btf_id;
    UniqueFd prog(
        bpf_prog_load(BPF_PROG_TYPE_TRACING, spec.name, "GPL", insns, std::size(insns), &opts));
    if (prog.get() < 0) {
        const int load_errno = errno;
        // Again with the verifier log, to say why.
        std::vector<char> log(16384, '\0');
        opts.log_level = 1;
        opts.log_size = static_cast<std::uint32_t>(log.size());
        opts.log_buf = log.data();
        UniqueFd retry(
            bpf_prog_load(BPF_PROG_TYPE_TRACING, spec.name, "GPL", insns, std::size(insns), &opts));
        if (retry.get() >= 0) {
            return Probed::no("BPF_PROG_LOAD failed once with " + errno_text(load_errno) +
                                  ", then succeeded",
                              load_errno);
        }
        const std::string why = last_line(log);
        return Probed::no(errno_text(load_errno) + " at BPF_PROG_LOAD" +
                              (why.empty() ? ", before the verifier ran (its log is empty)"
                                           : ": verifier: " + why),
                          load_errno);
    }
    UniqueFd link(bpf_raw_tracepoint_open(nullptr, prog.get()));
    if (link.get() < 0) {
        const int attach_errno = errno;
        return Probed::no(errno_text(attach_errno) + " when attaching (BPF_RAW_TRACEPOINT_OPEN)",
                          attach_errno);
    }
    return Probed::yes();
}

std::pair<BtfPtr, Probed> probe_btf() {
    errno = 0;
    BtfPtr vmlinux(btf__load_vmlinux_btf());
    if (!vmlinux) {
        const int e = errno;
        return {nullptr,
                Probed::no(std::string("cannot load ") + btf_path + ": " + errno_text(e), e)};
    }
    return {std::move(vmlinux), Probed::yes(btf_path)};
}

Probed probe_ring_buffer() {
    errno = 0;
    const int supported = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, nullptr);
    const int e = errno;
    if (supported == 1) {
        return Probed::yes();
    }
    if (supported < 0) {
        return Probed::no("probing BPF_MAP_TYPE_RINGBUF failed: " + errno_text(-supported),
                          -supported);
    }
    return Probed::no("the kernel refused a BPF_MAP_TYPE_RINGBUF map" +
                          (e != 0 ? ": " + errno_text(e) : std::string()),
                      e);
}

Probed probe_tracepoint(const btf* vmlinux, std::string_view tracepoint) {
    const std::string type_name = "btf_trace_" + std::string(tracepoint);
    const __s32 id = btf__find_by_name_kind(vmlinux, type_name.c_str(), BTF_KIND_TYPEDEF);
    if (id < 0) {
        return Probed::no("not in this kernel's BTF (no typedef " + type_name + ")");
    }
    return load_and_attach({BPF_TRACE_RAW_TP, static_cast<std::uint32_t>(id), "netdx_check_tp"});
}

Probed probe_fentry(const btf* vmlinux, const Privileges& privileges) {
    const __s32 id = btf__find_by_name_kind(vmlinux, fentry_target, BTF_KIND_FUNC);
    if (id < 0) {
        return Probed::not_checked(std::string("no BTF FUNC ") + fentry_target + " to attach to");
    }
    Probed r =
        load_and_attach({BPF_TRACE_FENTRY, static_cast<std::uint32_t>(id), "netdx_check_fe"});
    if (r.ok()) {
        r.detail = std::string("loaded and attached on ") + fentry_target;
    } else if (r.sys_errno == EPERM && privileges.bpf_capable() && privileges.perfmon_capable()) {
        // The process holds what the kernel asks of tracing programs (tp_btf loads with the same
        // privileges), so the refusal is this kernel's policy for fentry.
        r.detail += "; the process has CAP_BPF and CAP_PERFMON: this kernel refuses fentry";
    }
    return r;
}

Probed probe_kprobe_pmu() {
    std::ifstream in(kprobe_pmu_type);
    int type = -1;
    if (!in) {
        const int e = errno;
        return Probed::no(std::string(kprobe_pmu_type) + ": " + errno_text(e) +
                              "; the kernel registers this PMU when built with "
                              "CONFIG_KPROBE_EVENTS",
                          e);
    }
    if (!(in >> type)) {
        return Probed::no(std::string("cannot read ") + kprobe_pmu_type);
    }
    return Probed::yes("perf PMU type " + std::to_string(type));
}

// Where tracefs is mounted, "" if nowhere.
std::pair<std::string, Probed> probe_tracefs() {
    std::vector<std::string> problems;
    for (const char* path : tracefs_paths) {
        struct statfs fs {};
        if (::statfs(path, &fs) != 0) {
            if (errno != ENOENT) {
                problems.push_back(std::string(path) + ": " + errno_text(errno));
            }
            continue;
        }
        if (fs.f_type == TRACEFS_MAGIC) {
            return {path, Probed::yes(std::string("mounted at ") + path)};
        }
    }
    std::string why = std::string("not mounted at ") + tracefs_paths[0] + " or " +
                      tracefs_paths[1] +
                      (problems.empty() ? "" : " (" + join(problems, "; ") + ")");
    std::ifstream filesystems("/proc/filesystems");
    std::string line;
    while (std::getline(filesystems, line)) {
        if (line.ends_with("\ttracefs")) {
            why += "; the kernel has it: mount -t tracefs nodev /sys/kernel/tracing";
            break;
        }
    }
    return {"", Probed::no(why)};
}

Probed probe_kprobe_events(const std::string& tracefs_mount) {
    if (tracefs_mount.empty()) {
        return Probed::not_checked("tracefs is not mounted");
    }
    const std::string path = tracefs_mount + "/kprobe_events";
    if (::access(path.c_str(), F_OK) != 0) {
        const int e = errno;
        return Probed::no(path + ": " + errno_text(e), e);
    }
    return Probed::yes(path);
}

// "kptr_restrict=0", from /proc/sys/kernel.
std::string sysctl_text(const std::string& name) {
    std::ifstream in("/proc/sys/kernel/" + name);
    std::string value;
    if (!(in >> value)) {
        value = "?";
    }
    return name + "=" + value;
}

Probed probe_kallsyms() {
    std::ifstream in("/proc/kallsyms");
    if (!in) {
        const int e = errno;
        return Probed::no("/proc/kallsyms: " + errno_text(e), e);
    }
    std::string line;
    std::size_t symbols = 0;
    while (std::getline(in, line)) {
        ++symbols;
        if (line.find_first_not_of('0') < line.find(' ')) {
            return Probed::yes();
        }
    }
    if (symbols == 0) {
        return Probed::no("/proc/kallsyms is empty");
    }
    // The kernel shows them when kptr_restrict=0 and perf_event_paranoid<=1, else only to
    // CAP_SYSLOG (and never with kptr_restrict=2).
    return Probed::no("every address in /proc/kallsyms reads 0 to this process (kernel." +
                      sysctl_text("kptr_restrict") + ", kernel." +
                      sysctl_text("perf_event_paranoid") + "); CAP_SYSLOG would show them");
}

} // namespace

std::string_view availability_name(Availability a) {
    switch (a) {
    case Availability::Yes:
        return "yes";
    case Availability::No:
        return "no";
    case Availability::NotChecked:
        return "not checked";
    }
    return "?";
}

Probed Probed::yes(std::string note) {
    return {Availability::Yes, std::move(note), 0};
}

Probed Probed::no(std::string why, int sys_errno) {
    return {Availability::No, std::move(why), sys_errno};
}

Probed Probed::not_checked(std::string why) {
    return {Availability::NotChecked, std::move(why), 0};
}

std::string errno_text(int sys_errno) {
    const char* name = ::strerrorname_np(sys_errno);
    const std::string description = std::strerror(sys_errno);
    if (name == nullptr) {
        return "errno " + std::to_string(sys_errno) + " (" + description + ")";
    }
    return std::string(name) + " (" + description + ")";
}

std::span<const TracepointUse> netdx_tracepoints() {
    return tracepoint_table;
}

std::span<const CapabilityName> checked_capabilities() {
    return capability_table;
}

bool Privileges::bpf_capable() const {
    return has(cap_bpf) || has(cap_sys_admin);
}

bool Privileges::perfmon_capable() const {
    return has(cap_perfmon) || has(cap_sys_admin);
}

KernelFeatures probe_kernel_features() {
    KernelFeatures f;
    struct utsname uts {};
    if (::uname(&uts) == 0) {
        f.kernel_release = uts.release;
    }
    f.privileges = read_privileges();
    const auto missing = missing_capabilities(f.privileges);
    const bool can_trace = missing.empty();

    auto [vmlinux, btf_result] = probe_btf();
    f.btf = std::move(btf_result);

    if (f.privileges.bpf_capable()) {
        f.ring_buffer = probe_ring_buffer();
    } else {
        f.ring_buffer = Probed::not_checked("needs CAP_BPF");
    }

    for (const auto& use : netdx_tracepoints()) {
        Probed r;
        if (!vmlinux) {
            r = Probed::not_checked("no kernel BTF");
        } else if (!can_trace) {
            r = Probed::not_checked(needs(missing));
        } else {
            r = probe_tracepoint(vmlinux.get(), use.tracepoint);
        }
        f.tracepoints.push_back({use, std::move(r)});
    }

    if (!vmlinux) {
        f.fentry = Probed::not_checked("no kernel BTF");
    } else if (!can_trace) {
        f.fentry = Probed::not_checked(needs(missing));
    } else {
        f.fentry = probe_fentry(vmlinux.get(), f.privileges);
    }

    f.kprobe_pmu = probe_kprobe_pmu();
    auto [tracefs_mount, tracefs_result] = probe_tracefs();
    f.tracefs = std::move(tracefs_result);
    f.kprobe_events = probe_kprobe_events(tracefs_mount);
    f.kallsyms = probe_kallsyms();
    return f;
}

std::vector<std::string> missing_capabilities(const Privileges& privileges) {
    std::vector<std::string> missing;
    if (!privileges.bpf_capable()) {
        missing.emplace_back("CAP_BPF");
    }
    if (!privileges.perfmon_capable()) {
        missing.emplace_back("CAP_PERFMON");
    }
    return missing;
}

namespace {

// A probe is usable when every one of its tracepoints loaded and attached.
Probed probe_verdict(const KernelFeatures& f, std::string_view probe) {
    Probed not_checked;
    for (const auto& tp : f.tracepoints) {
        if (tp.use.probe != probe) {
            continue;
        }
        if (tp.result.state == Availability::No) {
            return Probed::no(std::string(tp.use.tracepoint) + ": " + tp.result.detail,
                              tp.result.sys_errno);
        }
        if (tp.result.state == Availability::NotChecked && not_checked.detail.empty()) {
            not_checked = Probed::not_checked(tp.result.detail);
        }
    }
    if (!not_checked.detail.empty()) {
        return not_checked;
    }
    return Probed::yes();
}

} // namespace

Assessment assess(const KernelFeatures& f) {
    Assessment a;
    const auto caps = missing_capabilities(f.privileges);

    // What every probe needs: privileges, BTF, a ring buffer.
    std::vector<std::string> base;
    if (!caps.empty()) {
        std::vector<std::string> notes;
        if (f.privileges.euid != 0) {
            notes.emplace_back("not root");
        }
        if (!f.privileges.cap_error.empty()) {
            notes.push_back(f.privileges.cap_error);
        }
        base.push_back("missing capabilities: " + join(caps, ", ") +
                       (notes.empty() ? "" : " (" + join(notes, "; ") + ")"));
        a.hint = "run as root (sudo netdx ...), or give the binary the capabilities: "
                 "setcap cap_bpf,cap_perfmon+ep $(command -v netdx)";
    }
    if (f.btf.state == Availability::No) {
        base.push_back("no kernel BTF (" + f.btf.detail + ")");
        a.hint += std::string(a.hint.empty() ? "" : "; ") +
                  "use a kernel built with CONFIG_DEBUG_INFO_BTF=y";
    }
    if (f.ring_buffer.state == Availability::No) {
        base.push_back("no BPF ring buffer (" + f.ring_buffer.detail + ")");
        a.hint += std::string(a.hint.empty() ? "" : "; ") + "netdx needs Linux >= 5.8";
    }

    std::vector<FeatureVerdict> probes;
    std::string_view previous;
    for (const auto& use : netdx_tracepoints()) {
        if (use.probe == previous) {
            continue;
        }
        previous = use.probe;
        Probed v = probe_verdict(f, use.probe);
        a.usable_probes += v.ok() ? 1 : 0;
        ++a.probe_count;
        probes.push_back({"probe " + std::string(use.probe), std::move(v)});
    }

    // Drop diagnosis: the base plus the drop probe.
    {
        std::vector<std::string> problems = base;
        Probed drop = probe_verdict(f, "drop");
        if (drop.state == Availability::No) {
            problems.push_back(drop.detail);
        }
        if (!problems.empty()) {
            a.verdicts.push_back({"drop diagnosis", Probed::no(join(problems, "; "))});
        } else if (drop.state == Availability::NotChecked) {
            a.verdicts.push_back({"drop diagnosis", drop});
        } else {
            a.verdicts.push_back({"drop diagnosis", Probed::yes()});
        }
    }
    for (auto& p : probes) {
        a.verdicts.push_back(std::move(p));
    }

    if (f.kallsyms.ok()) {
        a.verdicts.push_back({"kernel stacks symbolized", Probed::yes()});
    } else {
        a.verdicts.push_back(
            {"kernel stacks symbolized",
             {f.kallsyms.state, f.kallsyms.detail + "; stacks show raw addresses", 0}});
    }

    const bool kprobes = f.kprobe_pmu.ok() || f.kprobe_events.ok();
    if (f.fentry.ok() || kprobes) {
        std::vector<std::string> which;
        if (f.fentry.ok()) {
            which.emplace_back("fentry");
        }
        if (kprobes) {
            which.emplace_back("kprobes");
        }
        a.verdicts.push_back({"richer probes (fentry/kprobe)", Probed::yes(join(which, ", "))});
    } else if (f.fentry.state == Availability::NotChecked) {
        a.verdicts.push_back(
            {"richer probes (fentry/kprobe)", Probed::not_checked("fentry: " + f.fentry.detail)});
    } else {
        a.verdicts.push_back({"richer probes (fentry/kprobe)",
                              Probed::no("not available, the tracepoint baseline is used")});
    }

    a.missing = base;
    if (base.empty() && a.usable_probes == 0) {
        a.missing.emplace_back("no netdx probe loads and attaches (see the tracepoints)");
    }
    a.diagnose_can_run = a.missing.empty();
    if (a.diagnose_can_run) {
        a.verdicts.push_back({"netdx diagnose",
                              Probed::yes("can run, " + std::to_string(a.usable_probes) + " of " +
                                          std::to_string(a.probe_count) + " probes usable")});
    } else {
        a.verdicts.push_back(
            {"netdx diagnose", Probed::no("cannot run: " + join(a.missing, "; "))});
    }
    return a;
}

} // namespace netdx::probes
