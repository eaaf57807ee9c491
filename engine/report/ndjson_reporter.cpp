// SPDX-License-Identifier: GPL-2.0
#include "ndjson_reporter.h"

#include <nlohmann/json.hpp>

#include "json_report.h"

namespace netdx::engine {

void NdjsonReporter::line(const nlohmann::json& j) {
    std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (redactor_ != nullptr) {
        text = redactor_->text(text);
    }
    out_ << text << "\n" << std::flush;
}

void NdjsonReporter::ready(const Report& report) {
    if (redactor_ != nullptr) {
        redactor_->add_hostname(report.host.hostname);
    }
    nlohmann::json j = {{"type", "status"}, {"state", "ready"}, {"schema", report_schema}};
    const nlohmann::json whole = to_json(report);
    j["coverage"] = whole["coverage"];
    j["filters"] = whole["filters"];
    line(j);
}

void NdjsonReporter::finding(const Finding& f) {
    if (redactor_ != nullptr) {
        redactor_->add_netns(f.netns);
        for (const auto& ev : f.evidence) {
            redactor_->add_netns(ev.netns_name);
        }
    }
    line({{"type", "finding"},
          {"change", f.escalated_because.empty() ? "new" : "escalated"},
          {"finding", to_json(f)}});
}

void NdjsonReporter::lost_events(std::string_view probe, std::uint64_t count) {
    line({{"type", "lost"}, {"probe", probe}, {"count", count}});
}

void NdjsonReporter::reloaded(const ReloadOutcome& outcome) {
    nlohmann::json j = {{"type", "status"}, {"state", outcome.ok ? "reloaded" : "reload-failed"}};
    if (outcome.ok) {
        j["rules"] = outcome.rules;
        j["drop_reasons"] = outcome.reasons;
        j["unattached_kinds"] = outcome.unattached;
    } else {
        j["errors"] = outcome.errors;
    }
    line(j);
}

void NdjsonReporter::progress(const Progress& p) {
    if (p.elapsed_ns < next_status_ns_) {
        return;
    }
    next_status_ns_ = p.elapsed_ns + status_every_ns_;
    line({{"type", "status"},
          {"state", "running"},
          {"elapsed_s", static_cast<double>(p.elapsed_ns) / 1e9},
          {"events", p.events},
          {"matched", p.matched},
          {"findings", p.findings},
          {"lost", p.lost}});
}

void NdjsonReporter::summary(const Report& report) {
    const nlohmann::json whole = to_json(report);
    line({{"type", "status"},
          {"state", "done"},
          {"verdict", whole["verdict"]},
          {"stop_reason", whole["stop_reason"]},
          {"findings", report.findings.size()},
          {"coverage", whole["coverage"]}});
}

} // namespace netdx::engine
