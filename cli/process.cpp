// SPDX-License-Identifier: GPL-2.0
#include "process.h"

#include "probes/subprocess.h"

namespace netdx::cli {

Result<void> run_program(const std::vector<std::string>& argv) {
    auto run = probes::run_capture(argv);
    if (!run) {
        return run.error();
    }
    if (run->exit_code != 0) {
        std::string joined;
        for (const auto& a : argv) {
            joined += (joined.empty() ? "" : " ") + a;
        }
        std::string err = run->err;
        while (!err.empty() && err.back() == '\n') {
            err.pop_back();
        }
        return make_error(ErrorKind::Environment,
                          "'" + joined + "' failed" + (err.empty() ? "" : ": " + err));
    }
    return {};
}

} // namespace netdx::cli
