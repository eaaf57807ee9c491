// SPDX-License-Identifier: GPL-2.0
// Drop-reason entries: loading and its checks, lookup by any spelling, reason.* fields, and the
// `from: drop-reason` advice a finding gets.
#include <algorithm>
#include <string>

#include <doctest/doctest.h>

#include "engine/diagnoser.h"
#include "engine/fields.h"
#include "engine/loader/loader.h"
#include "test_events.h"

using netdx::engine::AdviceKind;
using netdx::engine::Diagnoser;
using netdx::engine::EventFields;
using netdx::engine::EventView;
using netdx::engine::Level;
using netdx::test::tcp_drop;

namespace {

const char* reasons_file = R"(reasons:
  - name: UNHANDLED_PROTO
    subsystem: core
    since: "5.18"
    formerly: [PTYPE_ABSENT]
    summary: No protocol handler took the frame.
    explanation: The device received a frame whose protocol nothing on this host handles, so it was freed.
    causes: [A protocol nobody on this host speaks.]
    checks: ["See the device's counters: {event.netns_exec}ip -s link show {event.dev|DEV}"]
    remediation: [Stop sending that protocol to this host.]
    level: WARN
  - name: NO_SOCKET
    subsystem: sockets
    since: "5.17"
    summary: No socket matched the destination port.
    explanation: The packet reached the transport layer, but no socket wanted its destination port.
    causes: [The service is down.]
    checks: ["{event.netns_exec}ss -lntu 'sport = :{event.dport|PORT}'"]
    remediation: ["Start the service on port {event.dport|PORT}."]
    level: WARN
    benign:
      when: At ping_rcv every ping reply shows this.
      locations: [ping_rcv]
)";

netdx::engine::loader::LoadResult load(const std::string& text) {
    return netdx::engine::loader::load_rule_text("reasons.yaml", text);
}

bool has_code(const netdx::engine::loader::LoadResult& r, std::string_view id) {
    const auto& items = r.diagnostics.items();
    return std::any_of(items.begin(), items.end(), [&](const auto& d) { return d.code->id == id; });
}

netdx::engine::condition::Value read(const EventView& view, const char* field) {
    return view.read(EventFields::instance().find(field)->id);
}

} // namespace

TEST_CASE("drop-reason entries load and are found by any spelling of their name") {
    auto loaded = load(reasons_file);
    REQUIRE(loaded.diagnostics.empty());
    const auto& book = loaded.rules.reasons;
    REQUIRE(book.entries().size() == 2);
    for (const char* name :
         {"NO_SOCKET", "no_socket", "SKB_DROP_REASON_NO_SOCKET", "skb_drop_reason_no_socket"}) {
        INFO(name);
        REQUIRE(book.find(name) != nullptr);
        CHECK(book.find(name)->name == "NO_SOCKET");
    }
    REQUIRE(book.find("ptype_absent") != nullptr); // a former name finds the current entry
    CHECK(book.find("ptype_absent")->name == "UNHANDLED_PROTO");
    CHECK(book.find("NO_SOCKETS") == nullptr);
    CHECK(netdx::engine::canonical_reason_name("SKB_CONSUMED") == "CONSUMED");
}

TEST_CASE("drop-reason entries reject filler, copies and missing keys") {
    SUBCASE("a copied summary and explanation") {
        std::string text = reasons_file;
        text += R"(  - name: OTHER
    subsystem: core
    since: "6.1"
    summary: No socket matched the destination port.
    explanation: The packet reached the transport layer, but no socket wanted its destination port.
    causes: [Something else.]
    checks: ["nstat -az"]
    remediation: [Do something else.]
    level: INFO
)";
        auto r = load(text);
        CHECK(has_code(r, "E024"));
        CHECK(r.rules.reasons.find("OTHER") != nullptr); // reported, yet loaded: lint fails
    }
    SUBCASE("filler, a repeated line, a bad template, a missing key") {
        auto r = load(R"(reasons:
  - name: FILLER
    subsystem: core
    since: "6.1"
    summary: TODO
    explanation: TBD
    causes: [One cause., One cause.]
    checks: ["{event.no_such_field}"]
    remediation: [n/a]
)");
        CHECK(has_code(r, "E023")); // TODO, TBD, n/a
        CHECK(has_code(r, "E024")); // the repeated cause
        CHECK(has_code(r, "E011")); // the unknown field
        CHECK(has_code(r, "E003")); // no level
        CHECK(r.rules.reasons.find("FILLER") == nullptr);
    }
    SUBCASE("a name defined twice, directly or as a former name") {
        std::string text = reasons_file;
        text += R"(  - name: PTYPE_ABSENT
    subsystem: core
    since: "5.18"
    summary: A second entry under the old name.
    explanation: This entry reuses a name that another entry already lists as its former name.
    causes: [Copy and paste.]
    checks: ["nstat -az IpInUnknownProtos"]
    remediation: [Delete one of the two entries.]
    level: INFO
)";
        CHECK(has_code(load(text), "E004"));
    }
    SUBCASE("a lower-case or prefixed name") {
        auto r = load(R"(reasons:
  - {name: skb_drop_reason_x, subsystem: core, since: "6.1", summary: s s s s s, explanation: e,
     causes: [c], checks: [k], remediation: [r], level: INFO}
)");
        CHECK(has_code(r, "E008"));
    }
}

TEST_CASE("reason.* fields read the entry, and benign depends on the location") {
    auto loaded = load(reasons_file);
    REQUIRE(loaded.diagnostics.empty());
    const auto& book = loaded.rules.reasons;
    auto ev = tcp_drop("NO_SOCKET", {"tcp_v4_rcv"});
    EventView view(ev, {{}, nullptr, &book});
    CHECK(read(view, "reason.known").b);
    CHECK(read(view, "reason.summary").s == "No socket matched the destination port.");
    CHECK(read(view, "reason.level").s == "WARN");
    CHECK(read(view, "reason.subsystem").s == "sockets");
    CHECK_FALSE(read(view, "reason.benign").b);
    CHECK_FALSE(read(view, "reason.benign_when").present);

    auto ping = tcp_drop("NO_SOCKET", {"ping_rcv"});
    EventView ping_view(ping, {{}, nullptr, &book});
    CHECK(read(ping_view, "reason.benign").b);
    CHECK(read(ping_view, "reason.benign_when").s == "At ping_rcv every ping reply shows this.");

    auto unknown = tcp_drop("SOMETHING_NEW", {"tcp_v4_rcv"});
    EventView unknown_view(unknown, {{}, nullptr, &book});
    CHECK(read(unknown_view, "reason.known").present);
    CHECK_FALSE(read(unknown_view, "reason.known").b);
    CHECK_FALSE(read(unknown_view, "reason.summary").present);

    netdx::engine::Event rx;
    rx.kind = netdx::engine::EventKind::Rx;
    EventView rx_view(rx, {{}, nullptr, &book});
    CHECK_FALSE(read(rx_view, "reason.known").present); // not a drop: nothing to know
}

TEST_CASE("`from: drop-reason` advice is the entry's checks and fixes, filled in from the event") {
    std::string text = reasons_file;
    text += R"(rules:
  - id: fallback
    category: kernel-drop
    level: WARN
    fallback: true
    events: [drop]
    condition: reason.known and not reason.benign
    message: "{event.reason}: {reason.summary}"
    advice:
      - check: "A step of the rule itself"
      - from: drop-reason
)";
    auto loaded = load(text);
    REQUIRE(loaded.diagnostics.empty());
    Diagnoser d(loaded.rules, {});
    auto ev = tcp_drop("NO_SOCKET", {"tcp_v4_rcv"}, "10.0.0.1", "10.0.0.2", 41234, 8081);
    d.process(ev);
    d.process(tcp_drop("NO_SOCKET", {"ping_rcv"})); // benign: no finding
    REQUIRE(d.findings().size() == 1);
    const auto& f = d.findings().front();
    CHECK(f.message == "NO_SOCKET: No socket matched the destination port.");
    REQUIRE(f.advice.size() == 3);
    CHECK(f.advice[0].text == "A step of the rule itself");
    CHECK(f.advice[1].kind == AdviceKind::Check);
    CHECK(f.advice[1].text == "ip netns exec blue ss -lntu 'sport = :8081'");
    CHECK(f.advice[2].kind == AdviceKind::Change);
    CHECK(f.advice[2].text == "Start the service on port 8081.");
}
