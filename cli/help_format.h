// SPDX-License-Identifier: GPL-2.0
// How netdx writes its help text, and what the man page and the shell completion read from the
// same CLI::App tree.
//
// Descriptions are prose: paragraphs separated by a blank line, a single newline inside a
// paragraph is only a soft break. The first paragraph of a command's description is its summary
// (one sentence, shown in its parent's command list). Footers are preformatted: a line indented
// by two spaces is a command line (an example), the others are prose.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace netdx::cli {

inline constexpr std::size_t help_width = 80;

// The paragraphs of a description, each on one line (soft breaks and runs of blanks become one
// space).
std::vector<std::string> paragraphs(std::string_view text);

// `text` filled into lines of at most `width` columns (a longer word gets a line of its own).
std::vector<std::string> fill(std::string_view text, std::size_t width);

// The first paragraph of the app's description.
std::string summary(const CLI::App& app);

// "netdx rules explain" for the explain subcommand.
std::string command_path(const CLI::App& app);

// Options shown to users: not hidden (group ""), not --help on a subcommand (every command has it).
std::vector<const CLI::Option*> visible_options(const CLI::App& app);

// Named subcommands, in the order they were added.
std::vector<const CLI::App*> subcommands(const CLI::App& app);

// Whether the option reads a value (flags do not).
bool takes_value(const CLI::Option& option);

// The metavariable of an option's value ("SECONDS" for `--duration SECONDS:POSITIVE`), or "" for
// a flag.
std::string value_name(const CLI::Option& option);

// The fixed set of words an option's value is one of, when the App tree says so: a CLI::IsMember
// check ({auto,always,never}) or a type name like "auto|always|never". Empty otherwise.
std::vector<std::string> value_choices(const CLI::Option& option);

// CLI11's formatter, filling descriptions to help_width columns, listing each subcommand with
// its summary only, and naming arguments by their metavariable in the usage line
// ("Usage: netdx rules explain [OPTIONS] [ID|REASON]"). Every netdx command that has
// subcommands needs one, so the usage line says COMMAND, never [SUBCOMMAND].
class HelpFormatter : public CLI::Formatter {
public:
    std::string make_option(const CLI::Option* opt, bool is_positional) const override;
    std::string make_subcommand(const CLI::App* sub) const override;
    std::string make_description(const CLI::App* app) const override;
    std::string
    make_help(const CLI::App* app, std::string name, CLI::AppFormatMode mode) const override;
    std::string make_option_name(const CLI::Option* opt, bool is_positional) const override;
    std::string make_usage(const CLI::App* app, std::string name) const override;
    std::string make_option_usage(const CLI::Option* opt) const override;

private:
    std::string two_columns(const std::string& left, std::string_view text) const;
    std::string option_groups(const CLI::App* app, CLI::AppFormatMode mode) const;
};

} // namespace netdx::cli
