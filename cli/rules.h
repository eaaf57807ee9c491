// SPDX-License-Identifier: GPL-2.0
// Loading the rule set for a command: shipped knowledge, then /etc/netdx/rules.d, then each
// --rules path. Diagnostics go to the error stream; any error means exit code 2.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "engine/rule.h"

namespace netdx::cli {

inline constexpr const char* site_rules_dir = "/etc/netdx/rules.d";

// The rule sources in load order. Fails (with a message on `err`) if the shipped knowledge is
// missing.
std::optional<std::vector<std::string>> rule_sources(const std::vector<std::string>& extra,
                                                     std::ostream& err);

// Where fixtures of the shipped knowledge and of the site live (knowledge/fixtures,
// /etc/netdx/rules.d/fixtures), those that exist.
std::vector<std::string> default_fixture_dirs(std::ostream& err);

// Loads and reports. nullopt when there were errors (already printed).
// --rules PATH (repeatable): rule files or directories after the shipped and site ones.
void add_rule_paths_option(CLI::App& cmd, std::vector<std::string>& paths);

std::optional<engine::RuleSet> load_rules(const std::vector<std::string>& extra, std::ostream& err);

} // namespace netdx::cli
