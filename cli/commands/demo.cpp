// SPDX-License-Identifier: GPL-2.0
// netdx demo: a guided lab. Builds two throwaway namespaces joined by a veth pair, injects one
// fault at a time, makes the traffic that hits it, and diagnoses it with the real probes, exactly
// as `netdx diagnose` would. Everything it created is removed at the end, on error and on Ctrl-C.
#include <future>
#include <iostream>

#include "../exit_codes.h"
#include "../lab.h"
#include "../session.h"
#include "../signals.h"
#include "../terminal.h"
#include "commands.h"
#include "engine/report/text_reporter.h"
#include "probes/tracer.h"

namespace netdx::cli {
namespace {

using namespace std::chrono_literals;

struct Scenario {
    std::string title;
    std::string fault;   // what was broken, as a command an operator could have typed
    std::string traffic; // what the client does
    std::uint16_t port = 0;
    std::string expected_category;
    std::function<Result<void>(const Lab&)> inject;
    std::function<Result<void>(const Lab&)> undo;
};

std::vector<Scenario> scenarios(const Lab& lab) {
    const std::string server = lab.server_addr().to_string();
    const std::vector<std::string> drop_rule = {
        "OUTPUT", "-d", server + "/32", "-p", "tcp", "--dport", "80", "-j", "DROP"};
    auto iptables = [drop_rule](const char* op) {
        std::vector<std::string> argv = {"iptables", op};
        argv.insert(argv.end(), drop_rule.begin(), drop_rule.end());
        return argv;
    };
    return {
        {"a firewall rule on the client drops its TCP packets to port 80",
         "ip netns exec " + lab.client_ns() + " iptables -A OUTPUT -d " + server +
             "/32 -p tcp --dport 80 -j DROP",
         "the client connects to " + server + ":80, where a server listens",
         80,
         "netfilter-drop",
         [iptables](const Lab& l) { return l.exec_in(l.client_ns(), iptables("-A")); },
         [iptables](const Lab& l) { return l.exec_in(l.client_ns(), iptables("-D")); }},
        {"nothing listens on the port the client connects to",
         "(none: no service was started on port 81)",
         "the client connects to " + server + ":81",
         81,
         "no-listener",
         [](const Lab&) { return Result<void>(); },
         [](const Lab&) { return Result<void>(); }},
    };
}

bool found_category(const engine::Report& report, const std::string& category) {
    for (const auto& f : report.findings) {
        if (f.category == category && f.level == engine::Level::Error) {
            return true;
        }
    }
    return false;
}

int run_demo(const TerminalArgs& terminal, const CommandContext& ctx) {
    auto setup = prepare_tracing({});
    if (const int* exit_code = std::get_if<int>(&setup)) {
        return *exit_code;
    }
    auto& [rules, tracer] = std::get<TracingSetup>(setup);
    StopSignals signals;
    Lab::remove_stale();
    auto lab = Lab::create();
    if (!lab) {
        std::cerr << "netdx: error: cannot build the demo lab: " << lab.error().describe() << "\n";
        return exit_code_for(lab.error());
    }
    std::cout << "netdx demo: lab ready: netns " << lab->client_ns() << " ("
              << lab->client_addr().to_string() << ") <-> netns " << lab->server_ns() << " ("
              << lab->server_addr().to_string() << "), joined by a veth pair\n";
    auto listener = listen_tcp_in(lab->server_ns(), lab->server_addr(), 80);
    if (!listener) {
        std::cerr << "netdx: error: " << listener.error().describe() << "\n";
        return exit_environment;
    }

    engine::TextReporter reporter(std::cout, std::cerr, text_style(terminal));
    const auto all = scenarios(*lab);
    int diagnosed = 0;
    for (std::size_t i = 0; i < all.size() && !StopSignals::requested(); ++i) {
        const Scenario& s = all[i];
        std::cout << "\n=== Scenario " << i + 1 << " of " << all.size() << ": " << s.title
                  << "\n    fault:   " << s.fault << "\n    traffic: " << s.traffic
                  << "\n    running: netdx diagnose --host " << lab->server_addr().to_string()
                  << " --port " << s.port << " --proto tcp\n\n"
                  << std::flush;
        if (auto injected = s.inject(*lab); !injected) {
            std::cerr << "netdx: error: cannot inject the fault: " << injected.error().describe()
                      << "\n";
            return exit_environment;
        }
        SessionOptions options;
        options.filter.host = lab->server_addr();
        options.filter.port = s.port;
        options.filter.l4_proto = 6;
        options.duration = 8s;
        options.command_line = ctx.command_line;
        std::future<int> client;
        auto report = run_diagnosis(tracer, rules, options, reporter, [&] {
            client = std::async(std::launch::async, [&] {
                return connect_tcp_from(lab->client_ns(), lab->server_addr(), s.port, 3s);
            });
        });
        if (client.valid()) {
            client.wait();
        }
        if (auto undone = s.undo(*lab); !undone) {
            std::cerr << "netdx: warning: " << undone.error().describe() << "\n";
        }
        if (!report) {
            std::cerr << "netdx: error: " << report.error().describe() << "\n";
            return exit_code_for(report.error());
        }
        if (found_category(*report, s.expected_category)) {
            ++diagnosed;
        } else {
            std::cout << "netdx demo: expected an ERROR " << s.expected_category
                      << " finding here, and did not get one\n";
        }
    }
    std::cout << "\nnetdx demo: " << diagnosed << " of " << all.size()
              << " faults diagnosed; removing the lab.\n";
    return diagnosed == static_cast<int>(all.size()) ? exit_ok : exit_error_found;
}

} // namespace

Command add_demo_command(CLI::App& app) {
    CLI::App* cmd = app.add_subcommand(
        "demo",
        "Diagnose faults injected into a throwaway lab, to see what netdx does.\n\n"
        "Builds two network namespaces joined by a veth pair, injects one fault at a time (a\n"
        "firewall DROP rule, a closed port) and diagnoses each with the real probes. Needs root.\n"
        "Removes everything it creates, also on Ctrl-C.");
    auto terminal = std::make_shared<TerminalArgs>();
    add_terminal_options(*cmd, *terminal);
    cmd->footer("Examples:\n"
                "  sudo netdx demo\n"
                "  sudo netdx -v demo\n"
                "Exit codes: 0 every fault diagnosed, 1 a fault was not, 3 environment\n"
                "(privileges, BTF, kernel).");
    return {cmd, [terminal](const CommandContext& ctx) { return run_demo(*terminal, ctx); }};
}

} // namespace netdx::cli
