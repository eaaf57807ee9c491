// SPDX-License-Identifier: GPL-2.0
// netdx(1), written from the CLI::App tree the commands register (descriptions, options, their
// groups and defaults, footers), so the man page says what --help says. `netdx --generate-man`
// prints it; `make docs` writes it to docs/netdx.1.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace netdx::cli {

// The man page in roff (man macros) for the main app and all its subcommands.
std::string man_page(const CLI::App& app);

} // namespace netdx::cli
