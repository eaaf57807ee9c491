// SPDX-License-Identifier: GPL-2.0
// --record FILE for the live commands (diagnose, drops): every event, in the order the sink
// receives it and before any rule sees it, goes to a netdx.record/1 trail (engine/record.h) that
// `netdx replay` reads back. A write error is printed once as a warning and ends the recording,
// never the run.
#pragma once

#include <cstdint>
#include <string>

#include "engine/event.h"
#include "engine/record.h"
#include "engine/result.h"

namespace netdx::cli {

class Recording {
public:
    // Creates `path` with the header of this host (hostname, kernel, now, `command_line`). Fails
    // (Io) when the file cannot be created: before anything is traced.
    static Result<Recording> open(const std::string& path, const std::string& command_line);

    void record(const engine::Event& ev);
    // The facts the rules asked about the event recorded last, for replay.
    void record_facts(const engine::FactAnswers& facts);
    // From the poll loop: writes what is buffered when a second has passed.
    void tick();
    // Flushes and closes; prints how many events were recorded, or lost. Idempotent.
    void finish();

private:
    explicit Recording(engine::RecordWriter writer) : writer_(std::move(writer)) {}
    void check(const Result<void>& written);

    engine::RecordWriter writer_;
    bool finished_ = false;
};

} // namespace netdx::cli
