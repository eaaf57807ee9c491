// SPDX-License-Identifier: GPL-2.0
#include "environment.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <system_error>
#include <vector>

#include <sys/utsname.h>
#include <unistd.h>

namespace netdx::probes {
namespace {

constexpr int min_major = 5;
constexpr int min_minor = 8;

// "6.18.44-fc" -> {6, 18}; nullopt when it does not start with two numbers.
std::optional<std::pair<int, int>> parse_release(std::string_view release) {
    int major = 0;
    int minor = 0;
    const char* end = release.data() + release.size();
    auto [p, ec] = std::from_chars(release.data(), end, major);
    if (ec != std::errc{} || p == end || *p != '.') {
        return std::nullopt;
    }
    auto [q, ec2] = std::from_chars(p + 1, end, minor);
    if (ec2 != std::errc{}) {
        return std::nullopt;
    }
    return std::pair{major, minor};
}

std::optional<std::uint64_t> read_cap_eff() {
    std::ifstream in("/proc/self/status");
    std::string line;
    constexpr std::string_view key = "CapEff:";
    while (std::getline(in, line)) {
        if (!line.starts_with(key)) {
            continue;
        }
        std::string_view value(line);
        value.remove_prefix(key.size());
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
            value.remove_prefix(1);
        }
        std::uint64_t caps = 0;
        auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), caps, 16);
        if (ec != std::errc{} || p == value.data()) {
            return std::nullopt;
        }
        return caps;
    }
    return std::nullopt;
}

bool has_cap(std::uint64_t caps, int cap) {
    return (caps >> cap) & 1U;
}

} // namespace

EnvironmentFacts read_environment_facts() {
    EnvironmentFacts facts;
    struct utsname uts {};
    if (::uname(&uts) == 0) {
        facts.kernel_release = uts.release;
    }
    facts.btf_path = "/sys/kernel/btf/vmlinux";
    std::error_code ec;
    facts.btf_present = std::filesystem::exists(facts.btf_path, ec);
    facts.euid = ::geteuid();
    facts.cap_eff = read_cap_eff();
    return facts;
}

Result<void> check_tracing_environment(const EnvironmentFacts& facts) {
    std::vector<std::string> missing;
    std::vector<std::string> hints;

    const auto version = parse_release(facts.kernel_release);
    if (!version) {
        missing.push_back("cannot parse the kernel release '" + facts.kernel_release + "'");
    } else if (*version < std::pair{min_major, min_minor}) {
        missing.push_back("kernel " + facts.kernel_release + " is older than 5.8");
        hints.push_back("netdx needs Linux >= 5.8 (BPF ring buffer, tp_btf)");
    }
    if (!facts.btf_present) {
        missing.push_back("no kernel BTF at " + facts.btf_path);
        hints.push_back("use a kernel built with CONFIG_DEBUG_INFO_BTF=y");
    }
    if (facts.cap_eff) {
        const bool admin = has_cap(*facts.cap_eff, cap_sys_admin);
        const bool bpf = admin || has_cap(*facts.cap_eff, cap_bpf);
        const bool perfmon = admin || has_cap(*facts.cap_eff, cap_perfmon);
        if (!bpf || !perfmon) {
            std::string caps;
            if (!bpf) {
                caps = "CAP_BPF";
            }
            if (!perfmon) {
                caps += caps.empty() ? "CAP_PERFMON" : " and CAP_PERFMON";
            }
            missing.push_back("missing capability " + caps + " (or CAP_SYS_ADMIN)");
            hints.push_back("run as root (sudo netdx ...) or grant the capabilities: setcap "
                            "cap_bpf,cap_perfmon+ep netdx");
        }
    } else if (facts.euid != 0) {
        missing.push_back("not running as root and cannot read the capabilities in "
                          "/proc/self/status");
        hints.push_back("run as root (sudo netdx ...)");
    }
    if (missing.empty()) {
        return {};
    }
    std::string message = "cannot trace: ";
    for (std::size_t i = 0; i < missing.size(); ++i) {
        message += (i == 0 ? "" : "; ") + missing[i];
    }
    std::string hint;
    for (std::size_t i = 0; i < hints.size(); ++i) {
        hint += (i == 0 ? "" : "; ") + hints[i];
    }
    return make_error(ErrorKind::Environment, std::move(message), 0, std::move(hint));
}

Result<void> check_tracing_environment() {
    return check_tracing_environment(read_environment_facts());
}

} // namespace netdx::probes
