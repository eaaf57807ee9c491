// SPDX-License-Identifier: GPL-2.0
// The condition language's front end: what it accepts (through the canonical form), what it
// rejects (exact code, message, position), and that no input makes it crash or hang.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>

#include "condition_fakes.h"
#include "engine/condition/condition.h"
#include "engine/condition/parser.h"

namespace {

using netdx::test::FakeFields;
using netdx::test::FakeScope;
using namespace netdx::test::field_ids;

using netdx::engine::DiagCode;
using netdx::engine::condition::Condition;
using netdx::engine::condition::FieldDef;
using netdx::engine::condition::Problem;
using netdx::engine::condition::Scope;
using netdx::engine::condition::Type;
namespace diag = netdx::engine::diag;

const FakeFields fields;

FakeScope make_scope() {
    FakeScope s;
    s.lists["web-ports"] = {"80", "443", "0x1f90"};
    s.lists["drop-reasons"] = {"NETFILTER_DROP", "TCP_INVALID_SEQUENCE"};
    s.lists["nets"] = {"10.0.0.0/8", "fd00::1"};
    s.lists["bad-ports"] = {"80", "http", "99999999999999999999"};
    s.macros["is-web"] = "event.dport in web-ports";
    s.macros["is-nf-drop"] = "event.reason == \"NETFILTER_DROP\"";
    s.macros["web-nf-drop"] = "is-web and is-nf-drop";
    s.macros["loop-a"] = "loop-b";
    s.macros["loop-b"] = "not loop-a";
    s.macros["self"] = "self or true";
    s.macros["broken"] = "event.dport == \"x\"";
    s.macros["syntax-broken"] = "event.dport ==";
    s.macros["not-bool"] = "event.reason";
    return s;
}

const FakeScope scope = make_scope();

struct Compiled {
    std::optional<Condition> condition;
    std::vector<Problem> problems;
};

Compiled compile(std::string_view text, const Scope* s = &scope) {
    Compiled c;
    c.condition = Condition::compile(text, fields, s, c.problems);
    return c;
}

std::string canonical_of(std::string_view text) {
    auto c = compile(text);
    REQUIRE_MESSAGE(c.condition, text << ": " << (c.problems.empty() ? "" : c.problems[0].message));
    CHECK(c.problems.empty());
    return c.condition->canonical();
}

// Whitespace permutations of `text` that must not change its meaning: every space widened to
// tabs and newlines, padding at both ends, and every space next to punctuation removed. Quoted
// text is left alone.
std::vector<std::string> whitespace_variants(std::string_view text) {
    auto punct = [](char c) {
        return std::string_view("()[],=!<>~").find(c) != std::string_view::npos;
    };
    std::string wide;
    std::string tight;
    char quote = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quote != 0) {
            wide += c;
            tight += c;
            if (c == '\\' && i + 1 < text.size()) {
                wide += text[i + 1];
                tight += text[++i];
            } else if (c == quote) {
                quote = 0;
            }
            continue;
        }
        if (c == '"' || c == '\'') {
            quote = c;
        }
        if (c == ' ') {
            wide += " \t\n  ";
            bool after_punct = i > 0 && punct(text[i - 1]);
            bool before_punct = i + 1 < text.size() && punct(text[i + 1]);
            // "a == -1" keeps its space: "==-1" is fine, but "in[" needs none either way.
            if (!after_punct && !before_punct) {
                tight += c;
            }
            continue;
        }
        wide += c;
        tight += c;
    }
    return {std::string(text), wide, "\n\t " + std::string(text) + " \r\n", tight};
}

struct Accept {
    std::string_view input;
    std::string_view canonical;
};

// clang-format off
const Accept accept_table[] = {
    {R"(event.reason == "NETFILTER_DROP")", R"(event.reason == "NETFILTER_DROP")"},
    {R"(event.reason == 'NETFILTER_DROP')", R"(event.reason == "NETFILTER_DROP")"},
    {R"(event.reason != "")", R"(event.reason != "")"},
    {R"(event.reason == "say \"hi\" \\ to\n\tme")", R"(event.reason == "say \"hi\" \\ to\n\tme")"},
    {R"(event.reason == 'it\'s "here"')", R"(event.reason == "it's \"here\"")"},
    {"event.dport == 0x50", "event.dport == 80"},
    {"event.dport == 0XfF", "event.dport == 255"},
    {"event.dport != -1", "event.dport != -1"},
    {"event.dport == -9223372036854775808", "event.dport == -9223372036854775808"},
    {"event.dport == 0x7fffffffffffffff", "event.dport == 9223372036854775807"},
    {"event.dport >= 1024 and event.dport <= 65535", "event.dport >= 1024 and event.dport <= 65535"},
    {"event.dport > 1 or event.dport < 0", "event.dport > 1 or event.dport < 0"},
    {"80 == event.dport", "80 == event.dport"},
    {"event.dport == event.sport", "event.dport == event.sport"},
    {"event.has_ports", "event.has_ports"},
    {"event.has_ports == true", "event.has_ports == true"},
    {"not event.has_ports", "not event.has_ports"},
    {"true", "true"},
    {"false", "false"},
    {"not true", "not true"},
    {"event.saddr == 10.0.0.2", "event.saddr == 10.0.0.2"},
    {R"(event.saddr == "10.0.0.2")", "event.saddr == 10.0.0.2"},
    {R"("fd00::1" != event.saddr)", "fd00::1 != event.saddr"},
    {"event.saddr == fd00:0:0::1", "event.saddr == fd00::1"},
    {"event.saddr == ::1", "event.saddr == ::1"},
    {"event.saddr == ::ffff:10.0.0.1", "event.saddr == ::ffff:10.0.0.1"},
    {"event.saddr != event.daddr", "event.saddr != event.daddr"},
    {"event.saddr in 10.0.0.0/8", "event.saddr in 10.0.0.0/8"},
    {"event.saddr in 10.1.2.3/8", "event.saddr in 10.0.0.0/8"},
    {"event.saddr in fd00::/64", "event.saddr in fd00::/64"},
    {R"(event.saddr in [10.0.0.1, fd00::/64, "192.168.0.0/16", "::1"])",
     "event.saddr in [10.0.0.1, fd00::/64, 192.168.0.0/16, ::1]"},
    {"event.dport in [80, 443, 0x1f90]", "event.dport in [80, 443, 8080]"},
    {"event.dport in [ 80 ]", "event.dport in [80]"},
    {"event.reason in []", "event.reason in []"},
    {R"(event.reason in ['a', "b"])", R"(event.reason in ["a", "b"])"},
    {R"(event.stack contains "tcp_v4_rcv")", R"(event.stack contains "tcp_v4_rcv")"},
    {R"(event.reason contains "DROP")", R"(event.reason contains "DROP")"},
    {R"(event.reason startswith "NETFILTER")", R"(event.reason startswith "NETFILTER")"},
    {R"(event.reason =~ "^TCP_(A|B)$")", R"(event.reason =~ "^TCP_(A|B)$")"},
    {"event.nf_hook exists", "event.nf_hook exists"},
    {"not event.nf_hook exists", "not event.nf_hook exists"},
    {"(event.dport == 80)", "event.dport == 80"},
    {"((event.has_ports))", "event.has_ports"},
    {"event.dport == 1 or event.dport == 2 and event.dport == 3",
     "event.dport == 1 or event.dport == 2 and event.dport == 3"},
    {"event.dport == 1 or (event.dport == 2 and event.dport == 3)",
     "event.dport == 1 or event.dport == 2 and event.dport == 3"},
    {"(event.dport == 1 or event.dport == 2) and event.dport == 3",
     "(event.dport == 1 or event.dport == 2) and event.dport == 3"},
    {"event.dport == 1 and (event.dport == 2 and event.dport == 3)",
     "event.dport == 1 and event.dport == 2 and event.dport == 3"},
    {"event.dport == 1 or (event.dport == 2 or event.dport == 3)",
     "event.dport == 1 or event.dport == 2 or event.dport == 3"},
    {"not (event.dport == 1 and event.has_ports)", "not (event.dport == 1 and event.has_ports)"},
    {"not (event.dport == 1 or event.has_ports)", "not (event.dport == 1 or event.has_ports)"},
    {"not not event.has_ports", "not not event.has_ports"},
    {"not (not event.has_ports)", "not not event.has_ports"},
    {"(not event.has_ports) or event.has_ports", "not event.has_ports or event.has_ports"},
    {"not event.dport == 80 and event.has_ports", "not event.dport == 80 and event.has_ports"},
    {"event.dport in web-ports", "event.dport in web-ports"},
    {"event.reason in drop-reasons or is-web", "event.reason in drop-reasons or is-web"},
    {"web-nf-drop and (is-web or not event.has_ports)",
     "web-nf-drop and (is-web or not event.has_ports)"},
};
// clang-format on

struct Reject {
    std::string_view input;
    const DiagCode* code;
    std::string_view message;
    std::size_t offset;
    std::size_t length;
    std::vector<std::string> hints;
};

// clang-format off
const Reject reject_table[] = {
    // Syntax (E010): parsing stops at the first one.
    {"", &diag::condition_syntax, "empty condition", 0, 0, {}},
    {" \t\n", &diag::condition_syntax, "empty condition", 0, 0, {}},
    {R"(event.reason "x")", &diag::condition_syntax,
     R"(expected an operator after 'event.reason', found '"x"')", 13, 3, {}},
    {R"(event.reason == "x)", &diag::condition_syntax, "unterminated string", 16, 2, {}},
    {R"(event.reason == 'x\')", &diag::condition_syntax, "unterminated string", 16, 4, {}},
    {"event.dport == 80)", &diag::condition_syntax, "unbalanced ')'", 17, 1, {}},
    {")", &diag::condition_syntax, "expected a condition, found ')'", 0, 1, {}},
    {"(event.dport == 80", &diag::condition_syntax, "unbalanced '(': missing ')'", 0, 1, {}},
    {"((event.dport == 80)", &diag::condition_syntax, "unbalanced '(': missing ')'", 0, 1, {}},
    {"()", &diag::condition_syntax, "expected a condition after '(', found ')'", 1, 1, {}},
    {"event.dport ==", &diag::condition_syntax,
     "unexpected end of condition: expected a value after '=='", 14, 0, {}},
    {"event.dport == and", &diag::condition_syntax,
     "expected a value after '==', found 'and'", 15, 3, {}},
    {"event.dport == [80]", &diag::condition_syntax, "expected a value after '==', found '['", 15, 1,
     {"a list can only follow 'in'"}},
    {"event.dport == (80)", &diag::condition_syntax, "expected a value after '==', found '('", 15, 1,
     {"parentheses group conditions, not values"}},
    {"event.dport = 80", &diag::condition_syntax, "unexpected '='", 12, 1,
     {"write '==' to compare"}},
    {"event.has_ports && true", &diag::condition_syntax, "unexpected '&&'", 16, 2, {"write 'and'"}},
    {"event.has_ports || true", &diag::condition_syntax, "unexpected '||'", 16, 2, {"write 'or'"}},
    {"!event.has_ports", &diag::condition_syntax, "unexpected '!'", 0, 1,
     {"write 'not' to negate a condition"}},
    {"event.dport == 80 event.dport == 81", &diag::condition_syntax,
     "expected 'and', 'or' or the end of the condition after '80', found 'event.dport'", 18, 11, {}},
    {"event.dport == 80 == 81", &diag::condition_syntax,
     "expected 'and', 'or' or the end of the condition after '80', found '=='", 18, 2, {}},
    {"(event.dport == 80 81)", &diag::condition_syntax,
     "expected 'and', 'or' or ')' after '80', found '81'", 19, 2, {}},
    {R"(event.reason == "a" AND event.has_ports)", &diag::condition_syntax,
     R"(expected 'and', 'or' or the end of the condition after '"a"', found 'AND')", 20, 3,
     {"keywords are lower-case: write 'and'"}},
    {R"(event.reason Contains "a")", &diag::condition_syntax,
     "expected an operator after 'event.reason', found 'Contains'", 13, 8,
     {"keywords are lower-case: write 'contains'"}},
    {"event.dport == 80 and", &diag::condition_syntax,
     "unexpected end of condition: expected a condition after 'and'", 21, 0, {}},
    {"and event.has_ports", &diag::condition_syntax, "expected a condition, found 'and'", 0, 3, {}},
    {"not", &diag::condition_syntax,
     "unexpected end of condition: expected a condition after 'not'", 3, 0, {}},
    {"event.dport in", &diag::condition_syntax,
     "unexpected end of condition: expected a list after 'in'", 14, 0, {}},
    {"event.dport in (80)", &diag::condition_syntax, "expected a list after 'in', found '('", 15, 1, {}},
    {"event.dport in [80,]", &diag::condition_syntax, "expected a value after ',', found ']'", 19, 1,
     {"remove the trailing ','"}},
    {"event.dport in [,]", &diag::condition_syntax, "expected a value or ']' after '[', found ','",
     16, 1, {}},
    {"event.dport in [80 443]", &diag::condition_syntax,
     "expected ',' or ']' after '80', found '443'", 19, 3, {}},
    {"event.dport in [80, 443", &diag::condition_syntax, "unbalanced '[': missing ']'", 15, 1, {}},
    {"event.reason in [NETFILTER_DROP]", &diag::condition_syntax,
     "list items must be literals, found 'NETFILTER_DROP'", 17, 14,
     {"write \"NETFILTER_DROP\" in quotes if you meant text"}},
    {"event.reason in [event.comm]", &diag::condition_syntax,
     "list items must be literals, found 'event.comm'", 17, 10, {}},
    {"[80]", &diag::condition_syntax, "expected a condition, found '['", 0, 1,
     {"a list can only follow 'in'"}},
    {"event.dport == 80 @", &diag::condition_syntax, "unexpected character '@'", 18, 1, {}},
    {std::string_view("event.has_ports \0", 17), &diag::condition_syntax,
     "unexpected character '\\x00'", 16, 1, {}},
    {"event.has_ports \xff", &diag::condition_syntax, "unexpected character '\\xff'", 16, 1, {}},
    {"event.has_ports \xc3\xa9", &diag::condition_syntax, "unexpected character '\xc3\xa9'", 16, 2, {}},
    {"event..reason", &diag::condition_syntax, "malformed field name 'event..reason'", 0, 13,
     {"a field name is words of letters, digits and '_' joined by dots, e.g. event.reason"}},
    {"event. == 1", &diag::condition_syntax, "malformed field name 'event.'", 0, 6,
     {"a field name is words of letters, digits and '_' joined by dots, e.g. event.reason"}},
    {"event.1x == 1", &diag::condition_syntax, "malformed field name 'event.1x'", 0, 8,
     {"a field name is words of letters, digits and '_' joined by dots, e.g. event.reason"}},

    // Bad literals (E014).
    {"event.saddr == 10.0.0.256", &diag::bad_literal, "malformed IPv4 address '10.0.0.256'", 15, 10, {}},
    {"event.saddr == 1.2.3", &diag::bad_literal, "malformed IPv4 address '1.2.3'", 15, 5, {}},
    {"event.saddr in 10.0.0.0/33", &diag::bad_literal, "malformed IPv4 prefix '10.0.0.0/33'", 15, 11, {}},
    {"event.saddr in 10.0.0.0/", &diag::bad_literal, "malformed IPv4 prefix '10.0.0.0/'", 15, 9, {}},
    {"event.saddr == fd00:::1", &diag::bad_literal, "malformed IPv6 address 'fd00:::1'", 15, 8, {}},
    {"event.saddr in fd00::/129", &diag::bad_literal, "malformed IPv6 prefix 'fd00::/129'", 15, 10, {}},
    {"event.saddr == ::1x", &diag::bad_literal, "malformed IPv6 address '::1x'", 15, 4, {}},
    {"event.dport == 80abc", &diag::bad_literal, "malformed integer '80abc'", 15, 5, {}},
    {"event.dport == 0x", &diag::bad_literal, "malformed integer '0x'", 15, 2, {}},
    {"event.dport == 1.5", &diag::bad_literal, "malformed IPv4 address '1.5'", 15, 3, {}},
    {"event.dport == 99999999999999999999", &diag::bad_literal,
     "integer '99999999999999999999' is out of range", 15, 20, {}},
    {"event.dport == -9223372036854775809", &diag::bad_literal,
     "integer '-9223372036854775809' is out of range", 15, 20, {}},
    {R"(event.reason == "a\qb")", &diag::bad_literal, R"(unknown escape '\q' in string)", 18, 2,
     {R"(the escapes are \" \' \\ \n \t)"}},
    {R"(event.saddr == "nope")", &diag::bad_literal,
     R"("nope" is not an IP address (event.saddr is an ip))", 15, 6, {}},
    {R"(event.saddr in ["10.0.0.0/99"])", &diag::bad_literal,
     R"("10.0.0.0/99" is not an IP address or prefix (event.saddr is an ip))", 16, 13, {}},

    // Unknown fields (E011) and names (E015).
    {R"(event.reasn == "x")", &diag::unknown_field, "unknown field 'event.reasn'", 0, 11,
     {"did you mean 'event.reason'?"}},
    {"foo.bar == 1", &diag::unknown_field, "unknown field 'foo.bar'", 0, 7, {}},
    {"event.has_prots", &diag::unknown_field, "unknown field 'event.has_prots'", 0, 15,
     {"did you mean 'event.has_ports'?"}},
    {"event.reason == NETFILTER_DROP", &diag::unknown_name, "unknown name 'NETFILTER_DROP'", 16, 14,
     {"write \"NETFILTER_DROP\" in quotes if you meant text"}},
    {"has_ports", &diag::unknown_name, "unknown macro 'has_ports'", 0, 9,
     {"did you mean the field 'event.has_ports'?"}},
    {"is-wbe or true", &diag::unknown_name, "unknown macro 'is-wbe'", 0, 6, {"did you mean 'is-web'?"}},
    {"event.reason in drop-reasns", &diag::unknown_name, "unknown list 'drop-reasns'", 16, 11,
     {"did you mean 'drop-reasons'?"}},

    // Types (E012).
    {R"(event.dport == "80")", &diag::type_mismatch,
     "'==' compares int with string: event.dport is an int", 0, 19,
     {"write 80 without quotes to compare numbers"}},
    {"event.reason == 80", &diag::type_mismatch,
     "'==' compares string with int: event.reason is a string", 0, 18,
     {"write \"80\" in quotes to compare text"}},
    {"event.reason != event.dport", &diag::type_mismatch,
     "'!=' compares string with int: event.reason is a string, event.dport is an int", 0, 27, {}},
    {R"(1 == "a")", &diag::type_mismatch, "'==' compares int with string", 0, 8, {}},
    {"event.saddr == 10.0.0.0/8", &diag::type_mismatch,
     "'==' compares ip with cidr: event.saddr is an ip", 0, 25,
     {"use 'in' to test whether an address is inside a prefix"}},
    {R"(event.stack == "tcp_v4_rcv")", &diag::type_mismatch,
     "'==' compares list of string with string: event.stack is a list of string", 0, 27,
     {"use 'contains' to look for an element of a list"}},
    {"event.stack == event.stack", &diag::type_mismatch,
     "'==' cannot compare values of type list of string: event.stack is a list of string, "
     "event.stack is a list of string", 0, 26, {"use 'contains' to look for an element of a list"}},
    {"event.reason < 5", &diag::type_mismatch, "'<' compares integers, but event.reason is a string",
     0, 12, {}},
    {R"(event.dport >= "5")", &diag::type_mismatch,
     R"('>=' compares integers, but "5" is a string)", 15, 3, {}},
    {"event.reason", &diag::type_mismatch, "event.reason is a string, not a condition", 0, 12,
     {"compare it with a value, or test it with 'event.reason exists'"}},
    {"(event.dport)", &diag::type_mismatch, "event.dport is an int, not a condition", 0, 13,
     {"compare it with a value, or test it with 'event.dport exists'"}},
    {"80 and true", &diag::type_mismatch, "80 is an int, not a condition", 0, 2, {}},
    {"not 10.0.0.1", &diag::type_mismatch, "10.0.0.1 is an ip, not a condition", 4, 8, {}},
    {"5 exists", &diag::type_mismatch, "'exists' needs a field on its left, found 5", 0, 1, {}},
    {"event.has_ports in [true]", &diag::type_mismatch,
     "'in' looks up int, string or ip values, but event.has_ports is a bool", 0, 15, {}},
    {R"(event.stack in ["a"])", &diag::type_mismatch,
     "'in' looks up int, string or ip values, but event.stack is a list of string", 0, 11,
     {"use 'contains' to look for an element of a list"}},
    {R"("a" in ["a"])", &diag::type_mismatch, R"('in' needs a field on its left, found "a")", 0, 3, {}},
    {"event.saddr in 10.0.0.1", &diag::type_mismatch,
     "'in' needs a list or a CIDR prefix on its right, found the address 10.0.0.1", 15, 8,
     {"use '==' to compare with one address"}},
    {"event.dport in 80", &diag::type_mismatch, "'in' needs a list on its right, found 80", 15, 2,
     {"write [80] for a list of one item"}},
    {"event.dport in 10.0.0.0/8", &diag::type_mismatch,
     "a prefix on the right of 'in' needs an ip field on its left, but event.dport is an int", 0, 25, {}},
    {"event.reason in event.stack", &diag::type_mismatch,
     "'in' needs a list on its right, found the field event.stack", 16, 11,
     {"to look for an element of a list field, write 'event.stack contains ...'"}},
    {"event.saddr in [10.0.0.1, 80]", &diag::type_mismatch,
     "list item 80 is an int, but event.saddr is an ip", 26, 2, {}},
    {R"(event.dport contains "8")", &diag::type_mismatch,
     "'contains' needs a string or a list of string on its left, but event.dport is an int", 0, 11, {}},
    {"event.reason contains 8", &diag::type_mismatch,
     "'contains' needs a string literal on its right, but 8 is an int", 22, 1, {}},
    {R"("abc" contains "a")", &diag::type_mismatch,
     R"('contains' needs a field on its left, found "abc")", 0, 5, {}},
    {"event.reason startswith event.comm", &diag::type_mismatch,
     "'startswith' needs a string literal on its right, found the field event.comm", 24, 10, {}},
    {R"(event.stack startswith "tcp")", &diag::type_mismatch,
     "'startswith' needs a string on its left, but event.stack is a list of string", 0, 11, {}},
    {R"(event.stack =~ "tcp")", &diag::type_mismatch,
     "'=~' needs a string on its left, but event.stack is a list of string", 0, 11, {}},
    {"event.dport == web-ports", &diag::type_mismatch, "'web-ports' is a list, not a value", 15, 9,
     {"test membership with 'in', e.g. event.field in web-ports"}},
    {"event.dport == is-web", &diag::type_mismatch,
     "'is-web' is a macro (a condition), not a value", 15, 6, {}},
    {"web-ports", &diag::type_mismatch, "'web-ports' is a list, not a condition", 0, 9,
     {"use a list after 'in', e.g. event.field in web-ports"}},
    {"event.reason in is-web", &diag::type_mismatch, "'is-web' is a macro, not a list", 16, 6, {}},
    {"event.dport in bad-ports", &diag::bad_literal,
     "item 'http' of list 'bad-ports' is not an integer (event.dport is an int)", 15, 9, {}},

    // Regular expressions (E013), positioned on the pattern.
    {R"(event.reason =~ "(abc")", &diag::bad_regex, "invalid regular expression: missing ): (abc",
     16, 6, {}},
    {R"(event.reason =~ 'a**')", &diag::bad_regex,
     "invalid regular expression: bad repetition operator: **", 16, 5, {}},
};
// clang-format on

} // namespace

TEST_CASE("condition: every accepted form prints its canonical text, whatever the whitespace") {
    for (const auto& a : accept_table) {
        for (const auto& variant : whitespace_variants(a.input)) {
            CAPTURE(variant);
            CHECK(canonical_of(variant) == a.canonical);
        }
    }
}

TEST_CASE("condition: compiling the canonical text gives the same canonical text") {
    for (const auto& a : accept_table) {
        CAPTURE(a.input);
        std::string once = canonical_of(a.input);
        CHECK(canonical_of(once) == once);
    }
}

TEST_CASE("condition: each rejected form gets the exact code, message, position and hints") {
    for (const auto& r : reject_table) {
        CAPTURE(r.input);
        auto c = compile(r.input);
        CHECK_FALSE(c.condition);
        REQUIRE(!c.problems.empty());
        const Problem& p = c.problems.front();
        CHECK(p.code->id == r.code->id);
        CHECK(p.message == r.message);
        CHECK(p.offset == r.offset);
        CHECK(p.length == r.length);
        CHECK(p.hints == r.hints);
        CHECK(p.macro.empty());
    }
}

TEST_CASE("condition: type errors in several places are all reported, in text order") {
    auto c = compile(
        R"(event.dport == "a" and (event.reason < 3 or evnt.x == 1) and event.saddr == "b")");
    CHECK_FALSE(c.condition);
    REQUIRE(c.problems.size() == 4);
    CHECK(c.problems[0].code == &diag::type_mismatch);
    CHECK(c.problems[0].offset == 0);
    CHECK(c.problems[1].code == &diag::type_mismatch);
    CHECK(c.problems[1].offset == 24);
    CHECK(c.problems[2].code == &diag::unknown_field);
    CHECK(c.problems[2].offset == 44);
    CHECK(c.problems[3].code == &diag::bad_literal);
    CHECK(c.problems[3].message == R"("b" is not an IP address (event.saddr is an ip))");
}

TEST_CASE("condition: every bad item of a list is reported") {
    auto c = compile(R"(event.dport in ["a", 1, "b"])");
    CHECK_FALSE(c.condition);
    REQUIRE(c.problems.size() == 2);
    CHECK(c.problems[0].message == R"(list item "a" is a string, but event.dport is an int)");
    CHECK(c.problems[0].offset == 16);
    CHECK(c.problems[1].message == R"(list item "b" is a string, but event.dport is an int)");
    CHECK(c.problems[1].offset == 24);

    auto named = compile("event.dport in bad-ports");
    REQUIRE(named.problems.size() == 2);
    CHECK(
        named.problems[1].message ==
        "item '99999999999999999999' of list 'bad-ports' is out of range (event.dport is an int)");
}

TEST_CASE("condition: a bad literal and a later syntax error are both reported") {
    auto c = compile("event.dport == 80x and )");
    REQUIRE(c.problems.size() == 2);
    CHECK(c.problems[0].code == &diag::bad_literal);
    CHECK(c.problems[1].code == &diag::condition_syntax);
    CHECK(c.problems[1].message == "expected a condition after 'and', found ')'");
}

TEST_CASE("condition: problems are appended after the caller's own") {
    std::vector<Problem> problems(1);
    auto c = Condition::compile("event.has_ports", fields, &scope, problems);
    CHECK(c);
    CHECK(problems.size() == 1);
    c = Condition::compile("event.has_port", fields, &scope, problems);
    CHECK_FALSE(c);
    CHECK(problems.size() == 2);
}

TEST_CASE("condition: macros compile in place and keep their names") {
    auto c = compile("web-nf-drop and event.has_ports");
    REQUIRE(c.condition);
    CHECK(c.condition->canonical() == "web-nf-drop and event.has_ports");
    CHECK(c.condition->fields_used() == std::vector<std::uint32_t>{1, 2, 5});

    auto twice = compile("is-web or not is-web");
    REQUIRE(twice.condition);
    CHECK(twice.condition->canonical() == "is-web or not is-web");
}

TEST_CASE("condition: without a scope, every name is unknown") {
    auto c = compile("is-web", nullptr);
    CHECK_FALSE(c.condition);
    REQUIRE(c.problems.size() == 1);
    CHECK(c.problems[0].code == &diag::unknown_name);
    CHECK(c.problems[0].message == "unknown macro 'is-web'");
    CHECK(c.problems[0].hints.empty());
}

TEST_CASE("condition: a macro cycle is reported where it closes, inside the macro") {
    auto c = compile("event.has_ports or loop-a");
    CHECK_FALSE(c.condition);
    REQUIRE(c.problems.size() == 1);
    const Problem& p = c.problems[0];
    CHECK(p.code == &diag::macro_cycle);
    CHECK(p.message == "macro cycle: loop-a -> loop-b -> loop-a");
    CHECK(p.macro == "loop-b");
    CHECK(p.offset == 4);
    CHECK(p.length == 6);

    auto self = compile("self");
    REQUIRE(self.problems.size() == 1);
    CHECK(self.problems[0].message == "macro cycle: self -> self");
    CHECK(self.problems[0].macro == "self");
}

TEST_CASE(
    "condition: problems inside a macro point into the macro, once however often it is used") {
    auto c = compile("broken or broken or not-bool or syntax-broken");
    CHECK_FALSE(c.condition);
    REQUIRE(c.problems.size() == 3);
    CHECK(c.problems[0].code == &diag::type_mismatch);
    CHECK(c.problems[0].macro == "broken");
    CHECK(c.problems[0].offset == 0);
    CHECK(c.problems[0].length == 18);
    CHECK(c.problems[1].message == "event.reason is a string, not a condition");
    CHECK(c.problems[1].macro == "not-bool");
    CHECK(c.problems[2].code == &diag::condition_syntax);
    CHECK(c.problems[2].message == "unexpected end of condition: expected a value after '=='");
    CHECK(c.problems[2].macro == "syntax-broken");
    CHECK(c.problems[2].offset == 14);
}

TEST_CASE("condition: a long chain of macros hits the depth limit instead of the stack") {
    FakeScope chain;
    for (int i = 0; i < 2000; ++i) {
        chain.macros["m" + std::to_string(i)] = "m" + std::to_string(i + 1);
    }
    chain.macros["m2000"] = "true";
    auto c = compile("m0", &chain);
    CHECK_FALSE(c.condition);
    REQUIRE(c.problems.size() == 1);
    CHECK(c.problems[0].code == &diag::condition_syntax);
    CHECK(c.problems[0].message ==
          "condition nested too deeply (more than 512 levels, macros included)");

    auto shallow = compile("m1900", &chain);
    CHECK(shallow.condition);
}

TEST_CASE("condition: macros that each use the last one twice hit a size limit, not exponential "
          "time (fuzz_condition found 'twice-27' evaluating 2^27 predicates)") {
    FakeScope doubling;
    doubling.macros["twice-0"] = "event.dport == 1";
    for (int i = 1; i <= 40; ++i) {
        std::string last = "twice-" + std::to_string(i - 1);
        doubling.macros["twice-" + std::to_string(i)] = last + " or not " + last;
    }
    auto c = compile("twice-40", &doubling);
    CHECK_FALSE(c.condition);
    REQUIRE(c.problems.size() == 1);
    CHECK(c.problems[0].code == &diag::condition_syntax);
    CHECK(c.problems[0].message ==
          "condition too large once macros are expanded (they add more than 10000 operations)");
    CHECK(c.problems[0].macro == "twice-11");
    CHECK(c.problems[0].offset == 0);

    auto below = compile("twice-10", &doubling);
    REQUIRE(below.condition);
    CHECK(below.condition->canonical() == "twice-10");

    // Only what macros add counts: a long condition written out in full has no size limit.
    std::string written = "event.dport == 0";
    for (int i = 1; i < 30000; ++i) {
        written += " or not event.dport == " + std::to_string(i);
    }
    CHECK(compile(written).condition);
}

TEST_CASE("condition: a long 'and' is checked for contradictions in about linear time, printing "
          "each operand once (2600 operands of a 64 KiB condition took 2 s)") {
    std::string chain;
    for (int i = 0; i < 20000; ++i) {
        chain += (i > 0 ? " and not event.dport == " : "not event.dport == ") + std::to_string(i);
    }
    auto c = compile(chain);
    REQUIRE(c.condition);
    CHECK_FALSE(c.condition->never_true_reason());

    std::string clash;
    for (int i = 0; i < 1000; ++i) {
        clash += "not event.dport == " + std::to_string(i) + " and ";
    }
    auto d = compile(clash + "event.dport == 0");
    REQUIRE(d.condition);
    CHECK(d.condition->never_true_reason() ==
          std::optional<std::string>("'event.dport == 0' and its negation are both required"));
}

TEST_CASE("condition: nesting is limited, so deep input is an error and not a crash") {
    std::string parens = std::string(300, '(') + "true" + std::string(300, ')');
    auto c = compile(parens);
    CHECK_FALSE(c.condition);
    REQUIRE(c.problems.size() == 1);
    CHECK(c.problems[0].message ==
          "condition nested too deeply (more than 256 levels of parentheses and 'not')");
    CHECK(c.problems[0].offset == 256);

    std::string nots;
    for (int i = 0; i < 300; ++i) {
        nots += "not ";
    }
    auto n = compile(nots + "true");
    REQUIRE(n.problems.size() == 1);
    CHECK(n.problems[0].offset == 256 * 4);

    std::string ok = std::string(256, '(') + "true" + std::string(256, ')');
    CHECK(compile(ok).condition);
}

TEST_CASE("condition: long, odd and binary input never crashes or hangs") {
    std::string long_chain = "event.has_ports";
    for (int i = 0; i < 20000; ++i) {
        long_chain += i % 2 ? " and event.dport == 1" : " or event.has_ports";
    }
    CHECK(compile(long_chain).condition);

    std::string big_list = "event.reason in [";
    for (int i = 0; i < 20000; ++i) {
        big_list += (i ? ", \"" : "\"") + std::to_string(i) + "\"";
    }
    CHECK(compile(big_list + "]").condition);
    CHECK_FALSE(compile(big_list).condition);

    std::string huge_string = "event.reason == \"" + std::string(1 << 20, 'x') + "\"";
    CHECK(compile(huge_string).condition);
    auto unterminated = compile(std::string_view(huge_string).substr(0, huge_string.size() - 1));
    REQUIRE(unterminated.problems.size() == 1);
    CHECK(unterminated.problems[0].message == "unterminated string");

    auto long_name = compile(std::string(100000, 'a'));
    REQUIRE(long_name.problems.size() == 1);
    CHECK(long_name.problems[0].message.size() < 100);

    // Every byte value, alone and after a valid prefix: a problem or a condition, never a crash.
    for (int b = 0; b < 256; ++b) {
        std::string one(1, static_cast<char>(b));
        for (const std::string& text : {one,
                                        "event.reason == \"" + one + "\"",
                                        "event.has_ports " + one,
                                        "event.reason =~ \"" + one + "\"",
                                        one + one + one}) {
            auto c = compile(text);
            CHECK((c.condition.has_value() == c.problems.empty()));
        }
    }

    // NUL bytes inside a string are part of the value.
    auto nul = compile(std::string_view("event.reason == \"a\0b\"", 21));
    REQUIRE(nul.condition);
    CHECK(nul.condition->canonical() == std::string_view("event.reason == \"a\0b\"", 21));
}

TEST_CASE("condition: messages show odd bytes escaped and long tokens cut") {
    auto c = compile("event.has_ports \"" + std::string(100, 'y') + "\"");
    REQUIRE(c.problems.size() == 1);
    CHECK(c.problems[0].message == "expected an operator after 'event.has_ports', found '\"" +
                                       std::string(39, 'y') + "...'");
    auto tab = compile("event.has_ports \"a\tb\n\x01\"");
    REQUIRE(tab.problems.size() == 1);
    CHECK(tab.problems[0].message ==
          R"(expected an operator after 'event.has_ports', found '"a\tb\n\x01"')");
}

TEST_CASE("condition: the parser alone returns positioned syntax trees") {
    std::vector<Problem> problems;
    auto tree = netdx::engine::condition::parse("not (a.b == 1 or c)", problems);
    REQUIRE(tree);
    CHECK(problems.empty());
    CHECK(tree->kind == netdx::engine::condition::ast::ExprKind::Not);
    CHECK(tree->span.offset == 0);
    CHECK(tree->span.length == 19);
    const auto& inner = tree->children[0];
    CHECK(inner.kind == netdx::engine::condition::ast::ExprKind::Or);
    CHECK(inner.span.offset == 4);
    CHECK(inner.children[0].kind == netdx::engine::condition::ast::ExprKind::Binary);
    CHECK(inner.children[0].span.offset == 5);
    CHECK(inner.children[0].span.length == 8);
    CHECK(inner.children[1].kind == netdx::engine::condition::ast::ExprKind::Name);
}

TEST_CASE("condition: the values a string field must have, for indexing rules by reason") {
    using Strings = std::vector<std::string>;
    auto required = [](std::string_view text) {
        auto c = compile(text);
        REQUIRE_MESSAGE(c.condition, text);
        return c.condition->required_strings(Reason);
    };
    CHECK(required("event.reason == \"NO_SOCKET\"") == Strings{"NO_SOCKET"});
    CHECK(required("\"NO_SOCKET\" == event.reason and event.dport == 80") == Strings{"NO_SOCKET"});
    CHECK(required("event.reason in drop-reasons") ==
          Strings{"NETFILTER_DROP", "TCP_INVALID_SEQUENCE"});
    CHECK(required("event.reason in drop-reasons and event.reason == \"NETFILTER_DROP\"") ==
          Strings{"NETFILTER_DROP"});
    CHECK(required("event.reason == \"A\" or event.reason in [\"C\", \"B\"]") ==
          Strings{"A", "B", "C"});
    CHECK(required("web-nf-drop") == Strings{"NETFILTER_DROP"});
    CHECK(required("event.reason == \"A\" and event.reason == \"B\"") == Strings{});
    CHECK(required("false") == Strings{});
    // Anything the index cannot be sure of leaves the rule to be evaluated for every reason.
    CHECK_FALSE(required("true"));
    CHECK_FALSE(required("event.reason == \"A\" or event.dport == 80"));
    CHECK_FALSE(required("not event.reason == \"A\""));
    CHECK_FALSE(required("event.reason != \"A\""));
    CHECK_FALSE(required("event.reason startswith \"NETFILTER\""));
    CHECK_FALSE(required("event.dport == 80"));
}
