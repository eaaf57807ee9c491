// SPDX-License-Identifier: GPL-2.0
// trail.*, flow.* and fact.* as rules see them.
#include <doctest/doctest.h>

#include "engine/correlator.h"
#include "engine/diagnoser.h"
#include "engine/loader/loader.h"
#include "test_events.h"

using netdx::engine::Correlator;
using netdx::engine::Diagnoser;
using netdx::engine::StaticFacts;
using netdx::test::tcp_drop;

namespace {

netdx::engine::RuleSet rules(const std::string& yaml) {
    auto r = netdx::engine::loader::load_rule_text("t.yaml", yaml);
    REQUIRE(r.diagnostics.empty());
    return std::move(r.rules);
}

} // namespace

TEST_CASE("both directions of a 5-tuple are one flow, across namespaces") {
    Correlator c;
    auto out = tcp_drop("NETFILTER_DROP", {"nf_hook_slow"}, "10.0.0.1", "10.0.0.2", 40000, 80);
    auto back = tcp_drop("NO_SOCKET", {"tcp_v4_rcv"}, "10.0.0.2", "10.0.0.1", 80, 40000);
    back.netns = 99;
    back.ts_ns = out.ts_ns + 2'000'000;
    CHECK(c.observe(out).flow->events == 1);
    auto view = c.observe(back);
    REQUIRE(view.flow != nullptr);
    CHECK(view.flow->events == 2);
    CHECK(view.flow->drops == 2);
    CHECK(view.flow->reasons == std::vector<std::string>{"NETFILTER_DROP", "NO_SOCKET"});
    CHECK(c.flows() == 1);
    auto other = tcp_drop("NO_SOCKET", {"tcp_v4_rcv"}, "10.0.0.1", "10.0.0.2", 40001, 80);
    CHECK(c.observe(other).flow->events == 1);
    CHECK(c.flows() == 2);
}

TEST_CASE("a packet's trail ends when it is dropped, so a reused skb address starts anew") {
    Correlator c;
    auto ev = tcp_drop("NO_SOCKET", {"tcp_v4_rcv"});
    ev.skb = 0xffff0001;
    CHECK(c.observe(ev).trail->events == 1);
    CHECK(c.observe(ev).trail->events == 1);
    CHECK(c.trails() == 0);
}

TEST_CASE("the correlator's tables stay bounded") {
    Correlator c(Correlator::Limits{64, 64, 120'000'000'000ULL});
    for (std::uint16_t port = 1; port < 1000; ++port) {
        auto ev = tcp_drop("NO_SOCKET", {"tcp_v4_rcv"}, "10.0.0.1", "10.0.0.2", port, 80);
        ev.ts_ns += port;
        c.observe(ev);
        CHECK(c.flows() <= 64);
    }
    // The most recent flows survive eviction: the last port's flow has its count.
    auto last = tcp_drop("NO_SOCKET", {"tcp_v4_rcv"}, "10.0.0.1", "10.0.0.2", 999, 80);
    last.ts_ns += 1000;
    CHECK(c.observe(last).flow->events == 2);
}

TEST_CASE("the flow table grows past its first size and keeps every flow") {
    Correlator c;
    for (int round = 1; round <= 2; ++round) {
        for (std::uint16_t port = 1; port <= 5000; ++port) {
            auto ev = tcp_drop("NO_SOCKET", {"tcp_v4_rcv"}, "10.0.0.1", "10.0.0.2", port, 80);
            CHECK(c.observe(ev).flow->events == static_cast<std::uint32_t>(round));
        }
    }
    CHECK(c.flows() == 5000);
}

TEST_CASE("rules read flow.* fields: repeated drops of one flow") {
    auto rs = rules(R"(rules:
  - id: repeated
    category: tcp-retransmit
    level: WARN
    events: [drop]
    condition: flow.drops >= 3 and flow.reasons contains "NETFILTER_DROP"
    message: "{event.flow} dropped {flow.drops} times over {flow.duration_ms} ms"
)");
    Diagnoser d(rs, {});
    auto ev = tcp_drop("NETFILTER_DROP", {"nf_hook_slow"});
    for (int i = 0; i < 3; ++i) {
        ev.ts_ns += 1'000'000'000ULL;
        d.process(ev);
    }
    REQUIRE(d.findings().size() == 1);
    CHECK(d.findings()[0].message ==
          "TCP 10.0.0.1:41234 -> 10.0.0.2:80 dropped 3 times over 2000 ms");
}

TEST_CASE("fact.* fields come from the fact source, only when a rule reads them") {
    auto rs = rules(R"(rules:
  - id: wrong-address
    category: listener-wrong-address
    level: ERROR
    events: [drop]
    condition: event.reason == "NO_SOCKET" and not fact.listening and fact.listener_address exists
    message: "only {fact.listener_address} listens"
)");
    struct CountingFacts final : netdx::engine::FactSource {
        StaticFacts inner;
        int calls = 0;
        netdx::engine::FactValue fact(std::string_view name,
                                      const netdx::engine::Event& ev) override {
            ++calls;
            return inner.fact(name, ev);
        }
    } facts;
    facts.inner.values["listening"] = false;
    facts.inner.values["listener_address"] = std::string("127.0.0.1:80");
    Diagnoser d(rs, {false, 5, &facts});
    d.process(tcp_drop("NETFILTER_DROP", {"nf_hook_slow"}));
    CHECK(facts.calls == 0); // the condition stopped at event.reason
    d.process(tcp_drop("NO_SOCKET", {"tcp_v4_rcv"}));
    REQUIRE(d.findings().size() == 1);
    CHECK(d.findings()[0].message == "only 127.0.0.1:80 listens");
    CHECK(facts.calls == 2); // each fact once, though the message read one again

    Diagnoser without(rs, {});
    without.process(tcp_drop("NO_SOCKET", {"tcp_v4_rcv"}));
    CHECK(without.findings().empty()); // no source: facts are absent, not false
}

TEST_CASE("a trail joins the events of one skb until its drop, within a time window") {
    Correlator c;
    auto rx = tcp_drop("NO_SOCKET", {"tcp_v4_rcv"});
    rx.kind = netdx::engine::EventKind::Rx;
    rx.skb = 0xffff0002;
    auto drop = tcp_drop("NO_SOCKET", {"tcp_v4_rcv"});
    drop.skb = rx.skb;
    drop.ts_ns = rx.ts_ns + 1000;
    CHECK(c.observe(rx).trail->events == 1);
    auto view = c.observe(drop);
    REQUIRE(view.trail != nullptr);
    CHECK(view.trail->events == 2);
    CHECK(view.trail->kinds.test(static_cast<std::size_t>(netdx::engine::EventKind::Rx)));

    // The same address 10 s later is another packet.
    rx.ts_ns += 10'000'000'000ULL;
    CHECK(c.observe(rx).trail->events == 1);
    drop.ts_ns = rx.ts_ns + 20'000'000'000ULL;
    CHECK(c.observe(drop).trail->events == 1);
}

TEST_CASE("rules read trace fields of non-drop events") {
    auto rs = rules(R"yaml(rules:
  - id: no-route
    category: no-route
    level: ERROR
    events: [route]
    condition: event.err == -11 and event.route_table == 254
    message: "no route to {event.daddr} in table {event.route_table} ({event.err_name})"
)yaml");
    Diagnoser d(rs, {});
    auto ev = tcp_drop("", {});
    ev.kind = netdx::engine::EventKind::Route;
    ev.trace.tracepoint = "fib:fib_table_lookup";
    ev.trace.err = -11;
    ev.trace.table = 254;
    d.process(ev);
    REQUIRE(d.findings().size() == 1);
    CHECK(d.findings()[0].message == "no route to 10.0.0.2 in table 254 (EAGAIN)");
}
