// SPDX-License-Identifier: GPL-2.0
// Shell completion written from the CLI::App tree the commands register: commands,
// subcommands, options, and the values of options whose values are known (a fixed set, a
// namespace, a device, a file). `netdx --generate-completion bash` prints it; `make docs` writes
// it to scripts/netdx.bash-completion.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace netdx::cli {

// A bash script defining _netdx (and helpers named _netdx_*) and `complete -F _netdx netdx`.
std::string bash_completion(const CLI::App& app);

} // namespace netdx::cli
