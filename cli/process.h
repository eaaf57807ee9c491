// SPDX-License-Identifier: GPL-2.0
// Running helper programs (ip, iptables) for the demo lab: argv only, never a shell.
#pragma once

#include <string>
#include <vector>

#include "engine/result.h"

namespace netdx::cli {

// Runs argv[0] (from the system directories, see probes/subprocess.h) and waits. Fails with the
// program's stderr when it exits non-zero or cannot start.
Result<void> run_program(const std::vector<std::string>& argv);

} // namespace netdx::cli
