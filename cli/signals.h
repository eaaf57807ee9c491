// SPDX-License-Identifier: GPL-2.0
// SIGINT/SIGTERM end a run cleanly: the handler only sets a flag; the poll loop sees it (the
// handlers are installed without SA_RESTART, so a blocked poll returns EINTR at once).
#pragma once

namespace netdx::cli {

// Installs the handlers for the lifetime of the guard and restores the old ones after.
class StopSignals {
public:
    StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;
    ~StopSignals();

    static bool requested();
    static void reset();
};

} // namespace netdx::cli
