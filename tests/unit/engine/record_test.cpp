// SPDX-License-Identifier: GPL-2.0
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

#include <doctest/doctest.h>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "../probes/temp_dir.h"
#include "engine/event_json.h"
#include "engine/record.h"
#include "test_events.h"

using netdx::engine::read_record;
using netdx::engine::RecordHeader;
using netdx::engine::RecordWriter;
using netdx::engine::to_json;

namespace {

RecordHeader test_header() {
    RecordHeader h;
    h.kernel = "6.18.44-test";
    h.hostname = "web1";
    h.started = "2026-11-22T05:12:03.123456Z";
    h.command = "netdx diagnose --record trail.ndjson";
    return h;
}

std::string file_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

} // namespace

TEST_CASE("a recorded trail reads back to the same header and events") {
    netdx::test::TempDir dir;
    const auto path = (dir.path() / "trail.ndjson").string();
    auto first = netdx::test::tcp_drop("NETFILTER_DROP", {"nf_hook_slow", "ip_output"});
    auto second = netdx::test::tcp_drop("NO_SOCKET", {"tcp_v4_rcv"}, "10.0.0.2", "10.0.0.1");
    second.dev = "veth0";
    second.comm = "curl";
    {
        auto writer = RecordWriter::open(path, test_header());
        REQUIRE(writer.has_value());
        CHECK(writer->write(first).has_value());
        CHECK(writer->write(second).has_value());
        CHECK(writer->close().has_value());
        CHECK(writer->events_written() == 2);
        CHECK_FALSE(writer->failed());
    }
    // One JSON object per line, the header first.
    std::istringstream lines(file_text(path));
    std::string line;
    REQUIRE(std::getline(lines, line));
    CHECK(line.rfind(R"({"type":"header","format":"netdx.record/1","netdx_version":)", 0) == 0);
    auto header = nlohmann::json::parse(line);
    CHECK(header["type"] == "header");
    CHECK(header["format"] == "netdx.record/1");
    CHECK(header["netdx_version"] == NETDX_VERSION);
    CHECK(header["kernel"] == "6.18.44-test");
    CHECK(header["hostname"] == "web1");
    CHECK(header["started"] == "2026-11-22T05:12:03.123456Z");
    CHECK(header["command"] == "netdx diagnose --record trail.ndjson");
    REQUIRE(std::getline(lines, line));
    CHECK(line == netdx::engine::record_event_line(first));
    CHECK(line.rfind(R"({"type":"event","event":{)", 0) == 0);
    CHECK(nlohmann::json::parse(line) ==
          nlohmann::json{{"type", "event"}, {"event", to_json(first)}});

    auto rec = read_record(path);
    REQUIRE_MESSAGE(rec.has_value(), rec.error().describe());
    CHECK(rec->header.format == "netdx.record/1");
    CHECK(rec->header.netdx_version == NETDX_VERSION);
    CHECK(rec->header.kernel == "6.18.44-test");
    CHECK(rec->header.command == "netdx diagnose --record trail.ndjson");
    REQUIRE(rec->events.size() == 2);
    CHECK(to_json(rec->events[0]) == to_json(first));
    CHECK(to_json(rec->events[1]) == to_json(second));
    CHECK(rec->warnings.empty());
}

TEST_CASE("a trail with only its header has no events") {
    netdx::test::TempDir dir;
    const auto path = (dir.path() / "empty.ndjson").string();
    REQUIRE(RecordWriter::open(path, test_header()).has_value());
    auto rec = read_record(path);
    REQUIRE(rec.has_value());
    CHECK(rec->events.empty());
    CHECK(rec->header.hostname == "web1");
}

TEST_CASE("the facts the rules asked about an event read back with that event") {
    netdx::test::TempDir dir;
    const auto path = (dir.path() / "facts.ndjson").string();
    {
        auto w = RecordWriter::open(path, test_header());
        REQUIRE(w.has_value());
        REQUIRE(w->write(netdx::test::tcp_drop("NO_SOCKET", {"tcp_v4_rcv"})).has_value());
        netdx::engine::FactAnswers facts{{"listening", false},
                                         {"nf_rule_packets", std::int64_t{12}},
                                         {"nf_rule", std::string("-A OUTPUT -j DROP")},
                                         {"egress_dev", netdx::engine::FactValue{}}};
        REQUIRE(w->write_facts(facts).has_value());
        REQUIRE(w->write(netdx::test::tcp_drop("TCP_CSUM", {"tcp_v4_rcv"})).has_value());
        REQUIRE(w->write_facts({}).has_value()); // nothing asked: no line
        REQUIRE(w->close().has_value());
    }
    const std::string text = file_text(path);
    CHECK(std::count(text.begin(), text.end(), '\n') == 4);
    auto rec = read_record(path);
    REQUIRE(rec.has_value());
    REQUIRE(rec->events.size() == 2);
    REQUIRE(rec->facts.size() == 2);
    const auto& first = rec->facts[0];
    CHECK(std::get<bool>(first.at("listening")) == false);
    CHECK(std::get<std::int64_t>(first.at("nf_rule_packets")) == 12);
    CHECK(std::get<std::string>(first.at("nf_rule")) == "-A OUTPUT -j DROP");
    CHECK(std::holds_alternative<std::monostate>(first.at("egress_dev")));
    CHECK(rec->facts[1].empty());

    netdx::engine::ReplayedFacts replayed;
    replayed.set(&rec->facts[0]);
    CHECK(std::get<bool>(replayed.fact("listening", rec->events[0])) == false);
    CHECK(std::holds_alternative<std::monostate>(replayed.fact("ip_forward", rec->events[0])));
}

TEST_CASE("a facts line before any event is an error") {
    netdx::test::TempDir dir;
    const auto path = (dir.path() / "bad.ndjson").string();
    REQUIRE(RecordWriter::open(path, test_header()).has_value());
    std::ofstream(path, std::ios::app) << R"({"type":"facts","facts":{"listening":true}})"
                                       << "\n";
    auto rec = read_record(path);
    REQUIRE_FALSE(rec.has_value());
    CHECK(rec.error().message.find(":2: facts line before any event") != std::string::npos);
}

TEST_CASE("events are buffered until flush, and flushed at close") {
    netdx::test::TempDir dir;
    const auto path = (dir.path() / "buffered.ndjson").string();
    auto writer = RecordWriter::open(path, test_header());
    REQUIRE(writer.has_value());
    const auto header_size = file_text(path).size();
    CHECK(header_size > 0); // the header is written at open
    REQUIRE(writer->write(netdx::test::tcp_drop("NETFILTER_DROP", {"nf_hook_slow"})));
    CHECK(file_text(path).size() == header_size);
    REQUIRE(writer->flush());
    CHECK(file_text(path).size() > header_size);
    CHECK(writer->events_written() == 1);
}

TEST_CASE("a truncated last line is ignored with a warning naming its line") {
    netdx::test::TempDir dir;
    const auto path = (dir.path() / "cut.ndjson").string();
    {
        auto writer = RecordWriter::open(path, test_header());
        REQUIRE(writer.has_value());
        REQUIRE(writer->write(netdx::test::tcp_drop("NETFILTER_DROP", {"nf_hook_slow"})));
        REQUIRE(writer->write(netdx::test::tcp_drop("NO_SOCKET", {"tcp_v4_rcv"})));
    }
    auto text = file_text(path);
    text.resize(text.size() - 20); // cut inside the third line, as a killed writer leaves it
    std::ofstream(path, std::ios::trunc) << text;

    auto rec = read_record(path);
    REQUIRE_MESSAGE(rec.has_value(), rec.error().describe());
    CHECK(rec->events.size() == 1);
    REQUIRE(rec->warnings.size() == 1);
    CHECK(rec->warnings[0].find(path + ":3: incomplete last line") == 0);
}

TEST_CASE("a malformed line before the last one is an error with its line number") {
    netdx::test::TempDir dir;
    auto good = nlohmann::json{{"type", "event"},
                               {"event", to_json(netdx::test::tcp_drop("NO_SOCKET", {}))}};
    const auto path = dir.write("bad.ndjson",
                                R"({"type":"header","format":"netdx.record/1"})"
                                "\n" +
                                    good.dump() + "\n{\"type\":\"event\",\n" + good.dump() + "\n");
    auto rec = read_record(path);
    REQUIRE_FALSE(rec.has_value());
    CHECK(rec.error().message == path + ":3: not a JSON object");

    const auto bad_event = dir.write("bad_event.ndjson",
                                     R"({"type":"header","format":"netdx.record/1"})"
                                     "\n"
                                     R"({"type":"event","event":{"kind":"nonsense"}})"
                                     "\n");
    auto rec2 = read_record(bad_event);
    REQUIRE_FALSE(rec2.has_value());
    CHECK(rec2.error().message == bad_event + ":2: unknown event kind 'nonsense'");
}

TEST_CASE("a file without a valid netdx.record/1 header is rejected") {
    netdx::test::TempDir dir;
    auto no_header = dir.write("no_header.ndjson",
                               R"({"type":"event","event":{"kind":"drop"}})"
                               "\n");
    auto rec = read_record(no_header);
    REQUIRE_FALSE(rec.has_value());
    CHECK(rec.error().message.find(no_header + ":1: not a netdx recording") == 0);

    auto future = dir.write("future.ndjson",
                            R"({"type":"header","format":"netdx.record/9"})"
                            "\n");
    auto rec2 = read_record(future);
    REQUIRE_FALSE(rec2.has_value());
    CHECK(rec2.error().message ==
          future + ":1: unsupported record format 'netdx.record/9' (this netdx reads "
                   "netdx.record/1)");

    auto numeric = dir.write("numeric.ndjson",
                             R"({"type":"header","format":1})"
                             "\n");
    auto rec3 = read_record(numeric);
    REQUIRE_FALSE(rec3.has_value());
    CHECK(rec3.error().message.find("unsupported record format '1'") != std::string::npos);

    auto not_json = dir.write("text.ndjson", "hello\n");
    auto rec4 = read_record(not_json);
    REQUIRE_FALSE(rec4.has_value());
    CHECK(rec4.error().message == not_json + ":1: not a JSON object");

    auto empty = dir.write("empty.ndjson", "");
    auto rec5 = read_record(empty);
    REQUIRE_FALSE(rec5.has_value());
    CHECK(rec5.error().message == empty + ":1: empty file: not a netdx recording");

    CHECK_FALSE(read_record((dir.path() / "missing.ndjson").string()).has_value());
}

TEST_CASE("lines of an unknown type are skipped with a warning") {
    netdx::test::TempDir dir;
    auto path = dir.write("extra.ndjson",
                          R"({"type":"header","format":"netdx.record/1"})"
                          "\n"
                          R"({"type":"lost","probe":"drop","count":3})"
                          "\n");
    auto rec = read_record(path);
    REQUIRE(rec.has_value());
    REQUIRE(rec->warnings.size() == 1);
    CHECK(rec->warnings[0] == path + ":2: line of unknown type 'lost' skipped");
}

TEST_CASE("a write error stops recording once, without crashing the run") {
    if (!std::filesystem::exists("/dev/full")) {
        MESSAGE("skipped: no /dev/full");
        return;
    }
    // /dev/full accepts open() and fails every write with ENOSPC; the header write fails first.
    auto writer = RecordWriter::open("/dev/full", test_header());
    REQUIRE_FALSE(writer.has_value());
    CHECK(writer.error().message == "cannot write record file /dev/full");
    CHECK(writer.error().sys_errno == ENOSPC);
}

namespace {

// The descriptor this process has open on `path`, or -1.
int fd_of(const std::string& path) {
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
        std::error_code ec;
        if (std::filesystem::read_symlink(entry.path(), ec) == path) {
            return std::stoi(entry.path().filename().string());
        }
    }
    return -1;
}

} // namespace

TEST_CASE("a write error in the middle of a run is reported once, then recording stops") {
    netdx::test::TempDir dir;
    const auto path = (dir.path() / "full.ndjson").string();
    auto writer = RecordWriter::open(path, test_header());
    REQUIRE(writer.has_value());
    // Swap the file under the writer for /dev/full, as if the disk filled up now.
    const int fd = fd_of(path);
    const int full = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
    if (fd < 0 || full < 0) {
        MESSAGE("skipped: needs /proc/self/fd and /dev/full");
        return;
    }
    REQUIRE(::dup2(full, fd) == fd);
    ::close(full);

    auto ev = netdx::test::tcp_drop("NETFILTER_DROP", {"nf_hook_slow"});
    REQUIRE(writer->write(ev)); // buffered: nothing written yet
    auto flushed = writer->flush();
    REQUIRE_FALSE(flushed.has_value());
    CHECK(flushed.error().sys_errno == ENOSPC);
    CHECK(flushed.error().message == "cannot write record file " + path);
    CHECK(writer->failed());
    CHECK(writer->write(ev).has_value()); // later events: no error again, counted as dropped
    CHECK(writer->flush().has_value());
    CHECK(writer->close().has_value());
    CHECK(writer->events_written() == 0);
    CHECK(writer->events_dropped() == 2);
}

TEST_CASE("an unwritable path fails at open") {
    auto writer = RecordWriter::open("/nonexistent-dir/trail.ndjson", test_header());
    REQUIRE_FALSE(writer.has_value());
    CHECK(writer.error().sys_errno == ENOENT);
}
