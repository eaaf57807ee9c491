// SPDX-License-Identifier: GPL-2.0
#include "text_reporter.h"

#include <algorithm>
#include <cstdio>

namespace netdx::engine {
namespace {

constexpr std::size_t stack_frames_shown = 6;

std::string seconds_text(std::uint64_t ns) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ns) / 1e9);
    return buf;
}

std::string plural(std::uint64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
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

void TextReporter::ready(const Report& report) {
    std::string probes;
    for (const auto& p : report.probes) {
        if (p.attached) {
            probes += (probes.empty() ? "" : ", ") + p.tracepoint;
        }
    }
    status_ << "netdx: ready: tracing " << probes << " for " << report.filters.describe()
            << "; Ctrl-C stops and prints the diagnosis" << std::endl;
    for (const auto& p : report.probes) {
        if (!p.attached) {
            status_ << "netdx: warning: probe " << p.name << " (" << p.tracepoint
                    << ") unavailable: " << p.reason << std::endl;
        }
    }
}

void TextReporter::finding(const Finding& f) {
    out_ << level_name(f.level) << "  " << f.category << "  (rule " << f.rule_id;
    if (!f.escalated_because.empty()) {
        out_ << "; escalated from " << level_name(f.initial_level) << " after "
             << f.escalated_because;
    }
    out_ << ")\n";
    out_ << "  " << f.message << "\n";
    if (!f.evidence.empty()) {
        const Event& ev = f.evidence.front();
        out_ << "  evidence: " << evidence_text(ev) << "\n";
        if (!ev.drop.stack.empty()) {
            out_ << "  stack:    " << stack_text(ev, stack_frames_shown) << "\n";
        }
    }
    for (const auto& step : f.advice) {
        out_ << "  " << (step.kind == AdviceKind::Check ? "check:    " : "change:   ") << step.text
             << "\n";
    }
    out_ << std::endl;
}

void TextReporter::lost_events(std::string_view probe, std::uint64_t count) {
    status_ << "netdx: warning: probe " << probe << " lost " << count
            << " events (ring buffer full); the diagnosis may be incomplete" << std::endl;
}

void TextReporter::summary(const Report& r) {
    auto verdict = r.verdict();
    std::uint64_t elapsed = r.ended_ns > r.started_ns ? r.ended_ns - r.started_ns : 0;
    out_ << "Diagnosis: " << (verdict ? level_name(*verdict) : "OK");
    if (r.stop_reason == StopReason::FirstError) {
        out_ << " (stopped at the first error; --diag-keep keeps going)";
    }
    out_ << "\n";
    if (r.findings.empty()) {
        out_ << "  No problem found in " << plural(r.events, "event", "events") << " over "
             << seconds_text(elapsed) << ".\n";
    }
    // Worst first, then most frequent: the likeliest root cause leads.
    std::vector<const Finding*> ranked;
    for (const auto& f : r.findings) {
        ranked.push_back(&f);
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const Finding* a, const Finding* b) {
        return a->level != b->level ? a->level > b->level : a->count > b->count;
    });
    for (const Finding* f : ranked) {
        out_ << "  " << level_name(f->level) << " " << f->category << " ("
             << plural(f->count, "event", "events") << "): " << f->message << "\n";
    }
    out_ << "Coverage: ";
    std::size_t attached = 0;
    for (const auto& p : r.probes) {
        attached += p.attached ? 1 : 0;
    }
    out_ << plural(attached, "probe", "probes") << " attached";
    for (const auto& p : r.probes) {
        if (!p.attached) {
            out_ << "; " << p.name << " unavailable (" << p.reason << ")";
        }
    }
    out_ << "; " << plural(r.events, "event", "events") << " in " << seconds_text(elapsed) << ", "
         << r.suppressed << " benign, " << r.lost_events() << " lost";
    if (r.decode_errors > 0) {
        out_ << ", " << r.decode_errors << " undecodable";
    }
    out_ << ".\n";
    for (const auto& gap : r.facts_unavailable) {
        out_ << "  not checked: " << gap.name << " (" << gap.reason << ")\n";
    }
    out_ << std::flush;
}

} // namespace netdx::engine
