// SPDX-License-Identifier: GPL-2.0
// check_tracing_environment on faked facts.
#include <doctest/doctest.h>

#include "probes/environment.h"

namespace {

using netdx::probes::check_tracing_environment;
using netdx::probes::EnvironmentFacts;

constexpr std::uint64_t cap(int bit) {
    return std::uint64_t{1} << bit;
}

EnvironmentFacts good_facts() {
    EnvironmentFacts f;
    f.kernel_release = "6.18.44-fc-v669";
    f.btf_present = true;
    f.btf_path = "/sys/kernel/btf/vmlinux";
    f.euid = 0;
    f.cap_eff = 0x000001fffeffffffULL; // root without CAP_SYS_RESOURCE
    return f;
}

std::string message_of(const EnvironmentFacts& f) {
    auto r = check_tracing_environment(f);
    return r ? std::string() : r.error().message;
}

} // namespace

TEST_CASE("environment: root on a 6.18 kernel with BTF may trace") {
    CHECK(check_tracing_environment(good_facts()).has_value());
}

TEST_CASE("environment: a kernel older than 5.8 is refused, 5.8 itself is fine") {
    auto f = good_facts();
    f.kernel_release = "5.4.0-150-generic";
    auto r = check_tracing_environment(f);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == netdx::ErrorKind::Environment);
    CHECK(r.error().message.find("kernel 5.4.0-150-generic is older than 5.8") !=
          std::string::npos);
    f.kernel_release = "5.8.0";
    CHECK(check_tracing_environment(f).has_value());
    f.kernel_release = "banana";
    CHECK(message_of(f).find("cannot parse the kernel release 'banana'") != std::string::npos);
}

TEST_CASE("environment: missing BTF is named with its path") {
    auto f = good_facts();
    f.btf_present = false;
    auto r = check_tracing_environment(f);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("no kernel BTF at /sys/kernel/btf/vmlinux") != std::string::npos);
    CHECK(r.error().hint.find("CONFIG_DEBUG_INFO_BTF") != std::string::npos);
}

TEST_CASE("environment: the missing capability is named and the hint says to run as root") {
    auto f = good_facts();
    f.euid = 1000;
    f.cap_eff = 0;
    auto r = check_tracing_environment(f);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("missing capability CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)") !=
          std::string::npos);
    CHECK(r.error().hint.find("run as root (sudo netdx ...)") != std::string::npos);

    f.cap_eff = cap(netdx::probes::cap_bpf);
    CHECK(message_of(f).find("missing capability CAP_PERFMON (or CAP_SYS_ADMIN)") !=
          std::string::npos);
    f.cap_eff = cap(netdx::probes::cap_bpf) | cap(netdx::probes::cap_perfmon);
    CHECK(check_tracing_environment(f).has_value());
    f.cap_eff = cap(netdx::probes::cap_sys_admin);
    CHECK(check_tracing_environment(f).has_value());
}

TEST_CASE("environment: without readable capabilities, uid 0 is enough") {
    auto f = good_facts();
    f.cap_eff.reset();
    CHECK(check_tracing_environment(f).has_value());
    f.euid = 1000;
    CHECK(message_of(f).find("not running as root") != std::string::npos);
}

TEST_CASE("environment: every problem is reported at once") {
    auto f = good_facts();
    f.kernel_release = "4.19.0";
    f.btf_present = false;
    f.cap_eff = 0;
    const auto msg = message_of(f);
    CHECK(msg.find("older than 5.8") != std::string::npos);
    CHECK(msg.find("no kernel BTF") != std::string::npos);
    CHECK(msg.find("missing capability") != std::string::npos);
}
