// SPDX-License-Identifier: GPL-2.0
// Lists, macros, overrides across files, escalation and the loader's warnings.
#include <filesystem>
#include <fstream>
#include <string>

#include <doctest/doctest.h>
#include <unistd.h>

#include "engine/diagnoser.h"
#include "engine/loader/loader.h"
#include "test_events.h"

using netdx::engine::Level;
using netdx::engine::loader::load_rule_paths;
using netdx::engine::loader::load_rule_text;

namespace {

namespace fs = std::filesystem;

std::string summary(const netdx::engine::Diagnostics& ds) {
    std::string out;
    for (const auto& d : ds.items()) {
        out += fs::path(d.loc.file).filename().string() + ":" + std::to_string(d.loc.line) + ":" +
               std::to_string(d.loc.col) + " " + std::string(d.code->id) + " " + d.message + "\n";
    }
    return out;
}

// A directory of rule files, removed when the test ends.
class RuleDir {
public:
    RuleDir() : path_(fs::temp_directory_path() / ("netdx-rules-" + std::to_string(::getpid()))) {
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~RuleDir() { fs::remove_all(path_); }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path_ / name) << text;
        return (path_ / name).string();
    }

private:
    fs::path path_;
};

const char* base_rules = R"(lists:
  - list: web-ports
    items: [80, 443]
macros:
  - macro: is-no-socket
    condition: event.reason == "NO_SOCKET"
rules:
  - id: web-no-listener
    category: no-listener
    level: WARN
    events: [drop]
    condition: is-no-socket and event.dport in web-ports
    message: "nothing on {event.dport}"
    advice:
      - check: "ss -ltn"
    tags: [web]
)";

} // namespace

TEST_CASE("named lists and macros are usable in conditions, and count as used") {
    auto r = load_rule_text("b.yaml", base_rules);
    CHECK(summary(r.diagnostics) == "");
    REQUIRE(r.rules.rules.size() == 1);
    CHECK(r.rules.rules[0].condition.canonical() == "is-no-socket and event.dport in web-ports");
}

TEST_CASE("an unused list or macro is a warning at its name") {
    auto r = load_rule_text("u.yaml", R"(lists:
  - list: spare
    items: [1]
macros:
  - macro: idle
    condition: "true"
)");
    CHECK(summary(r.diagnostics) == "u.yaml:2:11 W002 list 'spare' is not used by any rule\n"
                                    "u.yaml:5:12 W002 macro 'idle' is not used by any rule\n");
}

TEST_CASE("a later file overrides a rule key by key: append and replace") {
    RuleDir dir;
    auto base = dir.write("10-base.yaml", base_rules);
    auto site = dir.write("20-site.yaml", R"(lists:
  - list: web-ports
    items: [8080]
    override: {items: append}
rules:
  - id: web-no-listener
    condition: not event.saddr in 10.0.0.0/8
    advice:
      - change: "start the web server"
    level: ERROR
    override: {condition: append, advice: append, level: replace}
)");
    auto r = load_rule_paths({base, site});
    CHECK(summary(r.diagnostics) == "");
    REQUIRE(r.rules.rules.size() == 1);
    const auto& rule = r.rules.rules[0];
    CHECK(rule.condition.canonical() ==
          "is-no-socket and event.dport in web-ports and not event.saddr in 10.0.0.0/8");
    CHECK(rule.level == Level::Error);
    REQUIRE(rule.advice.size() == 2);
    CHECK(rule.advice[1].kind == netdx::engine::AdviceKind::Change);
    REQUIRE(rule.overridden_at.size() == 1);
    CHECK(rule.overridden_at[0].line == 6);

    // The appended list item really is in the list: port 8080 from outside 10/8 matches.
    netdx::engine::Diagnoser d(r.rules, {true, 1});
    d.process(netdx::test::tcp_drop("NO_SOCKET", {"tcp_v4_rcv"}, "192.0.2.1", "10.0.0.2", 1, 8080));
    d.process(netdx::test::tcp_drop("NO_SOCKET", {"tcp_v4_rcv"}, "10.0.0.9", "10.0.0.2", 1, 8080));
    REQUIRE(d.findings().size() == 1);
    CHECK(d.findings()[0].flow.saddr.to_string() == "192.0.2.1");
}

TEST_CASE("enabled: false alone disables a rule, which is listed but never runs") {
    RuleDir dir;
    auto base = dir.write("10-base.yaml", base_rules);
    auto off = dir.write("20-off.yaml", "rules:\n  - id: web-no-listener\n    enabled: false\n");
    auto r = load_rule_paths({base, off});
    // The disabled rule still uses the list and macro: disabling a shipped rule must not make
    // the shipped files warn.
    CHECK(summary(r.diagnostics) == "");
    REQUIRE(r.rules.rules.size() == 1);
    CHECK_FALSE(r.rules.rules[0].enabled);
    CHECK(r.rules.kinds_needed().none());
}

TEST_CASE("overriding what does not exist, or defining it twice, is an error") {
    RuleDir dir;
    auto base = dir.write("10-base.yaml", base_rules);
    auto bad = dir.write("20-bad.yaml", R"(lists:
  - list: web-portz
    items: [8080]
    override: {items: append}
macros:
  - macro: is-no-socket
    condition: "true"
rules:
  - id: web-no-listner
    level: ERROR
    override: {level: replace}
  - id: web-no-listener
    message: "x"
    override: {message: append, level: replace, colour: replace}
)");
    auto r = load_rule_paths({base, bad});
    CHECK(summary(r.diagnostics) ==
          "20-bad.yaml:2:11 E019 override of list 'web-portz', which no earlier file defines\n"
          "20-bad.yaml:6:12 E004 macro 'is-no-socket' is already defined\n"
          "20-bad.yaml:9:9 E019 override of rule 'web-no-listner', which no earlier file defines\n"
          "20-bad.yaml:14:16 E020 'message' can only be replaced\n"
          "20-bad.yaml:14:33 E020 the override says how to change 'level' but the entry gives no "
          "'level'\n"
          "20-bad.yaml:14:49 E020 'colour' cannot be overridden\n");
}

TEST_CASE("a problem inside a macro is reported once, at the macro, however often it is used") {
    auto r = load_rule_text("m.yaml", R"(macros:
  - macro: broken
    condition: event.dprot == 80
rules:
  - id: one
    category: kernel-drop
    level: WARN
    events: [drop]
    condition: broken
    message: m
  - id: two
    category: kernel-drop
    level: WARN
    events: [drop]
    condition: broken or event.dport == 1
    message: m
)");
    CHECK(summary(r.diagnostics) == "m.yaml:3:16 E011 unknown field 'event.dprot'\n");
    CHECK(r.diagnostics.items()[0].context.at(0) == "macro 'broken'");
}

TEST_CASE("macro cycles are errors") {
    auto r = load_rule_text("c.yaml", R"(macros:
  - macro: a
    condition: b
  - macro: b
    condition: not a
rules:
  - id: r
    category: kernel-drop
    level: WARN
    events: [drop]
    condition: a
    message: m
)");
    REQUIRE(r.diagnostics.error_count() >= 1);
    CHECK(r.diagnostics.items()[0].code->id == "E016");
    CHECK(r.rules.rules.empty());
}

TEST_CASE("a rule on every event kind, and a condition that can never hold, are warnings") {
    auto r = load_rule_text("w.yaml", R"(rules:
  - id: all-kinds
    category: kernel-drop
    level: INFO
    events: [any]
    condition: event.reason == "A" and event.reason == "B"
    message: m
)");
    CHECK(summary(r.diagnostics) ==
          "w.yaml:5:14 W003 rule listens to every event kind, so it runs on every event\n"
          "w.yaml:6:16 W004 condition can never be true: 'event.reason == \"A\"' and "
          "'event.reason == \"B\"' cannot both be true\n");
    CHECK(r.rules.rules.size() == 1);
}

TEST_CASE("escalation raises a finding's level once its threshold is reached") {
    auto r = load_rule_text("e.yaml", R"(rules:
  - id: udp-closed
    category: no-listener
    level: INFO
    events: [drop]
    condition: event.reason == "NO_SOCKET"
    key: [event.dport]
    message: "nothing on {event.dport}"
    escalate:
      - {count: 3, level: WARN}
      - {rate_per_s: 5, level: ERROR}
)");
    CHECK(summary(r.diagnostics) == "");
    netdx::engine::Diagnoser d(r.rules, {false, 1});
    auto ev = netdx::test::tcp_drop("NO_SOCKET", {"__udp4_lib_rcv"});
    CHECK(d.process(ev).size() == 1);
    CHECK(d.findings()[0].level == Level::Info);
    CHECK(d.process(ev).empty());
    auto changes = d.process(ev);
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].escalated);
    CHECK(d.findings()[0].level == Level::Warn);
    CHECK(d.findings()[0].escalated_because == "3 events");
    CHECK_FALSE(d.should_stop());
    d.process(ev);
    d.process(ev); // 5 events within the same instant: 5/s
    CHECK(d.findings()[0].level == Level::Error);
    CHECK(d.findings()[0].initial_level == Level::Info);
    CHECK(d.should_stop());
}

TEST_CASE("escalation steps need a threshold and must raise the level") {
    auto r = load_rule_text("e.yaml", R"(rules:
  - id: x
    category: no-listener
    level: WARN
    events: [drop]
    condition: "true"
    message: m
    escalate:
      - {level: ERROR}
      - {count: 2, level: INFO}
      - {count: 2, level: FATAL}
)");
    CHECK(summary(r.diagnostics) ==
          "e.yaml:9:17 E022 escalation step has no threshold (count, rate_per_s or after_s)\n"
          "e.yaml:10:27 E022 escalation to INFO does not raise the rule's level WARN\n"
          "e.yaml:11:27 E006 unknown escalation level 'FATAL'\n");
}

TEST_CASE("deeply nested or huge files are refused before parsing, not crashed on") {
    auto deep = std::string(100000, '[') + std::string(100000, ']');
    auto r = load_rule_text("deep.yaml", "rules: " + deep + "\n");
    CHECK(summary(r.diagnostics) ==
          "deep.yaml:0:0 E021 rule file nests 100000 levels deep; the limit is 64\n");
    auto huge = load_rule_text("huge.yaml", std::string(17 << 20, '#'));
    CHECK(huge.diagnostics.items().at(0).code->id == "E021");
}

TEST_CASE("brackets in comments, quoted strings and block scalars are not nesting") {
    const std::string brackets(80, '[');
    const std::string rule_head = R"(rules:
  - id: r
    category: kernel-drop
    level: WARN
    events: [drop]
)";
    auto commented = load_rule_text("c.yaml", "# " + brackets + "\nrules: []\n");
    CHECK(summary(commented.diagnostics).empty());

    auto quoted = load_rule_text("q.yaml",
                                 rule_head + "    condition: event.comm startswith \"" + brackets +
                                     "\"\n    message: 'it''s [" + brackets + "'\n");
    CHECK(summary(quoted.diagnostics) == "");

    auto block = load_rule_text("b.yaml",
                                rule_head +
                                    "    condition: \"true\"\n    message: x\n"
                                    "    description: |\n      a table:\n" +
                                    std::string(200, ' ') + "right-aligned " + brackets +
                                    "\n\n      more\n");
    CHECK(summary(block.diagnostics).empty());

    // A closing bracket inside quotes does not hide real nesting.
    std::string sneaky = "rules: ";
    for (int i = 0; i < 100; ++i) {
        sneaky += "[\"]\", ";
    }
    sneaky += "1" + std::string(100, ']') + "\n";
    auto r = load_rule_text("s.yaml", sneaky);
    CHECK(summary(r.diagnostics) ==
          "s.yaml:0:0 E021 rule file nests 100 levels deep; the limit is 64\n");
}
