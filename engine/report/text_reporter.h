// SPDX-License-Identifier: GPL-2.0
// Plain-text output for an operator at a terminal: one block per finding as it is found, and a
// closing diagnosis. Status lines (ready, lost events) go to a separate stream (stderr).
#pragma once

#include <ostream>

#include "reporter.h"

namespace netdx::engine {

class TextReporter final : public Reporter {
public:
    TextReporter(std::ostream& out, std::ostream& status) : out_(out), status_(status) {}

    void ready(const Report& report) override;
    void finding(const Finding& finding) override;
    void lost_events(std::string_view probe, std::uint64_t count) override;
    void summary(const Report& report) override;

private:
    std::ostream& out_;
    std::ostream& status_;
};

// The evidence line of one event, e.g. "drop reason NETFILTER_DROP at nft_do_chain+0x2b1 on
// veth0", and its stack in one line (innermost first, at most `max_frames` frames).
std::string evidence_text(const Event& ev);
std::string stack_text(const Event& ev, std::size_t max_frames);

} // namespace netdx::engine
