// SPDX-License-Identifier: GPL-2.0
// Runs a helper program (iptables-save, nft) and captures what it prints. argv only, never a
// shell. The child is started from the calling thread, so it lives in that thread's network
// namespace: a reader that has entered a namespace with setns() runs tools inside it.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "engine/result.h"

namespace netdx::probes {

struct ProgramOutput {
    int exit_code = 0;
    std::string out; // stdout
    std::string err; // stderr
};

struct RunLimits {
    std::chrono::milliseconds timeout{5000};
    std::size_t max_output = 256u << 20; // bytes of stdout kept; beyond that the run fails
};

// Runs argv[0] (a path, or a name searched in the standard system directories, never in the
// caller's PATH) with LC_ALL=C, stdin from /dev/null. An error when it cannot start, runs past
// the timeout (it is killed) or prints more than max_output; a non-zero exit is not an error.
Result<ProgramOutput> run_capture(const std::vector<std::string>& argv,
                                  const RunLimits& limits = {});

// The full path of a program in /usr/sbin, /usr/bin, /sbin, /bin, or "" when none exists.
std::string find_program(const std::string& name);

} // namespace netdx::probes
