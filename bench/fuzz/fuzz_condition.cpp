// SPDX-License-Identifier: GPL-2.0
// libFuzzer target: bytes -> Condition::compile against the real field catalog, in a small fixed
// scope of lists and macros (some of them broken or cyclic). A condition that compiles is
// evaluated on hand-built events, and its canonical text must compile to the same canonical text
// and give the same answers. Any broken invariant aborts, so libFuzzer keeps the input.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/condition/condition.h"
#include "engine/event.h"
#include "engine/fields.h"
#include "tests/unit/engine/condition_fakes.h"
#include "tests/unit/engine/test_events.h"

namespace {

namespace cond = netdx::engine::condition;
using netdx::engine::Event;
using netdx::engine::EventFields;
using netdx::engine::EventView;

// A fixed scope of lists and macros, some broken or cyclic on purpose.
netdx::test::FakeScope make_scope() {
    netdx::test::FakeScope scope;
    scope.lists["web-ports"] = {"80", "443", "0x1f90", "-1"};
    scope.lists["nets"] = {"10.0.0.0/8", "fd00::/8", "192.168.1.1", "::ffff:10.0.0.2"};
    scope.lists["reasons"] = {"NETFILTER_DROP", "TCP_INVALID_SEQUENCE", "NO_SOCKET", ""};
    scope.lists["bad-items"] = {"http", "99999999999999999999", "300.1.1.1", "10.0.0.0/33"};
    scope.lists["empty"] = {};
    scope.macros["is-web"] = "event.dport in web-ports";
    scope.macros["tcp"] = "event.proto == \"tcp\"";
    scope.macros["private"] = "event.saddr in nets or event.daddr in nets";
    scope.macros["web-tcp"] = "is-web and tcp and not private";
    scope.macros["nf-drop"] =
        "event.reason =~ \"^NETFILTER\" and event.stack contains \"nf_hook_slow\"";
    scope.macros["never"] = "event.dport == 1 and event.dport == 2";
    scope.macros["loop-a"] = "loop-b or event.dport == 1"; // loop-a -> loop-b -> loop-a
    scope.macros["loop-b"] = "not (loop-a)";
    scope.macros["self"] = "self";
    scope.macros["broken"] = "event.nope == 1";
    scope.macros["bad-syntax"] = "(event.dport ==";
    scope.macros["uses-broken"] = "tcp or broken";
    scope.macros["list-as-macro"] = "web-ports";
    // A macro used twice by the next one: each level doubles the expanded condition.
    scope.macros["twice-0"] = "event.dport == 1";
    for (int i = 1; i <= 40; ++i) {
        std::string prev = "twice-" + std::to_string(i - 1);
        scope.macros["twice-" + std::to_string(i)] = prev + " or " + prev;
    }
    return scope;
}

std::vector<Event> make_events() {
    std::vector<Event> events;
    events.push_back(netdx::test::tcp_drop(
        "NETFILTER_DROP", {"nf_hook_slow", "ip_local_deliver", "ip_rcv"}, "10.0.0.1", "10.0.0.2"));
    Event v6 = netdx::test::tcp_drop("NO_SOCKET", {}, "fd00::1", "::ffff:10.0.0.2", 443, 8080);
    v6.pkt.family = netdx::engine::PacketFamily::Ipv6;
    v6.pkt.l4_proto = 58; // ICMPv6: no ports
    v6.pkt.has_ports = false;
    v6.pkt.has_icmp = true;
    v6.netns_name.clear();
    events.push_back(v6);
    events.emplace_back(); // nothing known: most fields absent
    return events;
}

[[noreturn]] void fail(const char* what, std::string_view text, const std::string& detail) {
    std::fprintf(stderr,
                 "fuzz_condition: %s\n  input (%zu bytes): %.*s\n  %s\n",
                 what,
                 text.size(),
                 static_cast<int>(text.size()),
                 text.data(),
                 detail.c_str());
    std::abort();
}

// Problems must carry a code and point inside the text they belong to.
void check_problems(const std::vector<cond::Problem>& problems,
                    std::string_view text,
                    const netdx::test::FakeScope& scope) {
    for (const auto& p : problems) {
        if (p.code == nullptr || p.message.empty()) {
            fail("problem without code or message", text, p.message);
        }
        std::string_view where = text;
        if (!p.macro.empty()) {
            auto body = scope.macro(p.macro);
            if (!body) {
                fail("problem in an unknown macro", text, p.macro);
            }
            where = *body;
        }
        if (p.offset > where.size() || p.length > where.size() - p.offset) {
            fail("problem position outside its text",
                 text,
                 p.message + " at " + std::to_string(p.offset) + "+" + std::to_string(p.length) +
                     " in " + std::to_string(where.size()) + " bytes");
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const netdx::test::FakeScope scope = make_scope();
    static const std::vector<Event> events = make_events();
    const auto& fields = EventFields::instance();

    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::vector<cond::Problem> problems;
    auto compiled = cond::Condition::compile(text, fields, &scope, problems);
    check_problems(problems, text, scope);
    if (!compiled) {
        if (problems.empty()) {
            fail("compile failed without a problem", text, "");
        }
        return 0;
    }
    if (!problems.empty()) {
        fail("compile succeeded with problems", text, problems.front().message);
    }

    const auto& used = compiled->fields_used();
    for (std::size_t i = 1; i < used.size(); ++i) {
        if (used[i - 1] >= used[i]) {
            fail("fields_used not sorted and unique", text, "");
        }
    }
    (void)compiled->never_true_reason();

    std::string canonical = compiled->canonical();
    std::vector<cond::Problem> again_problems;
    auto again = cond::Condition::compile(canonical, fields, &scope, again_problems);
    if (!again) {
        fail("canonical text does not compile",
             text,
             canonical + "\n  problem: " +
                 (again_problems.empty() ? std::string("(none)") : again_problems[0].message));
    }
    if (again->canonical() != canonical) {
        fail("canonical text is not stable", text, canonical + "\n  became: " + again->canonical());
    }
    for (const Event& ev : events) {
        EventView view(ev);
        bool first = compiled->matches(view);
        EventView view2(ev);
        if (again->matches(view2) != first) {
            fail("canonical text matches differently", text, canonical);
        }
    }
    return 0;
}
