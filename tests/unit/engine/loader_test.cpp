// SPDX-License-Identifier: GPL-2.0
#include <filesystem>
#include <fstream>
#include <sstream>

#include <doctest/doctest.h>

#include "engine/loader/loader.h"

using netdx::engine::Diagnostic;
using netdx::engine::loader::load_rule_paths;
using netdx::engine::loader::load_rule_text;

namespace {

// "line:col code message" for every diagnostic, one per line: compact exact expectations.
std::string summary(const netdx::engine::Diagnostics& ds) {
    std::string out;
    for (const auto& d : ds.items()) {
        out += std::to_string(d.loc.line) + ":" + std::to_string(d.loc.col) + " " +
               std::string(d.code->id) + " " + d.message + "\n";
    }
    return out;
}

std::string rendered(const netdx::engine::Diagnostics& ds) {
    std::ostringstream out;
    netdx::engine::render_text(out, ds);
    return out.str();
}

const char* valid_rule = R"(rules:
  - id: my-drop
    category: kernel-drop
    level: WARN
    events: [drop]
    condition: event.reason == "NO_SOCKET"
    message: "{event.flow} dropped"
    advice:
      - check: "ss -ltn"
      - change: "start it"
)";

} // namespace

TEST_CASE("a valid rule loads with no diagnostics") {
    auto r = load_rule_text("r.yaml", valid_rule);
    CHECK(summary(r.diagnostics) == "");
    REQUIRE(r.rules.rules.size() == 1);
    const auto& rule = r.rules.rules[0];
    CHECK(rule.id == "my-drop");
    CHECK(rule.level == netdx::engine::Level::Warn);
    CHECK(rule.advice.size() == 2);
    CHECK(rule.advice[1].kind == netdx::engine::AdviceKind::Change);
    CHECK(rule.origin.line == 2);
    CHECK(r.rules.kinds_needed().test(static_cast<std::size_t>(netdx::engine::EventKind::Drop)));
}

TEST_CASE("a YAML syntax error is reported at its 1-based position with the source line") {
    auto r = load_rule_text("bad.yaml", "rules:\n  - id: x\n    events: [drop\n");
    CHECK(summary(r.diagnostics) == "3:18 E001 end of sequence flow not found\n");
    CHECK(rendered(r.diagnostics) == "bad.yaml:3:18: error[E001]: end of sequence flow not found\n"
                                     "  |     events: [drop\n"
                                     "  |                  ^\n");
}

TEST_CASE("a condition error in a plain scalar points at the exact column, with a hint") {
    auto r = load_rule_text("c.yaml",
                            "rules:\n  - id: a\n    category: kernel-drop\n    level: WARN\n"
                            "    events: [drop]\n    condition: event.dprot == 80\n"
                            "    message: m\n");
    CHECK(summary(r.diagnostics) == "6:16 E011 unknown field 'event.dprot'\n");
    CHECK(rendered(r.diagnostics) == "c.yaml:6:16: error[E011]: unknown field 'event.dprot'\n"
                                     "  in rule 'a'\n"
                                     "  |     condition: event.dprot == 80\n"
                                     "  |                ^~~~~~~~~~~\n"
                                     "  hint: did you mean 'event.dport'?\n");
    CHECK(r.rules.rules.empty());
}

TEST_CASE("a condition error in a double-quoted scalar points inside the quotes") {
    auto r = load_rule_text(
        "c.yaml",
        "rules:\n  - id: a\n    category: kernel-drop\n    level: WARN\n"
        "    events: [drop]\n    condition: \"event.reason == 'X' and event.dprot > 1\"\n"
        "    message: m\n");
    CHECK(summary(r.diagnostics) == "6:41 E011 unknown field 'event.dprot'\n");
}

TEST_CASE("a condition error in a folded block scalar points at its line in the block") {
    auto r = load_rule_text("c.yaml",
                            "rules:\n  - id: a\n    category: kernel-drop\n    level: WARN\n"
                            "    events: [drop]\n"
                            "    condition: >-\n"
                            "      event.reason == \"NO_SOCKET\"\n"
                            "      and event.dprot == 80\n"
                            "    message: m\n");
    CHECK(summary(r.diagnostics) == "8:11 E011 unknown field 'event.dprot'\n");
}

TEST_CASE("a condition error in a literal block scalar points at its line in the block") {
    auto r = load_rule_text("c.yaml",
                            "rules:\n  - id: a\n    category: kernel-drop\n    level: WARN\n"
                            "    events: [drop]\n"
                            "    condition: |\n"
                            "      event.reason == \"NO_SOCKET\" and\n"
                            "        event.dprot == 80\n"
                            "    message: m\n");
    CHECK(summary(r.diagnostics) == "8:9 E011 unknown field 'event.dprot'\n");
}

TEST_CASE("a condition with escapes that cannot be mapped shows the text and the offset") {
    auto r = load_rule_text("c.yaml",
                            "rules:\n  - id: a\n    category: kernel-drop\n    level: WARN\n"
                            "    events: [drop]\n"
                            "    condition: \"event.reason == \\\"X\\\" and event.dprot > 1\"\n"
                            "    message: m\n");
    REQUIRE(r.diagnostics.items().size() == 1);
    const Diagnostic& d = r.diagnostics.items()[0];
    CHECK(d.loc.line == 6);
    CHECK(d.snippet.text == "event.reason == \"X\" and event.dprot > 1");
    CHECK(d.snippet.column == 25);
    CHECK(d.context.back() == "at offset 24 of the text starting at line 6");
}

TEST_CASE("the loader keeps going and reports every problem of every rule in one run") {
    auto r = load_rule_text("m.yaml",
                            "rules:\n"
                            "  - id: Bad_Id\n"
                            "    category: kernel-dorp\n"
                            "    level: warn\n"
                            "    events: [dorp]\n"
                            "    condition: event.reason == 1\n"
                            "    message: \"{event.flw}\"\n"
                            "    advise: []\n"
                            "  - id: second\n"
                            "    events: drop\n");
    CHECK(summary(r.diagnostics) ==
          "8:5 W001 unknown key 'advise' in a rule is ignored\n"
          "10:13 E002 'events' must be a list, e.g. [a, b]\n"
          "2:9 E008 rule id 'Bad_Id' is not kebab-case\n"
          "3:15 E005 unknown category 'kernel-dorp'\n"
          "4:12 E006 unknown level 'warn'\n"
          "5:14 E007 unknown event kind 'dorp'\n"
          "6:16 E012 '==' compares string with int: event.reason is a string\n"
          "7:16 E011 unknown field 'event.flw' in template\n"
          "9:5 E003 rule has no 'category'\n"
          "9:5 E003 rule has no 'level'\n"
          "9:5 E003 rule has no 'events'\n"
          "9:5 E003 rule has no 'condition'\n"
          "9:5 E003 rule has no 'message'\n");
    CHECK(r.rules.rules.empty());
    const auto& items = r.diagnostics.items();
    CHECK(items[0].hints.at(0) == "did you mean 'advice'?");
    CHECK(items[3].hints.at(0) == "did you mean 'kernel-drop'?");
    CHECK(items[5].hints.at(0) == "did you mean 'drop'?");
    CHECK(items[7].hints.at(0) == "did you mean 'event.flow'?");
}

TEST_CASE("suppress rules need no category, level or message") {
    auto r = load_rule_text("s.yaml",
                            "rules:\n  - id: benign\n    suppress: true\n    events: [drop]\n"
                            "    condition: event.reason == \"QUEUE_PURGE\"\n");
    CHECK(summary(r.diagnostics) == "");
    REQUIRE(r.rules.rules.size() == 1);
    CHECK(r.rules.rules[0].suppress);
}

TEST_CASE("a newer required_version is refused; flags must be booleans") {
    auto r = load_rule_text("v.yaml",
                            "required_version: 2\nrules:\n  - id: a\n    suppress: maybe\n"
                            "    events: [drop]\n    condition: \"true\"\n");
    CHECK(summary(r.diagnostics) == "1:19 E018 this file needs rule format 2; this netdx reads 1\n"
                                    "4:15 E002 'suppress' must be true or false\n"
                                    "3:5 E003 rule has no 'category'\n"
                                    "3:5 E003 rule has no 'level'\n"
                                    "3:5 E003 rule has no 'message'\n");
}

TEST_CASE("a duplicate id in a later file is an error naming the first definition") {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / "netdx-loader-test";
    fs::create_directories(dir);
    std::ofstream(dir / "a.yaml") << valid_rule;
    std::ofstream(dir / "b.yaml") << valid_rule;
    auto r = load_rule_paths({dir.string(), (dir / "missing.yaml").string()});
    CHECK(summary(r.diagnostics) == "0:0 E009 no such rule file or directory\n"
                                    "2:9 E004 rule 'my-drop' is already defined\n");
    CHECK(r.diagnostics.items()[1].loc.file == (dir / "b.yaml").string());
    CHECK(r.diagnostics.items()[1].hints.at(0) ==
          "first defined at " + (dir / "a.yaml").string() +
              ":2:5; to change it, add 'override:' saying how, e.g. override: {condition: append}");
    CHECK(r.rules.rules.size() == 1);
    fs::remove_all(dir);
}

TEST_CASE("every shipped knowledge file loads with zero errors and zero warnings") {
    auto r = load_rule_paths({std::string(NETDX_SOURCE_DIR) + "/knowledge"});
    CHECK(rendered(r.diagnostics) == "");
    CHECK(r.rules.files.size() >= 4);
    CHECK(r.rules.rules.size() >= 9);
}
