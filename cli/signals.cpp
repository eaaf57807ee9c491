// SPDX-License-Identifier: GPL-2.0
#include "signals.h"

#include <atomic>
#include <csignal>

namespace netdx::cli {
namespace {

std::atomic<bool> stop_flag{false};
std::atomic<bool> reload_flag{false};
struct sigaction old_int;
struct sigaction old_term;
struct sigaction old_hup;

extern "C" void on_stop_signal(int) {
    stop_flag.store(true);
}

extern "C" void on_reload_signal(int) {
    reload_flag.store(true);
}

} // namespace

StopSignals::StopSignals() {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; // no SA_RESTART: interrupt poll()
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sa.sa_handler = on_reload_signal;
    sigaction(SIGHUP, &sa, &old_hup);
}

StopSignals::~StopSignals() {
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGTERM, &old_term, nullptr);
    sigaction(SIGHUP, &old_hup, nullptr);
}

bool StopSignals::requested() {
    return stop_flag.load();
}
void StopSignals::reset() {
    stop_flag.store(false);
    reload_flag.store(false);
}

bool StopSignals::take_reload() {
    return reload_flag.exchange(false);
}

} // namespace netdx::cli
