// SPDX-License-Identifier: GPL-2.0
// Leveled logging to stderr. The level is checked before anything is formatted, so a disabled
// NETDX_LOG(Trace) on a hot path costs one comparison.
#pragma once

#include <sstream>

namespace netdx::log {

enum class Level { Error = 0, Warn = 1, Info = 2, Debug = 3, Trace = 4 };

void set_level(Level level);
Level level();
inline bool enabled(Level l) {
    return static_cast<int>(l) <= static_cast<int>(level());
}

// One log line: collects text, writes "netdx: <level>: text\n" to stderr when destroyed.
class Line {
public:
    explicit Line(Level level) : level_(level) {}
    Line(const Line&) = delete;
    Line& operator=(const Line&) = delete;
    ~Line();
    std::ostream& stream() { return text_; }

private:
    Level level_;
    std::ostringstream text_;
};

} // namespace netdx::log

#define NETDX_LOG(lvl)                                                                             \
    if (!::netdx::log::enabled(::netdx::log::Level::lvl)) {                                        \
    } else                                                                                         \
        ::netdx::log::Line(::netdx::log::Level::lvl).stream()
