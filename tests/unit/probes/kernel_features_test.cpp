// SPDX-License-Identifier: GPL-2.0
// assess() on faked kernel facts: the verdicts of `netdx check` and what it says is missing.
#include <cerrno>
#include <set>

#include <doctest/doctest.h>

#include "probes/kernel_features.h"

namespace {

using netdx::probes::Availability;
using netdx::probes::KernelFeatures;
using netdx::probes::Probed;

constexpr std::uint64_t cap(int bit) {
    return std::uint64_t{1} << bit;
}

constexpr int cap_net_admin = 12;
constexpr int cap_sys_admin = 21;
constexpr int cap_perfmon = 38;
constexpr int cap_bpf = 39;

// Root on the development kernel: every tracepoint attaches, fentry is refused, no kprobes.
KernelFeatures root_features() {
    KernelFeatures f;
    f.kernel_release = "6.18.44-fc-v669";
    f.privileges.euid = 0;
    f.privileges.cap_eff = 0x000001fffeffffffULL;
    f.btf = Probed::yes("/sys/kernel/btf/vmlinux");
    f.ring_buffer = Probed::yes();
    for (const auto& use : netdx::probes::netdx_tracepoints()) {
        f.tracepoints.push_back({use, Probed::yes()});
    }
    f.fentry = Probed::no("EPERM (Operation not permitted) at BPF_PROG_LOAD", EPERM);
    f.kprobe_pmu = Probed::no("no kprobe PMU", ENOENT);
    f.kprobe_events = Probed::not_checked("tracefs is not mounted");
    f.tracefs = Probed::no("not mounted");
    f.kallsyms = Probed::yes();
    return f;
}

// What an unprivileged run probes: no load test ran.
KernelFeatures unprivileged_features() {
    KernelFeatures f = root_features();
    f.privileges.euid = 65534;
    f.privileges.cap_eff = 0;
    f.ring_buffer = Probed::not_checked("needs CAP_BPF");
    for (auto& tp : f.tracepoints) {
        tp.result = Probed::not_checked("needs CAP_BPF and CAP_PERFMON");
    }
    f.fentry = Probed::not_checked("needs CAP_BPF and CAP_PERFMON");
    return f;
}

const Probed& verdict(const netdx::probes::Assessment& a, const std::string& feature) {
    for (const auto& v : a.verdicts) {
        if (v.feature == feature) {
            return v.verdict;
        }
    }
    FAIL("no verdict for " << feature);
    static const Probed none;
    return none;
}

void set_tracepoint(KernelFeatures& f, std::string_view name, Probed result) {
    for (auto& tp : f.tracepoints) {
        if (tp.use.tracepoint == name) {
            tp.result = std::move(result);
            return;
        }
    }
    FAIL("no tracepoint " << name);
}

} // namespace

TEST_CASE("kernel features: the tracepoint table groups each probe's tracepoints, none twice") {
    std::set<std::string_view> seen_probes;
    std::set<std::string_view> seen_tracepoints;
    std::string_view previous;
    for (const auto& use : netdx::probes::netdx_tracepoints()) {
        CHECK(seen_tracepoints.insert(use.tracepoint).second);
        if (use.probe != previous) {
            CHECK_MESSAGE(seen_probes.insert(use.probe).second, use.probe);
            previous = use.probe;
        }
    }
    REQUIRE_FALSE(netdx::probes::netdx_tracepoints().empty());
    CHECK(netdx::probes::netdx_tracepoints().front().probe == "drop");
    CHECK(netdx::probes::netdx_tracepoints().front().tracepoint == "kfree_skb");
}

TEST_CASE("kernel features: root on the tracepoint-only kernel can diagnose, without fentry") {
    const auto a = netdx::probes::assess(root_features());
    CHECK(a.diagnose_can_run);
    CHECK(a.missing.empty());
    CHECK(a.hint.empty());
    CHECK(a.usable_probes == a.probe_count);
    CHECK(verdict(a, "drop diagnosis").ok());
    CHECK(verdict(a, "probe tcp").ok());
    CHECK(verdict(a, "kernel stacks symbolized").ok());
    const auto& richer = verdict(a, "richer probes (fentry/kprobe)");
    CHECK(richer.state == Availability::No);
    CHECK(richer.detail == "not available, the tracepoint baseline is used");
    const auto& overall = verdict(a, "netdx diagnose");
    CHECK(overall.ok());
    CHECK(overall.detail == "can run, " + std::to_string(a.probe_count) + " of " +
                                std::to_string(a.probe_count) + " probes usable");
    CHECK(a.verdicts.front().feature == "drop diagnosis");
    CHECK(a.verdicts.back().feature == "netdx diagnose");
}

TEST_CASE("kernel features: without capabilities the missing ones are named, nothing else") {
    const auto a = netdx::probes::assess(unprivileged_features());
    CHECK_FALSE(a.diagnose_can_run);
    REQUIRE(a.missing.size() == 1);
    CHECK(a.missing[0] == "missing capabilities: CAP_BPF, CAP_PERFMON (not root)");
    CHECK(a.hint.find("run as root") != std::string::npos);
    CHECK(a.hint.find("setcap cap_bpf,cap_perfmon+ep") != std::string::npos);
    const auto& drop = verdict(a, "drop diagnosis");
    CHECK(drop.state == Availability::No);
    CHECK(drop.detail == "missing capabilities: CAP_BPF, CAP_PERFMON (not root)");
    const auto& tcp = verdict(a, "probe tcp");
    CHECK(tcp.state == Availability::NotChecked);
    CHECK(tcp.detail == "needs CAP_BPF and CAP_PERFMON");
    CHECK(verdict(a, "richer probes (fentry/kprobe)").state == Availability::NotChecked);
    CHECK(verdict(a, "netdx diagnose").detail ==
          "cannot run: missing capabilities: CAP_BPF, CAP_PERFMON (not root)");
}

TEST_CASE("kernel features: CAP_SYS_ADMIN covers CAP_BPF and CAP_PERFMON, as in the kernel") {
    netdx::probes::Privileges p;
    p.euid = 1000;
    p.cap_eff = cap(cap_sys_admin);
    CHECK(netdx::probes::missing_capabilities(p).empty());
    p.cap_eff = cap(cap_bpf) | cap(cap_perfmon);
    CHECK(netdx::probes::missing_capabilities(p).empty());
    p.cap_eff = cap(cap_bpf) | cap(cap_net_admin);
    CHECK(netdx::probes::missing_capabilities(p) == std::vector<std::string>{"CAP_PERFMON"});
    p.cap_eff = cap(cap_perfmon);
    CHECK(netdx::probes::missing_capabilities(p) == std::vector<std::string>{"CAP_BPF"});
    p.cap_eff.reset(); // capget failed: nothing can be assumed
    p.cap_error = "capget: EINVAL (Invalid argument)";
    CHECK(netdx::probes::missing_capabilities(p).size() == 2);
    auto f = root_features();
    f.privileges = p;
    CHECK(
        netdx::probes::assess(f).missing.at(0) ==
        "missing capabilities: CAP_BPF, CAP_PERFMON (not root; capget: EINVAL (Invalid argument))");
}

TEST_CASE("kernel features: a tracepoint missing from BTF disables its probe only") {
    auto f = root_features();
    set_tracepoint(
        f,
        "neigh_event_send_dead",
        Probed::no("not in this kernel's BTF (no typedef btf_trace_neigh_event_send_dead)"));
    const auto a = netdx::probes::assess(f);
    CHECK(a.diagnose_can_run);
    CHECK(a.usable_probes + 1 == a.probe_count);
    const auto& neigh = verdict(a, "probe neigh");
    CHECK(neigh.state == Availability::No);
    CHECK(neigh.detail == "neigh_event_send_dead: not in this kernel's BTF (no typedef "
                          "btf_trace_neigh_event_send_dead)");
    CHECK(verdict(a, "probe route").ok());
    CHECK(verdict(a, "drop diagnosis").ok());
}

TEST_CASE("kernel features: without kfree_skb there is no drop diagnosis, diagnose still runs") {
    auto f = root_features();
    set_tracepoint(
        f, "kfree_skb", Probed::no("EINVAL (Invalid argument) at BPF_PROG_LOAD", EINVAL));
    const auto a = netdx::probes::assess(f);
    CHECK(a.diagnose_can_run);
    const auto& drop = verdict(a, "drop diagnosis");
    CHECK(drop.state == Availability::No);
    CHECK(drop.detail == "kfree_skb: EINVAL (Invalid argument) at BPF_PROG_LOAD");
}

TEST_CASE("kernel features: no probe that attaches stops diagnose and says so") {
    auto f = root_features();
    for (auto& tp : f.tracepoints) {
        tp.result = Probed::no("ENOTSUPP", 524);
    }
    const auto a = netdx::probes::assess(f);
    CHECK_FALSE(a.diagnose_can_run);
    CHECK(a.usable_probes == 0);
    REQUIRE(a.missing.size() == 1);
    CHECK(a.missing[0] == "no netdx probe loads and attaches (see the tracepoints)");
}

TEST_CASE("kernel features: missing BTF and ring buffer are both reported, with hints") {
    auto f = root_features();
    f.btf = Probed::no("cannot load /sys/kernel/btf/vmlinux: ENOENT (No such file or directory)",
                       ENOENT);
    f.ring_buffer = Probed::no("the kernel refused a BPF_MAP_TYPE_RINGBUF map: EINVAL", EINVAL);
    for (auto& tp : f.tracepoints) {
        tp.result = Probed::not_checked("no kernel BTF");
    }
    const auto a = netdx::probes::assess(f);
    CHECK_FALSE(a.diagnose_can_run);
    REQUIRE(a.missing.size() == 2);
    CHECK(a.missing[0] == "no kernel BTF (cannot load /sys/kernel/btf/vmlinux: ENOENT (No such "
                          "file or directory))");
    CHECK(a.missing[1] ==
          "no BPF ring buffer (the kernel refused a BPF_MAP_TYPE_RINGBUF map: EINVAL)");
    CHECK(a.hint.find("CONFIG_DEBUG_INFO_BTF=y") != std::string::npos);
    CHECK(a.hint.find("5.8") != std::string::npos);
}

TEST_CASE("kernel features: fentry or kprobes make the richer probes available") {
    auto f = root_features();
    f.fentry = Probed::yes("loaded and attached on tcp_v4_rcv");
    CHECK(verdict(netdx::probes::assess(f), "richer probes (fentry/kprobe)").detail == "fentry");
    f.kprobe_pmu = Probed::yes("perf PMU type 6");
    CHECK(verdict(netdx::probes::assess(f), "richer probes (fentry/kprobe)").detail ==
          "fentry, kprobes");
}

TEST_CASE("kernel features: hidden kallsyms addresses mean unsymbolized stacks") {
    auto f = root_features();
    f.kallsyms = Probed::no("every address in /proc/kallsyms reads 0 to this process "
                            "(kernel.kptr_restrict=2)");
    const auto a = netdx::probes::assess(f);
    CHECK(a.diagnose_can_run);
    const auto& stacks = verdict(a, "kernel stacks symbolized");
    CHECK(stacks.state == Availability::No);
    CHECK(stacks.detail.ends_with("(kernel.kptr_restrict=2); stacks show raw addresses"));
}

TEST_CASE("kernel features: errno text gives the name and the description") {
    CHECK(netdx::probes::errno_text(EPERM) == "EPERM (Operation not permitted)");
    CHECK(netdx::probes::errno_text(ENOENT) == "ENOENT (No such file or directory)");
    CHECK(netdx::probes::availability_name(Availability::NotChecked) == "not checked");
}
