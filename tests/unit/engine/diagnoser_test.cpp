// SPDX-License-Identifier: GPL-2.0
#include <memory>

#include <doctest/doctest.h>

#include "engine/diagnoser.h"
#include "engine/loader/loader.h"
#include "test_events.h"

using netdx::engine::Diagnoser;
using netdx::engine::Level;
using netdx::test::tcp_drop;

namespace {

netdx::engine::RuleSet rules(const std::string& yaml) {
    auto r = netdx::engine::loader::load_rule_text("t.yaml", yaml);
    REQUIRE(r.diagnostics.empty());
    return std::move(r.rules);
}

const char* rule_file = R"(rules:
  - id: benign
    suppress: true
    events: [drop]
    condition: event.location == "ping_rcv"
  - id: no-listener
    category: no-listener
    level: ERROR
    events: [drop]
    condition: event.reason == "NO_SOCKET"
    key: [event.daddr, event.dport]
    message: "nothing on {event.dport}"
  - id: info-syn
    category: tcp-reset
    level: INFO
    events: [drop]
    condition: event.tcp_flags == "SYN"
    message: "syn to {event.dport}"
  - id: fallback
    category: kernel-drop
    level: WARN
    fallback: true
    events: [drop]
    condition: "true"
    message: "{event.reason} at {event.location}"
)";

} // namespace

TEST_CASE("a suppress rule wins over every other rule and counts the event as benign") {
    auto rs = rules(rule_file);
    Diagnoser d(rs, {});
    CHECK(d.process(tcp_drop("NO_SOCKET", {"ping_rcv"})).empty());
    CHECK(d.findings().empty());
    CHECK(d.stats().suppressed == 1);
    CHECK(d.stats().events == 1);
}

TEST_CASE("every matching rule reports, and fallbacks only fire when nothing else matched") {
    auto rs = rules(rule_file);
    Diagnoser d(rs, {});
    auto created = d.process(tcp_drop("NO_SOCKET", {"tcp_v4_rcv"}));
    REQUIRE(created.size() == 2);
    CHECK(d.findings()[0].rule_id == "no-listener");
    CHECK(d.findings()[1].rule_id == "info-syn");

    created = d.process(tcp_drop("TCP_CSUM", {"tcp_v4_rcv"}, "10.0.0.1", "10.0.0.2", 1, 2, 0x10));
    REQUIRE(created.size() == 1);
    CHECK(d.findings()[2].rule_id == "fallback");
    CHECK(d.findings()[2].message == "TCP_CSUM at tcp_v4_rcv");
    CHECK(d.findings()[2].level == Level::Warn);
    CHECK(d.stats().explained == 2);
}

TEST_CASE("findings roll up by the rule's key, counting and keeping the first events") {
    auto rs = rules(rule_file);
    Diagnoser d(rs, {true, 2});
    for (std::uint16_t sport = 1000; sport < 1005; ++sport) {
        auto ev = tcp_drop("NO_SOCKET", {"tcp_v4_rcv"}, "10.0.0.1", "10.0.0.2", sport, 81, 0x10);
        ev.ts_ns += sport * 1'000'000'000ULL;
        d.process(ev);
    }
    d.process(tcp_drop("NO_SOCKET", {"tcp_v4_rcv"}, "10.0.0.1", "10.0.0.2", 999, 82, 0x10));
    REQUIRE(d.findings().size() == 2);
    const auto& f = d.findings()[0];
    CHECK(f.count == 5);
    CHECK(f.evidence.size() == 2);
    CHECK(f.last_seen_ns - f.first_seen_ns == 4'000'000'000ULL);
    CHECK(f.rate_per_s() == doctest::Approx(1.25));
    CHECK(f.flow.sport == 1000);
    CHECK(d.findings()[1].message == "nothing on 82");
}

TEST_CASE("an ERROR finding stops the run unless keep_going") {
    auto rs = rules(rule_file);
    Diagnoser stop(rs, {false, 5});
    stop.process(tcp_drop("TCP_CSUM", {"tcp_v4_rcv"}, "10.0.0.1", "10.0.0.2", 1, 2, 0x10));
    CHECK_FALSE(stop.should_stop());
    CHECK(stop.worst_level() == Level::Warn);
    stop.process(tcp_drop("NO_SOCKET", {"tcp_v4_rcv"}));
    CHECK(stop.should_stop());
    CHECK(stop.worst_level() == Level::Error);

    Diagnoser keep(rs, {true, 5});
    keep.process(tcp_drop("NO_SOCKET", {"tcp_v4_rcv"}));
    CHECK_FALSE(keep.should_stop());
}

TEST_CASE("rules indexed by drop reason still see every event they could match, in rule order") {
    auto rs = rules(R"(rules:
  - id: any-reason
    category: kernel-drop
    level: INFO
    events: [drop]
    condition: event.dport == 80
    message: "to 80"
  - id: one-of-two
    category: netfilter-drop
    level: WARN
    events: [drop]
    condition: event.reason in ["NETFILTER_DROP", "NO_SOCKET"] and event.dport == 80
    message: "nf or socket"
  - id: either-branch
    category: no-listener
    level: WARN
    events: [drop]
    condition: event.reason == "NO_SOCKET" or event.reason == "TCP_CSUM"
    message: "socket or csum"
  - id: never
    category: kernel-drop
    level: WARN
    events: [drop]
    condition: event.reason != "NO_SOCKET" and event.reason == "OTHERHOST"
    message: "otherhost"
)");
    auto rules_fired = [&](const char* reason) {
        Diagnoser d(rs, {});
        d.process(tcp_drop(reason, {"tcp_v4_rcv"}));
        std::vector<std::string> ids;
        for (const auto& f : d.findings()) {
            ids.push_back(f.rule_id);
        }
        return ids;
    };
    using Ids = std::vector<std::string>;
    CHECK(rules_fired("NO_SOCKET") == Ids{"any-reason", "one-of-two", "either-branch"});
    CHECK(rules_fired("NETFILTER_DROP") == Ids{"any-reason", "one-of-two"});
    CHECK(rules_fired("TCP_CSUM") == Ids{"any-reason", "either-branch"});
    CHECK(rules_fired("OTHERHOST") == Ids{"any-reason", "never"});
    CHECK(rules_fired("SOMETHING_NEW") == Ids{"any-reason"});
}

TEST_CASE("findings of many keys roll up exactly, however many there are") {
    auto rs = rules(rule_file);
    Diagnoser d(rs, {});
    for (int round = 0; round < 3; ++round) {
        for (std::uint16_t port = 1; port <= 3000; ++port) {
            d.process(tcp_drop("NO_SOCKET", {"tcp_v4_rcv"}, "10.0.0.1", "10.0.0.2", 40000, port));
        }
    }
    // no-listener keys on the port; info-syn has no key, so it rolls up by its message.
    REQUIRE(d.findings().size() == 6000);
    for (const auto& f : d.findings()) {
        CHECK(f.count == 3);
    }
}

TEST_CASE("a reload changes the rules for later events and keeps findings and benign counts") {
    auto first = rules(rule_file);
    Diagnoser d(first, {true});
    d.process(tcp_drop("NO_SOCKET", {"ping_rcv"}));
    d.process(tcp_drop("NO_SOCKET", {"tcp_v4_rcv"}, "10.0.0.1", "10.0.0.2", 1000, 81, 0x10));
    REQUIRE(d.findings().size() == 1);
    {
        auto second = std::make_unique<netdx::engine::RuleSet>(rules(R"(rules:
  - id: benign
    suppress: true
    events: [drop]
    condition: event.location == "ping_rcv"
  - id: no-listener
    category: no-listener
    level: WARN
    events: [drop]
    condition: event.reason == "NO_SOCKET"
    key: [event.daddr, event.dport]
    message: "v2: nothing on {event.dport}"
)"));
        d.reload(*second);
        first = {}; // the old rules may go away
        d.process(tcp_drop("NO_SOCKET", {"ping_rcv"}));
        d.process(tcp_drop("NO_SOCKET", {"tcp_v4_rcv"}, "10.0.0.1", "10.0.0.2", 1001, 81, 0x10));
        d.process(tcp_drop("NO_SOCKET", {"tcp_v4_rcv"}, "10.0.0.1", "10.0.0.2", 1002, 82, 0x10));
        d.process(tcp_drop("TCP_CSUM", {"tcp_v4_rcv"})); // the fallback is gone
        REQUIRE(d.findings().size() == 2);
        CHECK(d.findings()[0].message == "nothing on 81"); // rolled up under the same key
        CHECK(d.findings()[0].count == 2);
        CHECK(d.findings()[1].message == "v2: nothing on 82");
        CHECK(d.findings()[1].level == Level::Warn);
        REQUIRE(d.suppressed_by_rule().size() == 1);
        CHECK(d.suppressed_by_rule()[0].second == 2);
        auto third = rules(rule_file);
        d.reload(third);
        second.reset(); // replaced: no longer referenced
        CHECK(d.suppressed_by_rule()[0].second == 2);
        d.process(tcp_drop("TCP_CSUM", {"tcp_v4_rcv"}, "10.0.0.1", "10.0.0.2", 1, 2, 0x10));
        CHECK(d.findings().back().rule_id == "fallback");
    }
}

TEST_CASE("distinct findings are capped: later new ones are counted, existing ones still grow") {
    auto rs = rules(rule_file);
    Diagnoser::Options options;
    options.keep_going = true;
    options.max_findings = 3;
    Diagnoser d(rs, options);
    for (std::uint16_t port = 81; port < 91; ++port) { // ten closed ports: ten keys
        d.process(tcp_drop("NO_SOCKET", {"tcp_v4_rcv"}, "10.0.0.1", "10.0.0.2", 1000, port, 0x10));
    }
    d.process(tcp_drop("NO_SOCKET", {"tcp_v4_rcv"}, "10.0.0.1", "10.0.0.2", 1001, 81, 0x10));
    REQUIRE(d.findings().size() == 3);
    CHECK(d.findings()[0].count == 2); // a kept finding still rolls up
    CHECK(d.stats().over_cap == 7);
}
