// SPDX-License-Identifier: GPL-2.0
// The traffic filter flags shared by live commands (--host, --port, --proto, ...).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "engine/filter.h"
#include "engine/result.h"

namespace netdx::cli {

struct FilterArgs {
    std::string host;
    std::string saddr;
    std::string daddr;
    int port = 0;
    int sport = 0;
    int dport = 0;
    std::string proto;
    std::string netns;
    std::string dev;
};

void add_filter_options(CLI::App& cmd, FilterArgs& args);
Result<engine::Filter> build_filter(const FilterArgs& args);

} // namespace netdx::cli
