// SPDX-License-Identifier: GPL-2.0
// Evaluating compiled conditions against events: truth tables per operator, absent values,
// CIDR membership (IPv4 and IPv6), named lists, macros, short-circuiting.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>
#include <re2/re2.h>

#include "condition_fakes.h"
#include "engine/condition/condition.h"
#include "engine/ip.h"

namespace {

using netdx::test::FakeFields;
using netdx::test::FakeScope;
using namespace netdx::test::field_ids;

using netdx::engine::IpAddr;
using netdx::engine::condition::Condition;
using netdx::engine::condition::FieldDef;
using netdx::engine::condition::FieldReader;
using netdx::engine::condition::Problem;
using netdx::engine::condition::Scope;
using netdx::engine::condition::StringListView;
using netdx::engine::condition::Type;
using netdx::engine::condition::Value;

// An event whose unset members read as absent values. Counts reads, to see short-circuits.
struct FakeEvent final : FieldReader {
    std::optional<std::string> reason;
    std::optional<std::int64_t> dport;
    std::optional<IpAddr> saddr;
    std::optional<std::vector<std::string>> stack;
    std::optional<bool> has_ports;
    std::optional<std::string> nf_hook;
    std::optional<std::int64_t> sport;
    std::optional<IpAddr> daddr;
    mutable int reads = 0;

    static std::string_view stack_at(const void* data, std::size_t i) {
        return (*static_cast<const std::vector<std::string>*>(data))[i];
    }

    Value read(std::uint32_t id) const override {
        ++reads;
        switch (id) {
        case Reason:
            return reason ? Value::of_string(*reason) : Value::absent(Type::String);
        case Dport:
            return dport ? Value::of_int(*dport) : Value::absent(Type::Int);
        case Saddr:
            return saddr ? Value::of_ip(*saddr) : Value::absent(Type::Ip);
        case Stack:
            return stack ? Value::of_list(StringListView{&*stack, stack->size(), &stack_at})
                         : Value::absent(Type::StringList);
        case HasPorts:
            return has_ports ? Value::of_bool(*has_ports) : Value::absent(Type::Bool);
        case NfHook:
            return nf_hook ? Value::of_string(*nf_hook) : Value::absent(Type::String);
        case Sport:
            return sport ? Value::of_int(*sport) : Value::absent(Type::Int);
        case Daddr:
            return daddr ? Value::of_ip(*daddr) : Value::absent(Type::Ip);
        default:
            return Value::absent(Type::Bool);
        }
    }
};

const FakeFields fields;

FakeScope make_scope() {
    FakeScope s;
    s.lists["web-ports"] = {"80", "443", "0x1f90", "-1"};
    s.lists["drop-reasons"] = {"NETFILTER_DROP", "TCP_INVALID_SEQUENCE", "NETFILTER_DROP"};
    s.lists["nets"] = {"10.0.0.0/8", "fd00::1", "192.168.1.1"};
    s.macros["is-web"] = "event.dport in web-ports";
    s.macros["is-nf-drop"] = "event.reason == \"NETFILTER_DROP\"";
    s.macros["web-nf-drop"] = "is-web and is-nf-drop";
    return s;
}

const FakeScope scope = make_scope();

IpAddr ip(std::string_view text) {
    auto a = IpAddr::parse(text);
    REQUIRE(a);
    return *a;
}

Condition compile(std::string_view text) {
    std::vector<Problem> problems;
    auto c = Condition::compile(text, fields, &scope, problems);
    REQUIRE_MESSAGE(c, text << ": " << (problems.empty() ? "" : problems[0].message));
    return *c;
}

// A drop of a TCP packet from 10.1.2.3:40000 to port 80, with a stack, outside netfilter.
FakeEvent tcp_drop() {
    FakeEvent ev;
    ev.reason = "NETFILTER_DROP";
    ev.dport = 80;
    ev.sport = 40000;
    ev.saddr = ip("10.1.2.3");
    ev.daddr = ip("fd00::1");
    ev.stack = std::vector<std::string>{"kfree_skb", "nf_hook_slow", "ip_rcv"};
    ev.has_ports = true;
    return ev;
}

// A string literal of the condition language holding `text` (escapes: \\ \" \n).
std::string quoted_for_test(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + "\"";
}

struct Row {
    std::string_view condition;
    bool expected;
};

void check_table(const FakeEvent& ev, std::initializer_list<Row> rows) {
    for (const auto& row : rows) {
        CAPTURE(row.condition);
        CHECK(compile(row.condition).matches(ev) == row.expected);
    }
}

} // namespace

TEST_CASE("condition: comparisons follow their operator for every type") {
    check_table(
        tcp_drop(),
        {
            {R"(event.reason == "NETFILTER_DROP")", true},
            {R"(event.reason == "netfilter_drop")", false},
            {R"(event.reason != "NETFILTER_DROP")", false},
            {R"(event.reason != "X")", true},
            {"event.dport == 80", true},
            {"event.dport == 0x50", true},
            {"80 == event.dport", true},
            {"event.dport != 80", false},
            {"event.dport < 80", false},
            {"event.dport <= 80", true},
            {"event.dport > 79", true},
            {"event.dport >= 81", false},
            {"event.dport > -1", true},
            {"event.dport < event.sport", true},
            {"event.dport == event.sport", false},
            {"1 < 2", true},
            {"event.has_ports", true},
            {"event.has_ports == true", true},
            {"event.has_ports != false", true},
            {"event.saddr == 10.1.2.3", true},
            {R"(event.saddr == "10.1.2.3")", true},
            {"event.saddr == 10.1.2.4", false},
            {"event.saddr != 10.1.2.4", true},
            {"event.daddr == fd00::1", true},
            {"event.daddr == fd00:0:0:0:0:0:0:1", true},
            {"event.daddr == fd00::2", false},
            {"event.saddr == ::ffff:10.1.2.3", false}, // an IPv4 address is not its mapped form
            {"event.saddr != event.daddr", true},
            {"true", true},
            {"false", false},
        });
}

TEST_CASE("condition: and, or and not combine like boolean algebra") {
    check_table(tcp_drop(),
                {
                    {"event.has_ports and event.dport == 80", true},
                    {"event.has_ports and event.dport == 81", false},
                    {"event.dport == 81 or event.has_ports", true},
                    {"event.dport == 81 or event.dport == 82", false},
                    {"not event.has_ports", false},
                    {"not not event.has_ports", true},
                    {"not event.dport == 81", true},
                    {"true or false and false", true}, // and binds tighter
                    {"(true or false) and false", false},
                    {"not true and false", false},
                    {"not (true and false)", true},
                    {"false or false or true", true},
                    {"true and true and false", false},
                });
}

TEST_CASE("condition: and and or stop reading fields once the answer is known") {
    FakeEvent ev = tcp_drop();
    CHECK_FALSE(compile("false and event.dport == 80 and event.reason == \"x\"").matches(ev));
    CHECK(ev.reads == 0);
    CHECK(compile("event.dport == 80 or event.reason == \"x\"").matches(ev));
    CHECK(ev.reads == 1);
}

TEST_CASE("condition: text operators search, prefix-match and regex-search strings") {
    check_table(tcp_drop(),
                {
                    {R"(event.reason contains "FILTER")", true},
                    {R"(event.reason contains "")", true},
                    {R"(event.reason contains "filter")", false},
                    {R"(event.reason startswith "NETFILTER")", true},
                    {R"(event.reason startswith "DROP")", false},
                    {R"(event.reason =~ "DROP")", true}, // search, not full match
                    {R"(event.reason =~ "^DROP")", false},
                    {R"(event.reason =~ "^NET.*_DROP$")", true},
                    {R"(event.reason =~ "(?i)netfilter")", true},
                    {R"(event.stack contains "nf_hook_slow")", true},
                    {R"(event.stack contains "nf_hook")", false}, // elements, not substrings
                    {R"(event.stack contains "ip_rcv")", true},
                });
}

TEST_CASE("condition: in looks values up in literal lists") {
    check_table(tcp_drop(),
                {
                    {"event.dport in [22, 80, 443]", true},
                    {"event.dport in [22, 443]", false},
                    {"event.dport in []", false},
                    {R"(event.reason in ["TCP_RESET", "NETFILTER_DROP"])", true},
                    {R"(event.reason in ["NETFILTER"])", false},
                    {"event.saddr in [10.1.2.3]", true},
                    {"event.saddr in [10.1.2.4, 10.0.0.0/8]", true},
                    {"event.saddr in [192.168.0.0/16, fd00::/8]", false},
                    {R"(event.daddr in ["fd00::/8"])", true},
                    {R"(event.daddr in ["fd00::1"])", true},
                });
}

TEST_CASE("condition: an address is in a prefix of its own family only") {
    struct Case {
        std::string_view addr;
        std::string_view condition;
        bool expected;
    };
    const Case cases[] = {
        {"10.0.0.0", "event.saddr in 10.0.0.0/8", true},
        {"10.255.255.255", "event.saddr in 10.0.0.0/8", true},
        {"11.0.0.0", "event.saddr in 10.0.0.0/8", false},
        {"9.255.255.255", "event.saddr in 10.0.0.0/8", false},
        {"192.168.1.129", "event.saddr in 192.168.1.128/25", true},
        {"192.168.1.127", "event.saddr in 192.168.1.128/25", false},
        {"1.2.3.4", "event.saddr in 0.0.0.0/0", true},
        {"1.2.3.4", "event.saddr in 1.2.3.4/32", true},
        {"1.2.3.5", "event.saddr in 1.2.3.4/32", false},
        {"fd00::1234", "event.saddr in fd00::/64", true},
        {"fd00:0:0:1::1", "event.saddr in fd00::/64", false},
        {"fd00:0:0:1::1", "event.saddr in fd00::/48", true},
        {"fe80::1", "event.saddr in fe80::/10", true},
        {"febf::1", "event.saddr in fe80::/10", true},
        {"fec0::1", "event.saddr in fe80::/10", false},
        {"::1", "event.saddr in ::/0", true},
        {"10.0.0.1", "event.saddr in ::/0", false},
        {"::ffff:10.0.0.1", "event.saddr in 10.0.0.0/8", false},
        {"10.0.0.1", "event.saddr in ::ffff:10.0.0.0/104", false},
    };
    for (const auto& c : cases) {
        CAPTURE(c.addr);
        CAPTURE(c.condition);
        FakeEvent ev;
        ev.saddr = ip(c.addr);
        CHECK(compile(c.condition).matches(ev) == c.expected);
    }
}

TEST_CASE("condition: an absent value makes every test of it false, and not negates that") {
    FakeEvent none; // every field absent
    check_table(none,
                {
                    {R"(event.nf_hook == "x")", false},
                    {R"(event.nf_hook != "x")", false},
                    {R"(not event.nf_hook == "x")", true},
                    {R"(not event.nf_hook != "x")", true},
                    {"event.nf_hook exists", false},
                    {"not event.nf_hook exists", true},
                    {R"(event.nf_hook in ["x", ""])", false},
                    {R"(event.nf_hook contains "")", false},
                    {R"(event.nf_hook startswith "")", false},
                    {R"(event.nf_hook =~ "")", false},
                    {"event.dport == 0", false},
                    {"event.dport != 0", false},
                    {"event.dport < 1", false},
                    {"event.dport >= 1", false},
                    {"event.dport == event.sport", false},
                    {"event.dport != event.sport", false},
                    {"event.has_ports", false},
                    {"not event.has_ports", true},
                    {"event.has_ports == false", false},
                    {"event.saddr in 0.0.0.0/0", false},
                    {"event.saddr in ::/0", false},
                    {"event.saddr == 0.0.0.0", false},
                    {R"(event.stack contains "x")", false},
                    {"event.stack exists", false},
                });

    FakeEvent some = tcp_drop(); // nf_hook still absent, the rest present
    check_table(some,
                {
                    {"event.reason exists and not event.nf_hook exists", true},
                    {"event.dport == 80 and event.nf_hook != \"x\"", false},
                    {"event.dport == 80 and not event.nf_hook == \"x\"", true},
                    {"event.nf_hook == event.reason", false},
                    {"event.nf_hook != event.reason", false},
                });

    FakeEvent empty_list;
    empty_list.stack = std::vector<std::string>{};
    CHECK(compile("event.stack exists").matches(empty_list));
    CHECK_FALSE(compile(R"(event.stack contains "")").matches(empty_list));
}

TEST_CASE("condition: named lists are typed by the field they are used with") {
    FakeEvent ev = tcp_drop();
    check_table(ev,
                {
                    {"event.dport in web-ports", true},
                    {"event.sport in web-ports", false},
                    {"event.reason in drop-reasons", true},
                    {"event.saddr in nets", true},
                    {"event.daddr in nets", true},
                });
    ev.dport = 8080;
    ev.saddr = ip("192.168.1.1");
    ev.daddr = ip("fd00::2");
    check_table(ev,
                {
                    {"event.dport in web-ports", true},
                    {"event.saddr in nets", true},
                    {"event.daddr in nets", false},
                });
    ev.dport = -1;
    CHECK(compile("event.dport in web-ports").matches(ev));
}

TEST_CASE("condition: macros evaluate as their bodies") {
    FakeEvent ev = tcp_drop();
    check_table(ev,
                {
                    {"is-web", true},
                    {"web-nf-drop", true},
                    {"not web-nf-drop", false},
                    {"is-web and not is-nf-drop", false},
                });
    ev.reason = "TCP_RESET";
    CHECK_FALSE(compile("web-nf-drop").matches(ev));
    CHECK(compile("is-web").matches(ev));
}

TEST_CASE("condition: a long list is looked up correctly at both ends and in between") {
    std::string text = "event.reason in [";
    std::string numbers = "event.dport in [";
    for (int i = 0; i < 5000; ++i) {
        text += (i ? ", \"r" : "\"r") + std::to_string(i * 2) + "\"";
        numbers += (i ? ", " : "") + std::to_string(i * 2 - 5000);
    }
    Condition strings = compile(text + "]");
    Condition ints = compile(numbers + "]");
    FakeEvent ev;
    for (int i : {0, 1, 2, 4999, 5000, 9998, 9999, 10000}) {
        CAPTURE(i);
        ev.reason = "r" + std::to_string(i);
        ev.dport = i - 5000;
        bool expected = i % 2 == 0 && i < 10000;
        CHECK(strings.matches(ev) == expected);
        CHECK(ints.matches(ev) == expected);
    }
}

TEST_CASE("condition: a default condition matches nothing and reads nothing") {
    Condition c;
    FakeEvent ev = tcp_drop();
    CHECK_FALSE(c.matches(ev));
    CHECK(ev.reads == 0);
    CHECK(c.canonical() == "false");
    CHECK(c.fields_used().empty());
}

TEST_CASE("condition: copies and moves evaluate the same as the original") {
    Condition original = compile(R"(event.reason =~ "^NET" and event.saddr in nets)");
    Condition copy = original;
    Condition moved = std::move(original);
    FakeEvent ev = tcp_drop();
    CHECK(copy.matches(ev));
    CHECK(moved.matches(ev));
    CHECK(copy.canonical() == moved.canonical());
    Condition assigned;
    assigned = copy;
    CHECK(assigned.matches(ev));
}

TEST_CASE("condition: fields_used lists each field read once, sorted, macros included") {
    CHECK(compile("event.saddr == event.daddr or event.saddr in nets").fields_used() ==
          std::vector<std::uint32_t>{Saddr, Daddr});
    CHECK(compile("web-nf-drop or event.has_ports").fields_used() ==
          std::vector<std::uint32_t>{Reason, Dport, HasPorts});
    CHECK(compile("true").fields_used().empty());
}

TEST_CASE("condition: plain-text patterns match exactly as RE2 would match them") {
    const std::string_view patterns[] = {
        "DROP",
        "^NET",
        "DROP$",
        "^NETFILTER_DROP$",
        "^$",
        "",
        "$",
        "^",
        "a.b",
        "(?i)drop",
        "DR.P$",
        "^a\\$",
        "_",
        "^ ",
        "P\n$",
    };
    const std::string_view texts[] = {
        "NETFILTER_DROP",
        "",
        "DROP\n",
        "drop",
        "a.b",
        "axb",
        "a$",
        " x",
        "P\n",
        "\xff\xfe"
        "DROP",
    };
    for (auto pattern : patterns) {
        Condition c = compile("event.reason =~ " + std::string(quoted_for_test(pattern)));
        re2::RE2 re(re2::StringPiece(pattern.data(), pattern.size()));
        REQUIRE(re.ok());
        for (auto text : texts) {
            CAPTURE(pattern);
            CAPTURE(text);
            FakeEvent ev;
            ev.reason = std::string(text);
            CHECK(c.matches(ev) ==
                  re2::RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), re));
        }
    }
}
