// SPDX-License-Identifier: GPL-2.0
#include "paths.h"

#include <cstdlib>
#include <filesystem>

#include "exit_codes.h"

namespace netdx::cli {

namespace fs = std::filesystem;

int exit_code_for(const Error& error) {
    switch (error.kind) {
    case ErrorKind::Usage:
        return exit_usage;
    case ErrorKind::Environment:
        return exit_environment;
    case ErrorKind::Io:
        return exit_usage;
    case ErrorKind::Internal:
        break;
    }
    return exit_internal;
}

Result<std::string> shipped_knowledge_dir() {
    if (const char* env = std::getenv("NETDX_KNOWLEDGE_DIR"); env && *env) {
        if (fs::is_directory(env)) {
            return std::string(env);
        }
        return make_error(ErrorKind::Usage,
                          std::string("NETDX_KNOWLEDGE_DIR=") + env + " is not a directory");
    }
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) {
        return make_error(ErrorKind::Environment,
                          "cannot find the netdx binary",
                          ec.value(),
                          "set NETDX_KNOWLEDGE_DIR to the knowledge directory");
    }
    fs::path bin_dir = exe.parent_path();
    for (const fs::path& candidate :
         {bin_dir / ".." / "share" / "netdx" / "knowledge", bin_dir / ".." / "knowledge"}) {
        if (fs::is_directory(candidate, ec)) {
            return fs::weakly_canonical(candidate, ec).string();
        }
    }
    return make_error(ErrorKind::Environment,
                      "cannot find the shipped knowledge next to " + exe.string(),
                      0,
                      "set NETDX_KNOWLEDGE_DIR to the knowledge directory");
}

} // namespace netdx::cli
