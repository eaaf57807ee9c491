// SPDX-License-Identifier: GPL-2.0
// --output ndjson: one JSON object per line on stdout, for pipelines and long runs
// (design.md section 7). Lines:
//   {"type":"status","state":"ready"|"running"|"reloaded"|"reload-failed"|"done", ...}
//   {"type":"finding","change":"new"|"escalated","finding":{...as in the report...}}
//   {"type":"lost","probe":"drop","count":12}
// Every line is flushed as it is written, so a reader sees each one at once.
#pragma once

#include <cstdint>
#include <ostream>

#include <nlohmann/json_fwd.hpp>

#include "redact.h"
#include "reporter.h"

namespace netdx::engine {

class NdjsonReporter final : public Reporter {
public:
    // A "running" status line every `status_every_s` seconds; with a redactor, every line is
    // pseudonymised as the report would be (--redact).
    explicit NdjsonReporter(std::ostream& out,
                            Redactor* redactor = nullptr,
                            std::uint64_t status_every_s = 10)
        : out_(out), redactor_(redactor), status_every_ns_(status_every_s * 1'000'000'000ULL) {}

    void ready(const Report& report) override;
    void finding(const Finding& finding) override;
    void lost_events(std::string_view probe, std::uint64_t count) override;
    void reloaded(const ReloadOutcome& outcome) override;
    void progress(const Progress& progress) override;
    void summary(const Report& report) override;

private:
    void line(const nlohmann::json& j);

    std::ostream& out_;
    Redactor* redactor_;
    std::uint64_t status_every_ns_;
    std::uint64_t next_status_ns_ = 0;
};

} // namespace netdx::engine
