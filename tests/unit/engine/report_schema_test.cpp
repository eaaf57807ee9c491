// SPDX-License-Identifier: GPL-2.0
// The JSON report writer against docs/report.schema.json (issue 8), without root: every member
// the writer can produce is described by the schema (whose objects are closed), and every member
// the schema requires is written. A small validator covers the keywords the schema uses, and
// fails on any other keyword, so that the schema cannot grow past what this test checks.
#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <re2/re2.h>

#include "engine/report/json_report.h"
#include "engine/report/redact.h"
#include "test_events.h"

using namespace netdx::engine;
using nlohmann::json;

namespace {

json load_schema() {
    std::ifstream in(std::string(NETDX_SOURCE_DIR) + "/docs/report.schema.json");
    return json::parse(in);
}

class Validator {
public:
    explicit Validator(json root) : root_(std::move(root)) {}

    std::vector<std::string> errors(const json& value) {
        errors_.clear();
        check(root_, value, "");
        return errors_;
    }

private:
    bool valid(const json& schema, const json& value) {
        auto saved = std::move(errors_);
        errors_.clear();
        check(schema, value, "");
        bool ok = errors_.empty();
        errors_ = std::move(saved);
        return ok;
    }

    void fail(const std::string& path, const std::string& what) {
        errors_.push_back((path.empty() ? "/" : path) + ": " + what);
    }

    static bool has_type(const json& value, const std::string& type) {
        return (type == "object" && value.is_object()) || (type == "array" && value.is_array()) ||
               (type == "string" && value.is_string()) ||
               (type == "integer" && value.is_number_integer()) ||
               (type == "number" && value.is_number()) ||
               (type == "boolean" && value.is_boolean()) || (type == "null" && value.is_null());
    }

    void check(const json& schema, const json& value, const std::string& path) {
        for (auto it = schema.begin(); it != schema.end(); ++it) {
            const std::string& k = it.key();
            const json& s = it.value();
            if (k == "$schema" || k == "$id" || k == "$defs" || k == "title" ||
                k == "description" || k == "then" || k == "else") {
                continue;
            }
            if (k == "$ref") {
                std::string ref = s.get<std::string>();
                if (ref.rfind("#/$defs/", 0) != 0 || !root_["$defs"].contains(ref.substr(8))) {
                    fail(path, "unresolved $ref " + ref);
                } else {
                    check(root_["$defs"][ref.substr(8)], value, path);
                }
            } else if (k == "type") {
                if (!has_type(value, s.get<std::string>())) {
                    fail(path, "not of type " + s.get<std::string>());
                }
            } else if (k == "const") {
                if (value != s) {
                    fail(path, "is not " + s.dump());
                }
            } else if (k == "enum") {
                if (std::find(s.begin(), s.end(), value) == s.end()) {
                    fail(path, value.dump() + " is not one of " + s.dump());
                }
            } else if (k == "required") {
                for (const auto& name : s) {
                    if (value.is_object() && !value.contains(name.get<std::string>())) {
                        fail(path, "misses required " + name.get<std::string>());
                    }
                }
            } else if (k == "properties") {
                if (value.is_object()) {
                    for (auto p = s.begin(); p != s.end(); ++p) {
                        if (value.contains(p.key())) {
                            check(p.value(), value[p.key()], path + "/" + p.key());
                        }
                    }
                }
            } else if (k == "additionalProperties") {
                if (!value.is_object()) {
                    continue;
                }
                const json& props = schema.contains("properties") ? schema["properties"] : json();
                for (auto m = value.begin(); m != value.end(); ++m) {
                    if (props.is_object() && props.contains(m.key())) {
                        continue;
                    }
                    if (s.is_boolean()) {
                        if (!s.get<bool>()) {
                            fail(path, "has undescribed member " + m.key());
                        }
                    } else {
                        check(s, m.value(), path + "/" + m.key());
                    }
                }
            } else if (k == "items") {
                if (value.is_array()) {
                    for (std::size_t i = 0; i < value.size(); ++i) {
                        check(s, value[i], path + "/" + std::to_string(i));
                    }
                }
            } else if (k == "oneOf") {
                int matches = 0;
                for (const auto& alt : s) {
                    matches += valid(alt, value) ? 1 : 0;
                }
                if (matches != 1) {
                    fail(path, std::to_string(matches) + " oneOf alternatives match");
                }
            } else if (k == "not") {
                if (valid(s, value)) {
                    fail(path, "matches a forbidden shape " + s.dump());
                }
            } else if (k == "if") {
                const char* branch = valid(s, value) ? "then" : "else";
                if (schema.contains(branch)) {
                    check(schema[branch], value, path);
                }
            } else if (k == "minimum" || k == "maximum") {
                if (value.is_number()) {
                    double v = value.get<double>();
                    if (k == "minimum" ? v < s.get<double>() : v > s.get<double>()) {
                        fail(path, "out of range: " + value.dump());
                    }
                }
            } else if (k == "minLength") {
                if (value.is_string() && value.get<std::string>().size() < s.get<std::size_t>()) {
                    fail(path, "too short");
                }
            } else if (k == "pattern") {
                if (value.is_string() &&
                    !RE2::PartialMatch(value.get<std::string>(), s.get<std::string>())) {
                    fail(path, value.dump() + " does not match " + s.get<std::string>());
                }
            } else {
                fail(path, "the schema uses keyword " + k + ", which this test does not check");
            }
        }
    }

    json root_;
    std::vector<std::string> errors_;
};

Event route_event() {
    Event ev;
    ev.kind = EventKind::Route;
    ev.ts_ns = 1'700'000'000'500'000'000ULL;
    ev.netns_name = "blue";
    ev.pkt.family = PacketFamily::Ipv6;
    ev.pkt.l4_proto = 58;
    ev.pkt.has_icmp = true;
    ev.pkt.icmp_type = 128;
    ev.pkt.saddr = *IpAddr::parse("fd00::1");
    ev.pkt.daddr = *IpAddr::parse("fd00::2");
    TraceInfo& t = ev.trace;
    t.tracepoint = "fib6:fib6_table_lookup";
    t.err = -101;
    t.table = 254;
    t.gateway = *IpAddr::parse("fe80::1");
    t.state = "FAILED";
    t.old_state = "INCOMPLETE";
    t.sent_icmp_type = 3;
    t.sent_icmp_code = 1;
    t.xdp_prog_id = 7;
    t.xdp_prog = "xdp_drop";
    t.xdp_action = "DROP";
    t.rst_reason = 2;
    t.buffer = "receive";
    t.counter = "TcpExt.ListenOverflows";
    t.counter_delta = 4;
    return ev;
}

// A report with every optional member the writer has: all filters, an escalated finding, drop
// and trace evidence, an unavailable probe, a fact gap, suppressed events.
Report full_report() {
    Report r;
    r.host = {"web-01", "6.18.44", true};
    r.command = "netdx diagnose --diag-keep";
    r.started_ns = 1'700'000'000'000'000'000ULL;
    r.ended_ns = r.started_ns + 2'000'000'000ULL;
    r.stop_reason = StopReason::Interrupted;
    Filter& fl = r.filters;
    fl.host = IpAddr::parse("10.0.0.2");
    fl.saddr = IpAddr::parse("10.0.0.1");
    fl.daddr = IpAddr::parse("10.0.0.2");
    fl.port = 80;
    fl.sport = 41234;
    fl.dport = 80;
    fl.l4_proto = 6;
    fl.netns = "blue";
    fl.dev = "veth0";
    r.probes = {{"drop", "skb:kfree_skb", true, "", 3},
                {"route", "fib:fib_table_lookup", false, "not built", 0}};
    r.facts_unavailable = {{"netfilter counters", "nft not installed"}};
    r.events = 9;
    r.suppressed = 2;
    r.suppressed_by = {{"benign-multicast", 2}};
    r.unexplained = 1;
    r.decode_errors = 1;

    Finding f;
    f.rule_id = "netfilter-drop-nftables";
    f.category = "netfilter-drop";
    f.level = Level::Error;
    f.initial_level = Level::Warn;
    f.escalated_because = "3 events";
    f.message = "dropped";
    f.advice = {{AdviceKind::Check, "nft list ruleset"}, {AdviceKind::Change, "nft flush"}};
    f.count = 3;
    f.evidence = {netdx::test::tcp_drop("NETFILTER_DROP", {"nft_do_chain"}), route_event()};
    f.first_seen_ns = f.evidence[0].ts_ns;
    f.last_seen_ns = f.evidence[1].ts_ns;
    f.flow = f.evidence[0].pkt;
    f.netns = "blue";
    f.netns_inode = 4026532000;
    f.device = "veth0";
    r.findings.push_back(f);

    Finding g; // no ports, no device, unnamed namespace
    g.rule_id = "no-route";
    g.category = "no-route";
    g.level = Level::Info;
    g.message = "no route";
    g.count = 1;
    g.evidence = {route_event()};
    g.flow = g.evidence[0].pkt;
    r.findings.push_back(g);
    return r;
}

std::string joined(const std::vector<std::string>& errors) {
    std::string out;
    for (const auto& e : errors) {
        out += e + "\n";
    }
    return out;
}

} // namespace

TEST_CASE("the schema is versioned: $id ends in the version, schema is netdx.report/1") {
    json schema = load_schema();
    std::string id = schema["$id"];
    CHECK(id.size() > 2);
    CHECK(id.substr(id.size() - 2) == "/1");
    CHECK(schema["properties"]["schema"]["const"] == report_schema);
    CHECK(schema["additionalProperties"] == false);
}

TEST_CASE("every member the JSON report writes is in the schema, every required one is written") {
    Validator v(load_schema());
    json full = to_json(full_report());
    CHECK(joined(v.errors(full)) == "");
    CHECK(joined(v.errors(to_json(Report{}))) == "");
    // Redaction keeps the shape and adds "redacted": true.
    Redactor().report(full);
    CHECK(full["redacted"] == true);
    CHECK(joined(v.errors(full)) == "");
}

TEST_CASE("the schema rejects what is not netdx.report/1") {
    Validator v(load_schema());
    json good = to_json(full_report());
    struct Case {
        const char* what;
        json doc;
    };
    std::vector<Case> cases;
    auto with = [&](const char* what, auto change) {
        json doc = good;
        change(doc);
        cases.push_back({what, doc});
    };
    with("another version", [](json& d) { d["schema"] = "netdx.report/2"; });
    with("an unknown top-level member", [](json& d) { d["extra"] = 1; });
    with("an unknown finding member", [](json& d) { d["findings"][0]["extra"] = 1; });
    with("an unknown event member", [](json& d) { d["findings"][0]["evidence"][0]["x"] = 1; });
    with("a missing coverage count", [](json& d) { d["coverage"].erase("decode_errors"); });
    with("a drop event without drop",
         [](json& d) { d["findings"][0]["evidence"][0].erase("drop"); });
    with("a drop event with trace", [](json& d) {
        d["findings"][0]["evidence"][0]["trace"] = {{"tracepoint", "a:b"}};
    });
    with("a route event without trace",
         [](json& d) { d["findings"][0]["evidence"][1].erase("trace"); });
    with("redacted false", [](json& d) { d["redacted"] = false; });
    for (const auto& c : cases) {
        CAPTURE(c.what);
        auto errors = v.errors(c.doc);
        CHECK_FALSE(errors.empty());
    }
}
