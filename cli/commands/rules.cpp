// SPDX-License-Identifier: GPL-2.0
// netdx rules lint|list|test|explain: everything a support team needs to write, check and ship
// rules, without root and without BPF.
#include "../rules.h"

#include <iomanip>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "../exit_codes.h"
#include "../paths.h"
#include "commands.h"
#include "engine/event_json.h"
#include "engine/fields.h"
#include "engine/fixture.h"
#include "engine/loader/loader.h"
#include "reasons.h"

namespace netdx::cli {
namespace {

struct RulesArgs {
    std::vector<std::string> paths;
    std::vector<std::string> rule_paths;
    bool json = false;
    bool require_coverage = false;
    bool list_reasons = false;
    bool markdown = false;
    std::string id;
};

std::string where(const engine::SourceLoc& loc) {
    return loc.file + ":" + std::to_string(loc.line);
}

std::string kinds_text(const engine::EventKindSet& kinds) {
    if (kinds.all()) {
        return "any";
    }
    std::string out;
    for (std::size_t k = 0; k < engine::event_kind_count; ++k) {
        if (kinds.test(k)) {
            out += (out.empty() ? "" : ",") +
                   std::string(engine::event_kind_name(static_cast<engine::EventKind>(k)));
        }
    }
    return out;
}

// Loads shipped, site and `extra` rules; prints diagnostics unless `quiet`.
std::optional<engine::loader::LoadResult> load(const std::vector<std::string>& extra, bool quiet) {
    auto sources = rule_sources(extra, std::cerr);
    if (!sources) {
        return std::nullopt;
    }
    auto loaded = engine::loader::load_rule_paths(*sources);
    if (!quiet) {
        engine::render_text(std::cerr, loaded.diagnostics);
    }
    return loaded;
}

int run_lint(const RulesArgs& args) {
    auto loaded = load(args.paths, args.json);
    if (!loaded) {
        return exit_environment;
    }
    const auto& d = loaded->diagnostics;
    if (args.json) {
        nlohmann::json out;
        out["files"] = loaded->rules.files;
        out["rules"] = loaded->rules.rules.size();
        out["drop_reasons"] = loaded->rules.reasons.entries().size();
        out["errors"] = d.error_count();
        out["warnings"] = d.warning_count();
        out["diagnostics"] = nlohmann::json::array();
        for (const auto& item : d.items()) {
            out["diagnostics"].push_back(engine::to_json(item));
        }
        std::cout << engine::json_text(out) << "\n";
    } else {
        std::cout << "netdx: " << loaded->rules.rules.size() << " rules and "
                  << loaded->rules.reasons.entries().size() << " drop reasons from "
                  << loaded->rules.files.size() << " files: " << d.error_count() << " errors, "
                  << d.warning_count() << " warnings\n";
    }
    return d.has_errors() ? exit_usage : exit_ok;
}

int run_list(const RulesArgs& args) {
    auto loaded = load(args.rule_paths, args.json);
    if (!loaded || loaded->diagnostics.has_errors()) {
        return exit_usage;
    }
    const auto& rules = loaded->rules.rules;
    if (args.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& r : rules) {
            nlohmann::json overrides = nlohmann::json::array();
            for (const auto& loc : r.overridden_at) {
                overrides.push_back(where(loc));
            }
            out.push_back({{"id", r.id},
                           {"category", r.category},
                           {"level", r.suppress ? "-" : engine::level_name(r.level)},
                           {"events", kinds_text(r.kinds)},
                           {"enabled", r.enabled},
                           {"suppress", r.suppress},
                           {"fallback", r.fallback},
                           {"defined_at", where(r.origin)},
                           {"overridden_at", overrides}});
        }
        std::cout << engine::json_text(out) << "\n";
        return exit_ok;
    }
    std::size_t id_width = 2;
    for (const auto& r : rules) {
        id_width = std::max(id_width, r.id.size());
    }
    std::cout << std::left << std::setw(static_cast<int>(id_width)) << "ID"
              << "  LEVEL   CATEGORY                 EVENTS  DEFINED AT\n";
    for (const auto& r : rules) {
        std::string level = r.suppress ? "benign" : std::string(engine::level_name(r.level));
        if (!r.enabled) {
            level = "off";
        }
        std::cout << std::setw(static_cast<int>(id_width)) << r.id << "  " << std::setw(6) << level
                  << "  " << std::setw(23) << (r.suppress ? "-" : r.category) << "  "
                  << std::setw(6) << kinds_text(r.kinds) << "  " << where(r.origin);
        for (const auto& loc : r.overridden_at) {
            std::cout << ", overridden at " << where(loc);
        }
        std::cout << "\n";
    }
    return exit_ok;
}

int run_test(const RulesArgs& args) {
    auto loaded = load(args.rule_paths, false);
    if (!loaded || loaded->diagnostics.has_errors()) {
        return exit_usage;
    }
    auto paths = args.paths.empty() ? default_fixture_dirs(std::cerr) : args.paths;
    engine::Diagnostics diags;
    auto fixtures = engine::read_fixture_paths(paths, diags);
    engine::render_text(std::cerr, diags);
    if (diags.has_errors()) {
        return exit_usage;
    }
    std::size_t failed = 0;
    std::set<std::string> positive;
    std::set<std::string> negative;
    for (const auto& fixture : fixtures) {
        auto outcome = engine::run_fixture(loaded->rules, fixture);
        std::cout << (outcome.passed ? "PASS  " : "FAIL  ") << fixture.name << "  ("
                  << where(fixture.loc) << ")\n";
        for (const auto& why : outcome.failures) {
            std::cout << "      - " << why << "\n";
        }
        failed += outcome.passed ? 0 : 1;
        for (const auto& x : fixture.expect) {
            positive.insert(x.rule);
        }
        for (const auto& [id, loc] : fixture.absent) {
            negative.insert(id);
        }
    }
    std::vector<std::string> uncovered;
    for (const auto& r : loaded->rules.rules) {
        if (!r.enabled) {
            continue;
        }
        std::string missing;
        if (!positive.count(r.id)) {
            missing = "no positive fixture (expect)";
        }
        if (!negative.count(r.id)) {
            missing += (missing.empty() ? "" : ", ") + std::string("no negative fixture (absent)");
        }
        if (!missing.empty()) {
            uncovered.push_back(r.id + ": " + missing);
        }
    }
    std::cout << fixtures.size() << " fixtures: " << fixtures.size() - failed << " passed, "
              << failed << " failed\n";
    if (!uncovered.empty()) {
        std::cout << uncovered.size() << " rules not covered both ways:\n";
        for (const auto& line : uncovered) {
            std::cout << "  " << line << "\n";
        }
    }
    if (failed > 0) {
        return exit_error_found;
    }
    return args.require_coverage && !uncovered.empty() ? exit_error_found : exit_ok;
}

// The shipped drop-reason knowledge alone: what docs/drop-reasons.md documents.
int write_shipped_reasons_markdown() {
    auto shipped = shipped_knowledge_dir();
    if (!shipped) {
        std::cerr << "netdx: error: " << shipped.error().describe() << "\n";
        return exit_environment;
    }
    auto loaded = engine::loader::load_rule_paths({*shipped + "/drop-reasons"});
    engine::render_text(std::cerr, loaded.diagnostics);
    if (loaded.diagnostics.has_errors()) {
        return exit_usage;
    }
    write_reasons_markdown(std::cout, loaded.rules.reasons);
    return exit_ok;
}

int run_explain(const RulesArgs& args) {
    if (args.markdown) {
        return write_shipped_reasons_markdown();
    }
    auto loaded = load(args.rule_paths, false);
    if (!loaded || loaded->diagnostics.has_errors()) {
        return exit_usage;
    }
    const engine::DropReasonBook& reasons = loaded->rules.reasons;
    if (args.list_reasons) {
        return list_reasons(std::cout, reasons, args.json);
    }
    if (args.id.empty()) {
        std::cerr << "netdx: error: name a rule id or a drop reason, or give --list\n";
        return exit_usage;
    }
    const engine::Rule* r = loaded->rules.find(args.id);
    if (r == nullptr && explain_reason(std::cout, reasons, args.id, args.json)) {
        return exit_ok;
    }
    if (r == nullptr) {
        std::vector<std::string_view> names;
        for (const auto& rule : loaded->rules.rules) {
            names.push_back(rule.id);
        }
        for (const auto& reason : reasons.entries()) {
            names.push_back(reason.name);
        }
        std::cerr << "netdx: error: no rule or drop reason '" << args.id << "'";
        auto guess = engine::closest_match(engine::canonical_reason_name(args.id), names);
        if (guess.empty()) {
            guess = engine::closest_match(args.id, names);
        }
        if (!guess.empty()) {
            std::cerr << "; did you mean '" << guess << "'?";
        }
        std::cerr << "\nhint: 'netdx rules list' shows every rule, 'netdx rules explain --list' "
                     "every drop reason\n";
        return exit_usage;
    }
    std::cout << r->id << (r->enabled ? "" : " (disabled)") << "\n\n";
    if (!r->description.empty()) {
        std::cout << r->description << "\n\n";
    }
    if (r->suppress) {
        std::cout << "kind:       benign noise: matching events are counted, never reported\n";
    } else {
        std::cout << "category:   " << r->category
                  << "\nlevel:      " << engine::level_name(r->level)
                  << (r->fallback ? " (fallback)" : "") << "\n";
    }
    for (const auto& step : r->escalations) {
        std::cout << "escalates:  to " << engine::level_name(step.level) << " after "
                  << step.describe() << "\n";
    }
    std::cout << "events:     " << kinds_text(r->kinds) << "\n";
    std::cout << "condition:  " << r->condition.canonical() << "\n";
    if (r->message) {
        std::cout << "message:    " << r->message->source() << "\n";
    }
    for (const auto& step : r->advice) {
        if (step.from_drop_reason) {
            std::cout << "advice:     the checks and fixes of the drop reason's entry "
                         "(netdx rules explain REASON)\n";
            continue;
        }
        std::cout << (step.kind == engine::AdviceKind::Check ? "check:      " : "change:     ")
                  << step.text.source() << "\n";
    }
    if (!r->tags.empty()) {
        std::cout << "tags:       ";
        for (std::size_t i = 0; i < r->tags.size(); ++i) {
            std::cout << (i ? ", " : "") << r->tags[i];
        }
        std::cout << "\n";
    }
    std::cout << "defined at: " << where(r->origin) << "\n";
    for (const auto& loc : r->overridden_at) {
        std::cout << "overridden: " << where(loc) << "\n";
    }
    return exit_ok;
}

} // namespace

Command add_rules_command(CLI::App& app) {
    auto args = std::make_shared<RulesArgs>();
    CLI::App* rules =
        app.add_subcommand("rules",
                           "Check, list, test and explain the rules (no root needed).\n\n"
                           "The rules are the shipped knowledge, then the files in\n"
                           "/etc/netdx/rules.d, then each --rules path; later files may\n"
                           "override rules, lists and macros by id (docs/rules.md).");
    rules->require_subcommand(0, 1);

    CLI::App* lint = rules->add_subcommand(
        "lint",
        "Check the rules: report every error and warning, with file:line:col.\n\n"
        "Loads the shipped rules, /etc/netdx/rules.d and each PATH, and reports every problem,\n"
        "not only the first. Exit code 2 when there is an error.");
    lint->add_option("paths", args->paths, "Rule files or directories to check")->type_name("PATH");
    lint->add_flag("--json", args->json, "Print the result as JSON");
    lint->footer("Examples:\n"
                 "  netdx rules lint\n"
                 "  netdx rules lint /etc/netdx/rules.d/site.yaml\n"
                 "  netdx rules lint --json my-rules/");

    CLI::App* list = rules->add_subcommand(
        "list", "List the effective rules and the file and line each came from.");
    list->add_flag("--json", args->json, "Print the list as JSON");
    list->footer("Examples:\n"
                 "  netdx rules list\n"
                 "  netdx rules list --rules site.yaml\n"
                 "  netdx rules list --json | jq -r '.[].id'");

    CLI::App* test = rules->add_subcommand(
        "test",
        "Run rule fixtures: events, and the findings they must (or must not) produce.\n\n"
        "By default the shipped fixtures and those in /etc/netdx/rules.d/fixtures.");
    test->add_option("paths", args->paths, "Fixture files or directories")->type_name("PATH");
    test->add_flag("--require-coverage",
                   args->require_coverage,
                   "Fail unless every rule has a positive and a negative fixture");
    test->footer("Examples:\n"
                 "  netdx rules test\n"
                 "  netdx rules test --require-coverage\n"
                 "  netdx rules test --rules site.yaml site-fixtures.yaml");

    CLI::App* explain = rules->add_subcommand(
        "explain", "Show one rule, or what a kernel drop reason means and what to do about it.");
    explain
        ->add_option("name",
                     args->id,
                     "A rule id, or a drop reason in any case, with or without SKB_DROP_REASON_")
        ->type_name("ID|REASON");
    explain->add_flag("--list",
                      args->list_reasons,
                      "List every drop reason with a summary and whether this kernel has it");
    explain->add_flag("--json", args->json, "Print the reason or the list as JSON");
    explain->add_flag("--markdown",
                      args->markdown,
                      "Print the shipped drop-reason knowledge as markdown (docs/drop-reasons.md)");
    explain->footer("Examples:\n"
                    "  netdx rules explain no-listener-tcp\n"
                    "  netdx rules explain NETFILTER_DROP\n"
                    "  netdx rules explain --list");

    for (CLI::App* cmd : {list, test, explain}) {
        cmd->add_option("--rules", args->rule_paths, "Extra rule file or directory (repeatable)")
            ->type_name("PATH")
            ->allow_extra_args(false);
    }
    rules->footer("Examples:\n"
                  "  netdx rules lint /etc/netdx/rules.d/site.yaml\n"
                  "  netdx rules test --rules site.yaml site-fixtures.yaml\n"
                  "  netdx rules explain no-listener-tcp\n"
                  "  netdx rules explain NO_SOCKET");
    return {rules, [=](const CommandContext&) {
                if (lint->parsed()) {
                    return run_lint(*args);
                }
                if (list->parsed()) {
                    return run_list(*args);
                }
                if (test->parsed()) {
                    return run_test(*args);
                }
                if (explain->parsed()) {
                    return run_explain(*args);
                }
                std::cout << rules->help();
                return static_cast<int>(exit_usage);
            }};
}

} // namespace netdx::cli
