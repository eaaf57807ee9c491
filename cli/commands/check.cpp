// SPDX-License-Identifier: GPL-2.0
// netdx check: what this kernel and this process offer netdx (privileges, BTF, ring buffer, each
// tracepoint, fentry, kprobes, tracefs, kallsyms), each found by trying it, and a verdict per
// netdx feature. Exit 0 when `netdx diagnose` can run, 3 naming what is missing when not.
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "../exit_codes.h"
#include "commands.h"
#include "engine/event_json.h"
#include "probes/bpf_util.h"
#include "probes/kernel_features.h"

namespace netdx::cli {
namespace {

using probes::Availability;
using probes::Probed;

struct CheckArgs {
    bool json = false;
};

constexpr std::size_t line_width = 80;
constexpr std::size_t value_column = 33;

std::string value_text(const Probed& p) {
    std::string out(probes::availability_name(p.state));
    if (p.detail.empty()) {
        return out;
    }
    return out + (p.state == Availability::Yes ? " (" + p.detail + ")" : ": " + p.detail);
}

// "  label      value", the value wrapped at 80 columns under its own column.
void row(std::ostream& out, const std::string& label, const std::string& value) {
    std::string line = "  " + label;
    line += line.size() + 1 < value_column ? std::string(value_column - line.size(), ' ') : " ";
    const std::string indent(value_column, ' ');
    std::istringstream words(value);
    std::string word;
    bool first = true;
    while (words >> word) {
        if (!first && line.size() + 1 + word.size() > line_width) {
            out << line << "\n";
            line = indent;
            first = true;
        }
        line += (first ? "" : " ") + word;
        first = false;
    }
    out << line << "\n";
}

void print_text(std::ostream& out, const probes::KernelFeatures& f, const probes::Assessment& a) {
    out << "netdx check: what kernel " << f.kernel_release << " and this process offer netdx\n";

    out << "\nPrivileges\n";
    const auto& priv = f.privileges;
    row(out,
        "running as root",
        (priv.euid == 0 ? "yes" : "no") + std::string(" (effective uid ") +
            std::to_string(priv.euid) + ")");
    for (const auto& cap : probes::checked_capabilities()) {
        const std::string name(cap.name);
        if (!priv.cap_eff) {
            row(out, name, "not checked: " + priv.cap_error);
        } else {
            row(out, name, priv.has(cap.bit) ? "yes" : "no: not in the effective set");
        }
    }

    out << "\nKernel\n";
    row(out, "BTF", value_text(f.btf));
    row(out, "BPF ring buffer", value_text(f.ring_buffer));
    row(out, std::string("fentry (") + probes::fentry_target + ")", value_text(f.fentry));
    row(out, "kprobe PMU", value_text(f.kprobe_pmu));
    row(out, "kprobe_events", value_text(f.kprobe_events));
    row(out, "tracefs (informational)", value_text(f.tracefs));
    row(out, "kallsyms addresses", value_text(f.kallsyms));

    out << "\nTracepoints (a tp_btf program loaded and attached on each)\n";
    for (const auto& tp : f.tracepoints) {
        std::string label(tp.use.probe);
        label.resize(7, ' ');
        row(out, label + std::string(tp.use.tracepoint), value_text(tp.result));
    }

    out << "\nVerdict\n";
    for (const auto& v : a.verdicts) {
        row(out, v.feature, value_text(v.verdict));
    }
}

nlohmann::json probed_json(const Probed& p) {
    nlohmann::json j;
    j["status"] = p.state == Availability::Yes  ? "yes"
                  : p.state == Availability::No ? "no"
                                                : "not_checked";
    j["detail"] = p.detail;
    if (p.sys_errno != 0) {
        j["errno"] = p.sys_errno;
    }
    return j;
}

nlohmann::json to_json(const probes::KernelFeatures& f, const probes::Assessment& a) {
    nlohmann::json out;
    out["kernel_release"] = f.kernel_release;
    nlohmann::json priv;
    priv["euid"] = f.privileges.euid;
    priv["root"] = f.privileges.euid == 0;
    nlohmann::json caps = nlohmann::json::object();
    for (const auto& cap : probes::checked_capabilities()) {
        caps[std::string(cap.name)] =
            f.privileges.cap_eff ? nlohmann::json(f.privileges.has(cap.bit)) : nlohmann::json();
    }
    priv["capabilities"] = caps;
    if (!f.privileges.cap_error.empty()) {
        priv["capget_error"] = f.privileges.cap_error;
    }
    out["privileges"] = priv;
    out["btf"] = probed_json(f.btf);
    out["ring_buffer"] = probed_json(f.ring_buffer);
    out["fentry"] = probed_json(f.fentry);
    out["kprobe_pmu"] = probed_json(f.kprobe_pmu);
    out["kprobe_events"] = probed_json(f.kprobe_events);
    out["tracefs"] = probed_json(f.tracefs);
    out["kallsyms"] = probed_json(f.kallsyms);
    out["tracepoints"] = nlohmann::json::array();
    for (const auto& tp : f.tracepoints) {
        auto j = probed_json(tp.result);
        j["probe"] = std::string(tp.use.probe);
        j["tracepoint"] = std::string(tp.use.tracepoint);
        out["tracepoints"].push_back(j);
    }
    out["verdicts"] = nlohmann::json::array();
    for (const auto& v : a.verdicts) {
        auto j = probed_json(v.verdict);
        j["feature"] = v.feature;
        out["verdicts"].push_back(j);
    }
    out["diagnose_can_run"] = a.diagnose_can_run;
    out["missing"] = a.missing;
    out["hint"] = a.hint;
    return out;
}

int run_check(const CheckArgs& args) {
    probes::route_libbpf_log();
    const auto features = probes::probe_kernel_features();
    const auto assessment = probes::assess(features);
    if (args.json) {
        std::cout << engine::json_text(to_json(features, assessment)) << "\n";
    } else {
        print_text(std::cout, features, assessment);
    }
    if (assessment.diagnose_can_run) {
        return exit_ok;
    }
    std::cerr << "netdx: error: netdx diagnose cannot run here: ";
    for (std::size_t i = 0; i < assessment.missing.size(); ++i) {
        std::cerr << (i == 0 ? "" : "; ") << assessment.missing[i];
    }
    std::cerr << "\n";
    if (!assessment.hint.empty()) {
        std::cerr << "hint: " << assessment.hint << "\n";
    }
    return exit_environment;
}

} // namespace

Command add_check_command(CLI::App& app) {
    auto args = std::make_shared<CheckArgs>();
    CLI::App* cmd = app.add_subcommand(
        "check",
        "Show what this kernel and this process offer netdx, and what works here.\n\n"
        "Tries the privileges, BTF, the ring buffer, each tracepoint (loaded and attached for\n"
        "real), fentry, kprobes, tracefs and kallsyms, and gives a verdict per netdx feature.\n"
        "Without CAP_BPF/CAP_PERFMON the load tests are skipped.");
    cmd->add_flag("--json", args->json, "Print the result as one JSON object");
    cmd->footer("Examples:\n"
                "  sudo netdx check\n"
                "  sudo netdx check --json | jq '.tracepoints[] | select(.status != \"yes\")'\n"
                "Exit codes: 0 netdx diagnose can run here, 3 it cannot (the message names what\n"
                "is missing: a capability, BTF, the ring buffer, or every probe).");
    return {cmd, [args](const CommandContext&) { return run_check(*args); }};
}

} // namespace netdx::cli
