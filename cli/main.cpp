// SPDX-License-Identifier: GPL-2.0
// netdx: rule-driven Linux network diagnosis. main only parses the command line and dispatches;
// each command lives in cli/commands/.
#include <exception>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "commands/commands.h"
#include "completion.h"
#include "engine/log.h"
#include "exit_codes.h"
#include "help_format.h"
#include "manpage.h"

namespace {

std::string quoted_command_line(int argc, char** argv) {
    std::string out;
    for (int i = 0; i < argc; ++i) {
        std::string arg = argv[i];
        bool plain =
            !arg.empty() && arg.find_first_of(" \t\"'\\$`*?[]{}()<>|&;") == std::string::npos;
        out += i ? " " : "";
        if (plain) {
            out += arg;
        } else {
            out += '\'';
            for (char c : arg) {
                out += c == '\'' ? std::string("'\\''") : std::string(1, c);
            }
            out += '\'';
        }
    }
    return out;
}

int run(int argc, char** argv) {
    using namespace netdx::cli;
    // Descriptions: a one-sentence summary paragraph, then details (help_format.h).
    CLI::App app{
        "netdx finds why packets are lost on this Linux host, and says how to fix it.\n\n"
        "It traces the kernel with eBPF, matches what it sees against a knowledge base of\n"
        "network faults, and prints findings with their evidence and advice. Run\n"
        "'netdx demo' to see it diagnose faults in throwaway namespaces."};
    app.name("netdx");
    app.formatter(std::make_shared<HelpFormatter>());
    // A command is required, but checked after parsing so that the hidden generators below run
    // without one.
    app.require_subcommand(0, 1);
    app.set_version_flag("--version", std::string("netdx ") + NETDX_VERSION);
    int verbosity = 0;
    app.add_flag("-v,--verbose", verbosity, "More detail on stderr (-v debug, -vv trace)");
    // Documentation written from this App tree (make docs); hidden from --help.
    bool generate_man = false;
    std::string completion_shell;
    app.add_flag("--generate-man", generate_man, "Print the man page (roff)")->group("");
    app.add_option("--generate-completion", completion_shell, "Print the shell completion (bash)")
        ->group("");
    app.footer("Examples:\n"
               "  sudo netdx demo\n"
               "  sudo netdx check\n"
               "  sudo netdx diagnose --host 10.0.0.2 --port 80 --proto tcp\n"
               "  sudo netdx diagnose --diag-keep --duration 60 --json report.json\n"
               "  sudo netdx drops --summary --netns blue\n"
               "  sudo netdx facts --netns blue\n"
               "Exit codes: 0 no error found, 1 an ERROR finding, 2 usage or rule errors,\n"
               "3 environment (privileges, BTF, kernel), 70 internal error.");

    const Command commands[] = {add_diagnose_command(app),
                                add_demo_command(app),
                                add_rules_command(app),
                                add_check_command(app),
                                add_drops_command(app),
                                add_facts_command(app),
                                add_report_command(app),
                                add_replay_command(app)};
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? exit_ok : exit_usage;
    }
    if (generate_man) {
        std::cout << man_page(app);
        return exit_ok;
    }
    if (!completion_shell.empty()) {
        if (completion_shell != "bash") {
            std::cerr << "netdx: error: --generate-completion " << completion_shell
                      << ": only bash is supported\n";
            return exit_usage;
        }
        std::cout << bash_completion(app);
        return exit_ok;
    }
    if (app.get_subcommands().empty()) {
        app.exit(CLI::RequiredError::Subcommand(1));
        return exit_usage;
    }
    using netdx::log::Level;
    netdx::log::set_level(verbosity >= 2   ? Level::Trace
                          : verbosity == 1 ? Level::Debug
                                           : Level::Warn);
    CommandContext ctx;
    ctx.command_line = quoted_command_line(argc, argv);
    for (const auto& command : commands) {
        if (command.app->parsed()) {
            return command.run(ctx);
        }
    }
    // A command group (e.g. `netdx rules`) without its subcommand: show what it offers.
    for (const auto& command : commands) {
        if (command.app->parsed() || !command.app->get_subcommands().empty()) {
            std::cout << command.app->help();
            return exit_usage;
        }
    }
    return exit_usage;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "netdx: internal error: " << e.what() << "\n";
    } catch (...) {
        std::cerr << "netdx: internal error\n";
    }
    return netdx::cli::exit_internal;
}
