// SPDX-License-Identifier: GPL-2.0
// Each command registers its flags on the app and returns how to run it. main parses, sets up
// logging, then runs the chosen command; the runner's return value is the exit code.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace netdx::cli {

struct CommandContext {
    std::string command_line; // as typed, for reports
};

struct Command {
    CLI::App* app = nullptr;
    std::function<int(const CommandContext&)> run;
};

Command add_diagnose_command(CLI::App& app);
Command add_demo_command(CLI::App& app);
Command add_rules_command(CLI::App& app);
Command add_check_command(CLI::App& app);
Command add_drops_command(CLI::App& app);
Command add_facts_command(CLI::App& app);
Command add_report_command(CLI::App& app);
Command add_replay_command(CLI::App& app);

} // namespace netdx::cli
