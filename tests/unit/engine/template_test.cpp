// SPDX-License-Identifier: GPL-2.0
#include <doctest/doctest.h>

#include "engine/fields.h"
#include "engine/template.h"
#include "test_events.h"

using netdx::engine::EventFields;
using netdx::engine::EventView;
using netdx::engine::Template;
using netdx::engine::TextProblem;

namespace {

std::string render(const std::string& text, const netdx::engine::Event& ev) {
    std::vector<TextProblem> problems;
    auto t = Template::compile(text, EventFields::instance(), problems);
    REQUIRE(problems.empty());
    REQUIRE(t.has_value());
    return t->render(EventView(ev));
}

std::vector<TextProblem> problems_of(const std::string& text) {
    std::vector<TextProblem> problems;
    CHECK_FALSE(Template::compile(text, EventFields::instance(), problems).has_value());
    return problems;
}

} // namespace

TEST_CASE("templates substitute fields, fallbacks and literal braces") {
    auto ev = netdx::test::tcp_drop("NO_SOCKET", {"tcp_v4_rcv"});
    CHECK(render("{event.flow}: port {event.dport}", ev) ==
          "TCP 10.0.0.1:41234 -> 10.0.0.2:80: port 80");
    CHECK(render("hook {event.nf_hook|unknown}", ev) == "hook unknown");
    CHECK(render("nft add rule {{ {event.reason} }}", ev) == "nft add rule { NO_SOCKET }");
    CHECK(render("{event.netns_exec}ss -ltn", ev) == "ip netns exec blue ss -ltn");
    CHECK(render("in {event.netns_label}", ev) == "in netns blue");
    ev.netns_name = "host";
    CHECK(render("{event.netns_exec}ss -ltn in {event.netns_label}", ev) ==
          "ss -ltn in the host namespace");
}

TEST_CASE("template problems carry codes, offsets and hints") {
    auto p = problems_of("x {event.flw} y");
    REQUIRE(p.size() == 1);
    CHECK(p[0].code->id == "E011");
    CHECK(p[0].offset == 3);
    CHECK(p[0].length == 9);
    CHECK(p[0].hints.at(0) == "did you mean 'event.flow'?");

    p = problems_of("open { never closed");
    REQUIRE(p.size() == 1);
    CHECK(p[0].code->id == "E017");
    CHECK(p[0].message == "'{' is never closed");
    CHECK(p[0].offset == 5);

    p = problems_of("a } b {}");
    REQUIRE(p.size() == 2);
    CHECK(p[0].message == "'}' without a matching '{'");
    CHECK(p[0].offset == 2);
    CHECK(p[1].message == "empty field name in '{}'");
    CHECK(p[1].offset == 6);
}

TEST_CASE("a fallback may hold fields, nested a few levels at most") {
    auto ev = netdx::test::tcp_drop("NO_SOCKET", {"tcp_v4_rcv"});
    CHECK(render("{event.nf_hook|port {event.dport} of {event.daddr}}", ev) ==
          "port 80 of 10.0.0.2");
    CHECK(render("{event.nf_hook|{event.nf_family|none} x}", ev) == "none x");
    CHECK(render("{event.dport|{event.daddr}}", ev) == "80"); // present: the fallback is unused

    std::vector<TextProblem> problems;
    auto t = Template::compile("{event.nf_hook|{event.dport}}", EventFields::instance(), problems);
    REQUIRE(t);
    CHECK(t->fields_used().size() == 2);

    auto p = problems_of("ab {event.nf_hook|{event.flw}}");
    REQUIRE(p.size() == 1);
    CHECK(p[0].code->id == "E011");
    CHECK(p[0].offset == 19); // positions count from the start of the whole template

    p = problems_of("{event.flow|{event.flow|{event.flow|{event.flow|{event.flow|x}}}}}");
    REQUIRE(p.size() == 1);
    CHECK(p[0].message.find("nested more than") != std::string::npos);
}
