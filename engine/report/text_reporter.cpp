// SPDX-License-Identifier: GPL-2.0
#include "text_reporter.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <optional>
#include <vector>

namespace netdx::engine {
namespace {

constexpr std::size_t stack_frames_shown = 6;
constexpr std::size_t command_extra_indent = 2;
constexpr std::size_t summary_indent = 5;
constexpr std::size_t messages_per_cause = 3;

// Categories that are usually a consequence of another fault when both are present: a packet
// filter that eats ARP leaves the sender with a failed neighbour, a link set down removes its
// routes.
struct Consequence {
    std::string_view category;
    std::array<std::string_view, 5> causes;
};
constexpr std::array<Consequence, 2> consequences = {{
    {"neighbor-failure", {"xdp-drop", "xdp-error", "tc-drop", "netfilter-drop", "link-down"}},
    {"no-route", {"link-down", "", "", "", ""}},
}};

std::string seconds_text(std::uint64_t ns) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ns) / 1e9);
    return buf;
}

std::string plural(std::uint64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string_view colour_of(Level level) {
    switch (level) {
    case Level::Error:
        return "\033[1;31m";
    case Level::Warn:
        return "\033[1;33m";
    case Level::Info:
        break;
    }
    return "\033[36m";
}

constexpr std::string_view reset = "\033[0m";

// Findings of one rule at one level: one root cause, seen for one or more flows.
struct Cause {
    Level level = Level::Info;
    std::string category;
    std::string rule_id;
    std::vector<const Finding*> findings; // most events first
    std::uint64_t events = 0;
    std::optional<std::size_t> consequence_of; // 0-based rank of the likely cause
};

// Root causes, worst and most frequent first; a likely consequence of another present cause
// goes after every independent one and names it.
std::vector<Cause> rank_causes(const std::vector<Finding>& findings) {
    std::map<std::tuple<int, std::string, std::string>, Cause> by_key;
    for (const auto& f : findings) {
        Cause& c = by_key[{static_cast<int>(f.level), f.category, f.rule_id}];
        c.level = f.level;
        c.category = f.category;
        c.rule_id = f.rule_id;
        c.findings.push_back(&f);
        c.events += f.count;
    }
    std::vector<Cause> causes;
    for (auto& [key, c] : by_key) {
        std::stable_sort(c.findings.begin(), c.findings.end(), [](auto* a, auto* b) {
            return a->count > b->count;
        });
        causes.push_back(std::move(c));
    }
    auto worse = [](const Cause& a, const Cause& b) {
        return a.level != b.level ? a.level > b.level : a.events > b.events;
    };
    std::stable_sort(causes.begin(), causes.end(), worse);
    // The category each cause is a likely consequence of, decided before anything moves.
    std::vector<std::string> cause_category(causes.size());
    for (std::size_t i = 0; i < causes.size(); ++i) {
        for (const auto& rule : consequences) {
            if (rule.category != causes[i].category) {
                continue;
            }
            for (const auto& other : causes) {
                if (other.level >= Level::Warn &&
                    std::find(rule.causes.begin(), rule.causes.end(), other.category) !=
                        rule.causes.end()) {
                    cause_category[i] = other.category;
                    break;
                }
            }
        }
    }
    std::vector<Cause> independent;
    std::vector<std::pair<Cause, std::string>> dependent;
    for (std::size_t i = 0; i < causes.size(); ++i) {
        if (cause_category[i].empty()) {
            independent.push_back(std::move(causes[i]));
        } else {
            dependent.emplace_back(std::move(causes[i]), cause_category[i]);
        }
    }
    const std::size_t roots = independent.size();
    for (auto& [c, cause] : dependent) {
        for (std::size_t i = 0; i < roots; ++i) {
            if (independent[i].category == cause) {
                c.consequence_of = i;
                break;
            }
        }
        independent.push_back(std::move(c));
    }
    return independent;
}

const AdviceStep* fix_of(const Finding& f) {
    for (const auto& step : f.advice) {
        if (step.kind == AdviceKind::Change) {
            return &step;
        }
    }
    return f.advice.empty() ? nullptr : &f.advice.front();
}

} // namespace

std::string evidence_text(const Event& ev) {
    std::string out;
    if (ev.kind == EventKind::Drop) {
        out = "drop reason " + ev.drop.reason + " at " + ev.drop.location.text();
    } else {
        out = std::string(event_kind_name(ev.kind)) + " event";
    }
    if (!ev.dev.empty()) {
        out += " on " + ev.dev;
    }
    if (!ev.netns_name.empty()) {
        out += ev.netns_name == "host" ? " in the host namespace" : " in netns " + ev.netns_name;
    } else if (ev.netns != 0) {
        out += " in netns inode " + std::to_string(ev.netns);
    }
    return out;
}

std::string stack_text(const Event& ev, std::size_t max_frames) {
    std::string out;
    const auto& stack = ev.drop.stack;
    for (std::size_t i = 0; i < stack.size() && i < max_frames; ++i) {
        if (i > 0) {
            out += " <- ";
        }
        out += stack[i].symbol.empty() ? stack[i].text() : stack[i].symbol;
    }
    if (stack.size() > max_frames) {
        out += " <- ...";
    }
    return out;
}

std::string
wrap_text(std::string_view text, std::string_view first, std::size_t indent, std::size_t width) {
    std::string out(first);
    std::size_t column = first.size();
    bool line_empty = true;
    std::size_t pos = 0;
    while (pos < text.size()) {
        while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\n')) {
            ++pos;
        }
        if (pos >= text.size()) {
            break;
        }
        std::size_t end = pos;
        while (end < text.size() && text[end] != ' ' && text[end] != '\n') {
            ++end;
        }
        const std::string_view word = text.substr(pos, end - pos);
        // A word that does not fit starts a new line, unless the line holds nothing beyond
        // the indentation (then it cannot fit anywhere): also after a long `first`.
        if (column + (line_empty ? 0 : 1) + word.size() > width && column > indent) {
            while (!out.empty() && out.back() == ' ') {
                out.pop_back();
            }
            out += "\n" + std::string(indent, ' ');
            column = indent;
            line_empty = true;
        }
        if (!line_empty) {
            out += ' ';
            ++column;
        }
        out += word;
        column += word.size();
        line_empty = false;
        pos = end;
    }
    return out;
}

bool use_color(std::string_view mode, bool is_terminal, const char* no_color, const char* term) {
    if (mode == "always") {
        return true;
    }
    if (mode == "never") {
        return false;
    }
    const bool no_color_set = no_color != nullptr && *no_color != '\0';
    const bool dumb = term != nullptr && std::string_view(term) == "dumb";
    return is_terminal && !no_color_set && !dumb;
}

std::string TextReporter::level_text(Level level) const {
    std::string name(level_name(level));
    return style_.color ? std::string(colour_of(level)) + name + std::string(reset) : name;
}

std::string TextReporter::bold(std::string_view text) const {
    return style_.color ? "\033[1m" + std::string(text) + std::string(reset) : std::string(text);
}

std::string TextReporter::clean(std::string_view text) const {
    return style_.redactor ? style_.redactor->text(text) : std::string(text);
}

void TextReporter::learn_names(const Finding& f) {
    if (style_.redactor == nullptr) {
        return;
    }
    style_.redactor->add_netns(f.netns);
    for (const auto& ev : f.evidence) {
        style_.redactor->add_netns(ev.netns_name);
    }
}

std::string TextReporter::step_lines(std::size_t indent,
                                     std::string_view label,
                                     bool change,
                                     const std::string& text) const {
    const std::string plain = std::string(indent, ' ') + std::string(label);
    std::string shown = plain;
    if (style_.color && change) {
        const std::size_t word = label.find(':') + 1; // "change:" in green, the padding not
        shown = std::string(indent, ' ') + "\033[32m" + std::string(label.substr(0, word)) +
                std::string(reset) + std::string(label.substr(word));
    }
    const std::size_t hang = plain.size();
    std::string out;
    const auto colon = text.find(": ");
    if (plain.size() + text.size() <= style_.width) {
        out = plain + text;
    } else if (colon != std::string::npos && colon + 2 < text.size()) {
        // "Why: command": the prose wraps, the command keeps its own line so it can be copied.
        out = wrap_text(text.substr(0, colon + 1), plain, hang, style_.width) + "\n" +
              std::string(hang + command_extra_indent, ' ') + text.substr(colon + 2);
    } else {
        out = wrap_text(text, plain, hang, style_.width);
    }
    return shown + out.substr(plain.size());
}

void TextReporter::clear_status_line() {
    if (status_line_) {
        status_ << "\r\033[K" << std::flush;
        status_line_ = false;
    }
}

void TextReporter::ready(const Report& report) {
    if (style_.redactor != nullptr) {
        style_.redactor->add_hostname(report.host.hostname);
        if (report.filters.netns) {
            style_.redactor->add_netns(*report.filters.netns);
        }
    }
    if (style_.quiet) {
        for (const auto& p : report.probes) {
            if (!p.attached) {
                status_ << "netdx: warning: probe " << p.name << " unavailable: " << p.reason
                        << std::endl;
            }
        }
        return;
    }
    std::string probes;
    for (const auto& p : report.probes) {
        if (p.attached) {
            probes += (probes.empty() ? "" : ", ") + p.tracepoint;
        }
    }
    status_ << wrap_text(clean("tracing " + probes + " for " + report.filters.describe() +
                               "; Ctrl-C stops and prints the diagnosis"),
                         "netdx: ready: ",
                         7,
                         style_.width)
            << std::endl;
    for (const auto& p : report.probes) {
        if (!p.attached) {
            status_ << "netdx: warning: probe " << p.name << " (" << p.tracepoint
                    << ") unavailable: " << p.reason << std::endl;
        }
    }
}

void TextReporter::print_block(const Finding& f) {
    const std::size_t width = style_.width;
    out_ << level_text(f.level) << "  " << bold(f.category) << "  (rule " << f.rule_id << ")\n";
    out_ << wrap_text(clean(f.message), "  ", 2, width) << "\n";
    if (!f.evidence.empty()) {
        const Event& ev = f.evidence.front();
        out_ << wrap_text(clean(evidence_text(ev)), "  evidence: ", 12, width) << "\n";
        if (!ev.drop.stack.empty()) {
            out_ << wrap_text(stack_text(ev, stack_frames_shown), "  stack:    ", 12, width)
                 << "\n";
        }
    }
    for (const auto& step : f.advice) {
        const bool change = step.kind == AdviceKind::Change;
        out_ << step_lines(2, change ? "change:   " : "check:    ", change, clean(step.text))
             << "\n";
    }
    out_ << std::endl;
}

void TextReporter::finding(const Finding& f) {
    if (style_.quiet && f.level == Level::Info) {
        return;
    }
    clear_status_line();
    const std::string key = f.rule_id + "\n" + f.message;
    if (shown_.contains(key)) {
        // Already on screen at its first level: one line for the rise, not the block again.
        out_ << level_text(f.level) << "  " << bold(f.category) << "  (rule " << f.rule_id
             << "): escalated from " << level_name(f.initial_level) << " after "
             << f.escalated_because << "\n"
             << std::endl;
        return;
    }
    shown_.insert(key);
    learn_names(f);
    if (!f.escalated_because.empty()) {
        out_ << "(escalated from " << level_name(f.initial_level) << " after "
             << f.escalated_because << ")\n";
    }
    print_block(f);
}

void TextReporter::lost_events(std::string_view probe, std::uint64_t count) {
    clear_status_line();
    status_ << "netdx: warning: probe " << probe << " lost " << count
            << " events (ring buffer full); the diagnosis may be incomplete" << std::endl;
}

void TextReporter::reloaded(const ReloadOutcome& outcome) {
    clear_status_line();
    if (!outcome.ok) {
        status_ << outcome.errors
                << "netdx: error: reloading the rules failed; the previous rules "
                   "stay in use"
                << std::endl;
        return;
    }
    status_ << "netdx: rules reloaded: " << plural(outcome.rules, "rule", "rules") << ", "
            << plural(outcome.reasons, "drop reason", "drop reasons") << std::endl;
    if (!outcome.unattached.empty()) {
        std::string kinds;
        for (const auto& kind : outcome.unattached) {
            kinds += (kinds.empty() ? "" : ", ") + kind;
        }
        status_ << "netdx: warning: the new rules also listen to " << kinds
                << " events, which no probe of this run traces; restart netdx to attach them"
                << std::endl;
    }
}

void TextReporter::progress(const Progress& p) {
    if (!style_.live_status) {
        return;
    }
    std::string line = "netdx: " + seconds_text(p.elapsed_ns) + " | " +
                       plural(p.findings, "finding", "findings") + " | " +
                       std::to_string(p.matched) + " of " + plural(p.events, "event", "events") +
                       " matched | " + std::to_string(p.lost) + " lost | Ctrl-C stops";
    if (line.size() >= style_.width) {
        line.resize(style_.width - 1);
    }
    status_ << "\r\033[K" << line << std::flush;
    status_line_ = true;
}

void TextReporter::summary(const Report& r) {
    clear_status_line();
    const auto verdict = r.verdict();
    const std::uint64_t elapsed = r.ended_ns > r.started_ns ? r.ended_ns - r.started_ns : 0;
    const std::size_t width = style_.width;
    const bool problems = verdict && *verdict >= Level::Warn;
    if (style_.quiet && !problems) {
        out_ << std::flush;
        return;
    }

    for (const auto& f : r.findings) {
        learn_names(f);
    }
    auto causes = rank_causes(r.findings);
    std::size_t root_causes = 0;
    for (const auto& c : causes) {
        root_causes += c.level >= Level::Warn && !c.consequence_of ? 1 : 0;
    }
    out_ << bold("Diagnosis:") << " " << (verdict ? level_text(*verdict) : std::string("OK"));
    if (problems) {
        out_ << " - " << plural(root_causes, "root cause", "root causes");
    } else if (verdict) {
        out_ << " - nothing wrong, " << plural(r.findings.size(), "note", "notes");
    }
    out_ << "\n";
    if (r.stop_reason == StopReason::FirstError) {
        out_ << "  Stopped at the first error; --diag-keep keeps going.\n";
    }
    if (r.findings.empty()) {
        out_ << "  No problem found in " << plural(r.events, "event", "events") << " over "
             << seconds_text(elapsed) << ".\n";
    }

    std::size_t rank = 0;
    std::vector<std::string> also_seen;
    for (const auto& c : causes) {
        if (c.level == Level::Info) {
            also_seen.push_back(c.category + " (" + plural(c.events, "event", "events") + ")");
            continue;
        }
        ++rank;
        std::string head = "  " + std::to_string(rank) + ". " + level_text(c.level) + " " +
                           bold(c.category) + " (";
        head += c.findings.size() > 1 ? plural(c.findings.size(), "finding", "findings") + ", "
                                      : std::string();
        head += plural(c.events, "event", "events") + ")";
        if (c.consequence_of) {
            head += " - probably a consequence of " + std::to_string(*c.consequence_of + 1);
        }
        out_ << head << "\n";
        const std::string indent(summary_indent, ' ');
        if (c.findings.size() == 1) {
            const Finding& f = *c.findings.front();
            out_ << wrap_text(clean(f.message), indent, summary_indent, width) << "\n";
            if (!f.evidence.empty()) {
                out_ << wrap_text(clean(evidence_text(f.evidence.front())),
                                  indent + "evidence: ",
                                  summary_indent + 10,
                                  width)
                     << "\n";
            }
            if (const AdviceStep* fix = fix_of(f)) {
                const bool change = fix->kind == AdviceKind::Change;
                out_ << step_lines(summary_indent,
                                   change ? "fix:      " : "check:    ",
                                   false,
                                   clean(fix->text))
                     << "\n";
            }
            continue;
        }
        for (std::size_t i = 0; i < c.findings.size() && i < messages_per_cause; ++i) {
            const Finding& f = *c.findings[i];
            out_ << wrap_text(clean(f.message) + " (" + plural(f.count, "event", "events") + ")",
                              indent + "- ",
                              summary_indent + 2,
                              width)
                 << "\n";
        }
        if (c.findings.size() > messages_per_cause) {
            out_ << indent << "- and " << c.findings.size() - messages_per_cause
                 << " more (the JSON report has them all)\n";
        }
    }
    if (!also_seen.empty() && !style_.quiet) {
        std::string list;
        for (const auto& item : also_seen) {
            list += (list.empty() ? "" : ", ") + item;
        }
        out_ << wrap_text(list, "  Also seen (INFO): ", 4, width) << "\n";
    }

    std::size_t attached = 0;
    std::string missing;
    for (const auto& p : r.probes) {
        attached += p.attached ? 1 : 0;
        if (!p.attached) {
            missing += "; " + p.name + " unavailable (" + p.reason + ")";
        }
    }
    const bool gaps = !missing.empty() || r.lost_events() > 0 || r.decode_errors > 0 ||
                      !r.facts_unavailable.empty() || r.over_finding_cap > 0;
    if (style_.quiet && !gaps) {
        out_ << std::flush;
        return;
    }
    std::string coverage = plural(attached, "probe", "probes") + " attached" + missing + "; " +
                           plural(r.events, "event", "events") + " in " + seconds_text(elapsed) +
                           ", " + std::to_string(r.suppressed) + " benign, " +
                           std::to_string(r.lost_events()) + " lost";
    if (r.decode_errors > 0) {
        coverage += ", " + std::to_string(r.decode_errors) + " undecodable";
    }
    out_ << wrap_text(coverage + ".", bold("Coverage:") + " ", 2, width + (style_.color ? 8 : 0))
         << "\n";
    if (r.lost_events() > 0) {
        out_ << wrap_text("events were lost (ring buffer full): counts are lower bounds and a "
                          "fault seen only in lost events is missing; --ring-size raises the "
                          "buffer",
                          "  ",
                          2,
                          width)
             << "\n";
    }
    for (const auto& gap : r.facts_unavailable) {
        out_ << wrap_text(gap.name + " (" + gap.reason + ")", "  not checked: ", 4, width) << "\n";
    }
    out_ << std::flush;
}

} // namespace netdx::engine
