// SPDX-License-Identifier: GPL-2.0
// Recorded trails (`--record FILE`): every decoded event of a live run as NDJSON, so that support
// can replay it offline (`netdx replay`) and get the same findings. Format netdx.record/1:
//
//   {"type":"header","format":"netdx.record/1","netdx_version":"0.3.0","kernel":"6.18.44",
//    "hostname":"web1","started":"2026-11-22T05:12:03.123456Z","command":"netdx diagnose ..."}
//   {"type":"event","event":{...engine::to_json(Event)...}}
//   {"type":"facts","facts":{"listening":false,"nf_rule":"-A OUTPUT ..."}}
//   ...
//
// A facts line follows the event it belongs to and holds every host fact the rules asked about
// that event, with the live answer (null: it could not be read), so that a replay sees exactly
// what the live run saw.
//
// One JSON object per line. The first line is the header; later lines are events. A reader
// skips lines of a type it does not know (later versions may add some) and tolerates an
// incomplete last line (a run that was killed while writing).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "event.h"
#include "facts.h"
#include "result.h"

namespace netdx::engine {

inline constexpr const char* record_format = "netdx.record/1";

struct RecordHeader {
    std::string format = record_format;
    std::string netdx_version = NETDX_VERSION; // the writer always writes its own version
    std::string kernel;                        // uname -r
    std::string hostname;
    std::string started; // RFC 3339 (engine::rfc3339)
    std::string command; // the command line as typed
};

// Writes a trail. Lines are buffered and written at least once per second (on write() and
// flush_if_due(), which a poll loop calls while no event arrives) and at close(). The first
// failed write keeps the error, stops recording and makes every later call a no-op, so a full
// disk never stops the run that is recording; the caller reports error() once.
class RecordWriter {
public:
    static constexpr std::size_t buffer_limit = 64 * 1024;
    static constexpr std::chrono::milliseconds flush_interval{1000};

    // Creates (or truncates) `path` and writes the header line at once, so that an unwritable
    // path fails before anything starts. `header.format` and `netdx_version` are overwritten.
    static Result<RecordWriter> open(const std::string& path, RecordHeader header);

    RecordWriter(RecordWriter&& other) noexcept;
    RecordWriter& operator=(RecordWriter&& other) noexcept;
    RecordWriter(const RecordWriter&) = delete;
    RecordWriter& operator=(const RecordWriter&) = delete;
    ~RecordWriter(); // close(); an error is lost here, call close() to see it

    // Appends one event line. Fails only on the call whose write failed; afterwards it does
    // nothing and returns success (check failed()).
    Result<void> write(const Event& ev);
    // Appends the facts line of the event written last (nothing when `facts` is empty).
    Result<void> write_facts(const FactAnswers& facts);
    // Writes the buffer if the last write is a flush_interval ago.
    Result<void> flush_if_due();
    Result<void> flush();
    // Flushes and closes the file; idempotent.
    Result<void> close();

    bool failed() const { return failed_; }
    const std::string& path() const { return path_; }
    std::uint64_t events_written() const { return written_; } // events handed to the file
    std::uint64_t events_dropped() const { return dropped_; } // events lost to a write error

private:
    using Clock = std::chrono::steady_clock;

    RecordWriter(std::string path, int fd);
    Result<void> fail(const std::string& what, int err);

    std::string path_;
    int fd_ = -1;
    std::string buffer_;
    std::uint64_t buffered_events_ = 0;
    std::uint64_t written_ = 0;
    std::uint64_t dropped_ = 0;
    bool failed_ = false;
    Clock::time_point last_flush_{};
};

// One event line of a trail, without the newline: {"type":"event","event":{...}}. `netdx drops
// --json` prints the same lines.
std::string record_event_line(const Event& ev);

struct Recording {
    RecordHeader header;
    std::vector<Event> events;
    std::vector<FactAnswers> facts;    // facts[i]: what the rules asked about events[i]
    std::vector<std::string> warnings; // "FILE:LINE: ..." for lines skipped but not fatal
};

// Reads a whole trail. Errors (Usage, "FILE:LINE: what") for a missing or wrong header and for a
// malformed line before the last one; an incomplete last line only adds a warning.
Result<Recording> read_record(const std::string& path);

} // namespace netdx::engine
