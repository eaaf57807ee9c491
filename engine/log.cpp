// SPDX-License-Identifier: GPL-2.0
#include "log.h"

#include <atomic>
#include <iostream>

namespace netdx::log {
namespace {
std::atomic<Level> current_level{Level::Warn};

const char* level_name(Level level) {
    switch (level) {
    case Level::Error:
        return "error";
    case Level::Warn:
        return "warning";
    case Level::Info:
        return "info";
    case Level::Debug:
        return "debug";
    case Level::Trace:
        return "trace";
    }
    return "log";
}
} // namespace

void set_level(Level l) {
    current_level.store(l, std::memory_order_relaxed);
}
Level level() {
    return current_level.load(std::memory_order_relaxed);
}

Line::~Line() {
    // One write per line keeps lines from different threads from interleaving mid-line.
    std::string out = "netdx: ";
    out += level_name(level_);
    out += ": ";
    out += text_.str();
    out += '\n';
    std::cerr << out << std::flush;
}

} // namespace netdx::log
