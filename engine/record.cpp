// SPDX-License-Identifier: GPL-2.0
#include "record.h"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <utility>

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "event_json.h"

namespace netdx::engine {
namespace {

// The header line in the documented key order (type and format first), without the newline.
std::string header_line(const RecordHeader& h) {
    const std::pair<const char*, const std::string*> fields[] = {
        {"format", &h.format},
        {"netdx_version", &h.netdx_version},
        {"kernel", &h.kernel},
        {"hostname", &h.hostname},
        {"started", &h.started},
        {"command", &h.command}};
    std::string line = R"({"type":"header")";
    for (const auto& [key, value] : fields) {
        line += ",\"";
        line += key;
        line += "\":";
        line += json_text(*value, -1);
    }
    return line + "}";
}

// Writes all of `data`, retrying short writes and EINTR; 0 or an errno. `done`: bytes written.
int write_all(int fd, const std::string& data, std::size_t& done) {
    done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        }
        done += static_cast<std::size_t>(n);
    }
    return 0;
}

std::string string_field(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Error line_error(const std::string& path, std::size_t line, const std::string& what) {
    return make_error(ErrorKind::Usage, path + ":" + std::to_string(line) + ": " + what);
}

} // namespace

RecordWriter::RecordWriter(std::string path, int fd)
    : path_(std::move(path)), fd_(fd), last_flush_(Clock::now()) {}

RecordWriter::RecordWriter(RecordWriter&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)),
      buffer_(std::move(other.buffer_)), buffered_events_(std::exchange(other.buffered_events_, 0)),
      written_(other.written_), dropped_(other.dropped_), failed_(other.failed_),
      last_flush_(other.last_flush_) {}

RecordWriter& RecordWriter::operator=(RecordWriter&& other) noexcept {
    if (this != &other) {
        (void)close();
        path_ = std::move(other.path_);
        fd_ = std::exchange(other.fd_, -1);
        buffer_ = std::move(other.buffer_);
        buffered_events_ = std::exchange(other.buffered_events_, 0);
        written_ = other.written_;
        dropped_ = other.dropped_;
        failed_ = other.failed_;
        last_flush_ = other.last_flush_;
    }
    return *this;
}

RecordWriter::~RecordWriter() {
    (void)close();
}

Result<RecordWriter> RecordWriter::open(const std::string& path, RecordHeader header) {
    header.format = record_format;
    header.netdx_version = NETDX_VERSION;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return make_error(ErrorKind::Io, "cannot create record file " + path, errno);
    }
    RecordWriter writer(path, fd);
    writer.buffer_ = header_line(header) + '\n';
    if (auto flushed = writer.flush(); !flushed) {
        return flushed.error();
    }
    return writer;
}

Result<void> RecordWriter::fail(const std::string& what, int err) {
    failed_ = true;
    dropped_ += buffered_events_;
    buffered_events_ = 0;
    buffer_.clear();
    buffer_.shrink_to_fit();
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    return make_error(ErrorKind::Io, what + " " + path_, err);
}

Result<void> RecordWriter::write(const Event& ev) {
    if (failed_ || fd_ < 0) {
        ++dropped_;
        return {};
    }
    buffer_ += record_event_line(ev);
    buffer_ += '\n';
    ++buffered_events_;
    if (buffer_.size() >= buffer_limit) {
        return flush();
    }
    return flush_if_due();
}

Result<void> RecordWriter::write_facts(const FactAnswers& facts) {
    if (failed_ || fd_ < 0 || facts.empty()) {
        return {};
    }
    nlohmann::json values = nlohmann::json::object();
    for (const auto& [name, value] : facts) {
        nlohmann::json& v = values[name];
        if (const bool* b = std::get_if<bool>(&value)) {
            v = *b;
        } else if (const std::int64_t* i = std::get_if<std::int64_t>(&value)) {
            v = *i;
        } else if (const std::string* text = std::get_if<std::string>(&value)) {
            v = *text;
        }
    }
    buffer_ += R"({"type":"facts","facts":)" + json_text(values, -1) + "}\n";
    if (buffer_.size() >= buffer_limit) {
        return flush();
    }
    return {};
}

Result<void> RecordWriter::flush_if_due() {
    if (Clock::now() - last_flush_ < flush_interval) {
        return {};
    }
    return flush();
}

Result<void> RecordWriter::flush() {
    last_flush_ = Clock::now();
    if (failed_ || fd_ < 0 || buffer_.empty()) {
        return {};
    }
    std::size_t done = 0;
    if (const int err = write_all(fd_, buffer_, done); err != 0) {
        // The complete lines before the error are in the file (a cut-off last one is ignored
        // by read_record).
        const auto lines = static_cast<std::uint64_t>(
            std::count(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(done), '\n'));
        const auto complete = std::min(lines, buffered_events_);
        written_ += complete;
        buffered_events_ -= complete;
        return fail("cannot write record file", err);
    }
    written_ += buffered_events_;
    buffered_events_ = 0;
    buffer_.clear();
    return {};
}

Result<void> RecordWriter::close() {
    if (fd_ < 0) {
        return {};
    }
    if (auto flushed = flush(); !flushed) {
        return flushed;
    }
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) {
        // NFS and friends report delayed write errors only here.
        return fail("cannot close record file", errno);
    }
    return {};
}

std::string record_event_line(const Event& ev) {
    return R"({"type":"event","event":)" + json_text(to_json(ev), -1) + "}";
}

Result<Recording> read_record(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return make_error(ErrorKind::Io, "cannot open record file " + path, errno);
    }
    Recording rec;
    std::string line;
    std::size_t number = 0;
    bool have_header = false;
    while (std::getline(in, line)) {
        ++number;
        // getline sets eof only when the last line has no newline: the writer was cut off.
        const bool incomplete_last = in.eof();
        if (line.empty()) {
            continue;
        }
        nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
            if (incomplete_last && have_header) {
                rec.warnings.push_back(path + ":" + std::to_string(number) +
                                       ": incomplete last line ignored (the recording was cut "
                                       "off while writing)");
                break;
            }
            return line_error(path, number, "not a JSON object");
        }
        const std::string type = string_field(j, "type");
        if (!have_header) {
            if (type != "header") {
                return line_error(path,
                                  number,
                                  "not a netdx recording: the first line must be "
                                  "{\"type\":\"header\",\"format\":\"" +
                                      std::string(record_format) + "\",...}");
            }
            const std::string format = string_field(j, "format");
            if (format != record_format) {
                return line_error(
                    path,
                    number,
                    "unsupported record format '" +
                        (format.empty() ? j.value("format", nlohmann::json()).dump() : format) +
                        "' (this netdx reads " + record_format + ")");
            }
            rec.header.format = format;
            rec.header.netdx_version = string_field(j, "netdx_version");
            rec.header.kernel = string_field(j, "kernel");
            rec.header.hostname = string_field(j, "hostname");
            rec.header.started = string_field(j, "started");
            rec.header.command = string_field(j, "command");
            have_header = true;
            continue;
        }
        if (type == "event") {
            auto it = j.find("event");
            if (it == j.end() || !it->is_object()) {
                return line_error(path, number, "event line without an \"event\" object");
            }
            auto ev = event_from_json(*it);
            if (!ev) {
                return line_error(path, number, ev.error().message);
            }
            rec.events.push_back(std::move(*ev));
            rec.facts.emplace_back();
        } else if (type == "facts") {
            auto it = j.find("facts");
            if (it == j.end() || !it->is_object()) {
                return line_error(path, number, "facts line without a \"facts\" object");
            }
            if (rec.events.empty()) {
                return line_error(path, number, "facts line before any event");
            }
            FactAnswers& answers = rec.facts.back();
            for (const auto& [name, value] : it->items()) {
                if (value.is_boolean()) {
                    answers[name] = value.get<bool>();
                } else if (value.is_number_integer()) {
                    answers[name] = value.get<std::int64_t>();
                } else if (value.is_string()) {
                    answers[name] = value.get<std::string>();
                } else {
                    answers[name] = FactValue{};
                }
            }
        } else if (type == "header") {
            return line_error(path, number, "a second header line");
        } else {
            rec.warnings.push_back(path + ":" + std::to_string(number) +
                                   ": line of unknown type '" + type + "' skipped");
        }
    }
    if (in.bad()) {
        return make_error(ErrorKind::Io, "cannot read record file " + path, errno);
    }
    if (!have_header) {
        return line_error(path, 1, "empty file: not a netdx recording");
    }
    return rec;
}

} // namespace netdx::engine
