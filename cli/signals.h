// SPDX-License-Identifier: GPL-2.0
// SIGINT/SIGTERM end a run cleanly and SIGHUP asks for the rules to be reloaded: the handlers
// only set flags; the poll loop sees them (they are installed without SA_RESTART, so a blocked
// poll returns EINTR at once).
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
    // True once per SIGHUP received since the last call.
    static bool take_reload();
};

} // namespace netdx::cli
