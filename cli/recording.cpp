// SPDX-License-Identifier: GPL-2.0
#include "recording.h"

#include <iostream>

#include "engine/event_json.h"
#include "engine/log.h"
#include "session.h"

namespace netdx::cli {

Result<Recording> Recording::open(const std::string& path, const std::string& command_line) {
    const auto host = read_host_info();
    engine::RecordHeader header;
    header.kernel = host.kernel;
    header.hostname = host.hostname;
    header.started = engine::rfc3339(wall_clock_ns());
    header.command = command_line;
    auto writer = engine::RecordWriter::open(path, std::move(header));
    if (!writer) {
        return writer.error();
    }
    return Recording(std::move(*writer));
}

void Recording::check(const Result<void>& written) {
    if (!written) {
        NETDX_LOG(Warn) << "recording stopped, later events are not recorded: "
                        << written.error().describe();
    }
}

void Recording::record(const engine::Event& ev) {
    check(writer_.write(ev));
}

void Recording::record_facts(const engine::FactAnswers& facts) {
    check(writer_.write_facts(facts));
}

void Recording::tick() {
    check(writer_.flush_if_due());
}

void Recording::finish() {
    if (finished_) {
        return;
    }
    finished_ = true;
    check(writer_.close());
    if (writer_.failed()) {
        std::cerr << "netdx: warning: " << writer_.events_dropped() << " events were not recorded; "
                  << writer_.path() << " holds the first " << writer_.events_written() << "\n";
    } else {
        std::cerr << "netdx: recorded " << writer_.events_written() << " events to "
                  << writer_.path() << "\n";
    }
}

} // namespace netdx::cli
