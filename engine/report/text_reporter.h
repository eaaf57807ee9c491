// SPDX-License-Identifier: GPL-2.0
// Plain-text output for an operator at a terminal: one block per finding as it is found, a live
// status line while it runs (only on a terminal), and a closing diagnosis with the root causes
// ranked, their evidence and fix, and what could not be checked. Status lines (ready, lost
// events, progress) go to a separate stream (stderr). Prose wraps at the width; commands in
// advice stay on one line so they can be copied.
#pragma once

#include <cstddef>
#include <ostream>
#include <set>
#include <string>
#include <string_view>

#include "redact.h"
#include "reporter.h"

namespace netdx::engine {

struct TextStyle {
    bool color = false;       // ANSI colours on levels and headings
    bool quiet = false;       // only WARN and ERROR findings, and no chatter
    bool live_status = false; // a status line on the status stream, rewritten in place
    std::size_t width = 80;
    // --redact: pseudonymises every line that carries data (the same tokens as the JSON report
    // when it redacts that too); null: lines print as they are.
    Redactor* redactor = nullptr;
};

class TextReporter final : public Reporter {
public:
    TextReporter(std::ostream& out, std::ostream& status, TextStyle style = {})
        : out_(out), status_(status), style_(std::move(style)) {}

    void ready(const Report& report) override;
    void finding(const Finding& finding) override;
    void lost_events(std::string_view probe, std::uint64_t count) override;
    void progress(const Progress& progress) override;
    void reloaded(const ReloadOutcome& outcome) override;
    void summary(const Report& report) override;

private:
    void print_block(const Finding& f);
    std::string level_text(Level level) const;
    std::string bold(std::string_view text) const;
    std::string clean(std::string_view text) const; // redacted when asked
    void learn_names(const Finding& f);             // its namespace names, for the redactor
    // An advice step under `indent` spaces and its label ("check:    "), wrapped at the width;
    // in "Why: command" the command keeps a line of its own so it can be copied.
    std::string step_lines(std::size_t indent,
                           std::string_view label,
                           bool change,
                           const std::string& text) const;
    void clear_status_line();

    std::ostream& out_;
    std::ostream& status_;
    TextStyle style_;
    std::set<std::string> shown_; // rule id + message of the findings printed in full
    bool status_line_ = false;    // a status line is on screen
};

// The evidence line of one event, e.g. "drop reason NETFILTER_DROP at nft_do_chain+0x2b1 on
// veth0", and its stack in one line (innermost first, at most `max_frames` frames).
std::string evidence_text(const Event& ev);
std::string stack_text(const Event& ev, std::size_t max_frames);

// `text` wrapped at `width`: the first line starts with `first`, the others with `indent`
// spaces. Words longer than a line are not broken; a word that does not fit after a `first`
// longer than `indent` goes to the next line.
std::string
wrap_text(std::string_view text, std::string_view first, std::size_t indent, std::size_t width);

// How to show colours for --color=auto|always|never: auto means only on a terminal, and never
// when NO_COLOR is set (https://no-color.org) or TERM is "dumb".
bool use_color(std::string_view mode, bool is_terminal, const char* no_color, const char* term);

} // namespace netdx::engine
