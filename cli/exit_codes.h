// SPDX-License-Identifier: GPL-2.0
// Process exit codes (design.md section 7).
#pragma once

#include "engine/result.h"

namespace netdx::cli {

enum ExitCode : int {
    exit_ok = 0,          // no ERROR finding
    exit_error_found = 1, // at least one ERROR finding
    exit_usage = 2,       // bad flags, rule or input errors
    exit_environment = 3, // privileges, BTF, kernel support
    exit_internal = 70,   // a bug in netdx
};

int exit_code_for(const Error& error);

} // namespace netdx::cli
