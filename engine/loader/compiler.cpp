// SPDX-License-Identifier: GPL-2.0
#include "compiler.h"

#include <re2/re2.h>

#include "../fields.h"

namespace netdx::engine::loader {
namespace {

class RuleCompiler {
public:
    RuleCompiler(const FileSpec& file, const RuleSpec& spec, Diagnostics& diags)
        : file_(file), spec_(spec), diags_(diags) {}

    std::optional<Rule> compile();

private:
    Diagnostic& at(const DiagCode& code, std::string message, const ScalarText& where);
    void missing(const char* key);
    std::optional<Template> compile_template(const ScalarText& text);

    const FileSpec& file_;
    const RuleSpec& spec_;
    Diagnostics& diags_;
    bool ok_ = true;
};

Diagnostic& RuleCompiler::at(const DiagCode& code, std::string message, const ScalarText& where) {
    if (code.severity() == Severity::Error) {
        ok_ = false;
    }
    Diagnostic& d = diags_.add(code, std::move(message));
    locate(d, *file_.text, where, 0, where.value.size());
    if (!spec_.id.value.empty()) {
        d.context.insert(d.context.begin(), "rule '" + spec_.id.value + "'");
    }
    return d;
}

void RuleCompiler::missing(const char* key) {
    ok_ = false;
    Diagnostic& d =
        diags_.add(diag::missing_key, std::string("rule has no '") + key + "'", spec_.loc);
    d.snippet.text = std::string(line_of(*file_.text, spec_.loc.line));
    d.snippet.column = spec_.loc.col;
    if (!spec_.id.value.empty()) {
        d.context.push_back("rule '" + spec_.id.value + "'");
    }
}

std::optional<Template> RuleCompiler::compile_template(const ScalarText& text) {
    std::vector<TextProblem> problems;
    auto t = Template::compile(text.value, EventFields::instance(), problems);
    for (const auto& p : problems) {
        Diagnostic& d = add_text_problem(diags_, *file_.text, text, p);
        if (!spec_.id.value.empty()) {
            d.context.insert(d.context.begin(), "rule '" + spec_.id.value + "'");
        }
        ok_ = false;
    }
    return t;
}

std::optional<Rule> RuleCompiler::compile() {
    Rule rule;
    rule.origin = spec_.loc;
    rule.suppress = spec_.suppress;
    rule.fallback = spec_.fallback;
    rule.description = spec_.description.value;

    static const RE2 kebab("[a-z0-9]+(-[a-z0-9]+)*");
    if (!spec_.id.present()) {
        missing("id");
    } else if (!RE2::FullMatch(spec_.id.value, kebab)) {
        at(diag::invalid_id, "rule id '" + spec_.id.value + "' is not kebab-case", spec_.id)
            .hints.push_back("use lower-case words joined by dashes, e.g. 'netfilter-drop'");
    }
    rule.id = spec_.id.value;

    // Suppress rules explain benign noise: they need no category, level or message.
    if (spec_.category.present()) {
        if (!is_finding_category(spec_.category.value)) {
            auto& d = at(diag::unknown_category,
                         "unknown category '" + spec_.category.value + "'",
                         spec_.category);
            std::vector<std::string_view> known(finding_categories().begin(),
                                                finding_categories().end());
            auto guess = closest_match(spec_.category.value, known);
            d.hints.push_back(guess.empty() ? "categories are listed in docs/rules.md"
                                            : "did you mean '" + guess + "'?");
        }
        rule.category = spec_.category.value;
    } else if (!spec_.suppress) {
        missing("category");
    }
    if (spec_.level.present()) {
        if (auto level = parse_level(spec_.level.value)) {
            rule.level = *level;
        } else {
            at(diag::unknown_level, "unknown level '" + spec_.level.value + "'", spec_.level)
                .hints.push_back("use INFO, WARN or ERROR (upper case)");
        }
    } else if (!spec_.suppress) {
        missing("level");
    }

    if (spec_.events.empty()) {
        missing("events");
    }
    std::vector<std::string_view> kind_names;
    for (std::size_t k = 0; k < event_kind_count; ++k) {
        kind_names.push_back(event_kind_name(static_cast<EventKind>(k)));
    }
    for (const auto& ev : spec_.events) {
        if (auto kind = parse_event_kind(ev.value)) {
            rule.kinds.set(static_cast<std::size_t>(*kind));
        } else {
            auto& d = at(diag::unknown_event_kind, "unknown event kind '" + ev.value + "'", ev);
            auto guess = closest_match(ev.value, kind_names);
            if (!guess.empty()) {
                d.hints.push_back("did you mean '" + guess + "'?");
            }
        }
    }

    if (!spec_.condition.present()) {
        missing("condition");
    } else {
        std::vector<condition::Problem> problems;
        auto cond = condition::Condition::compile(
            spec_.condition.value, EventFields::instance(), nullptr, problems);
        for (const auto& p : problems) {
            TextProblem tp{p.code, p.message, p.offset, p.length, p.hints};
            Diagnostic& d = add_text_problem(diags_, *file_.text, spec_.condition, tp);
            d.context.insert(d.context.begin(), "rule '" + rule.id + "'");
        }
        if (cond) {
            rule.condition = std::move(*cond);
        } else {
            ok_ = false;
        }
    }

    if (spec_.message.present()) {
        rule.message = compile_template(spec_.message);
    } else if (!spec_.suppress) {
        missing("message");
    }
    for (const auto& step : spec_.advice) {
        if (auto t = compile_template(step.text)) {
            rule.advice.push_back({step.kind, std::move(*t)});
        }
    }
    for (const auto& key : spec_.key) {
        if (const auto* def = EventFields::instance().find(key.value)) {
            rule.key_fields.push_back(def->id);
        } else {
            auto& d = at(diag::unknown_field, "unknown field '" + key.value + "' in 'key'", key);
            auto guess = closest_match(key.value, EventFields::instance().names());
            if (!guess.empty()) {
                d.hints.push_back("did you mean '" + guess + "'?");
            }
        }
    }
    for (const auto& tag : spec_.tags) {
        rule.tags.push_back(tag.value);
    }
    if (!ok_) {
        return std::nullopt;
    }
    return rule;
}

} // namespace

std::optional<Rule> compile_rule(const FileSpec& file, const RuleSpec& spec, Diagnostics& diags) {
    return RuleCompiler(file, spec, diags).compile();
}

} // namespace netdx::engine::loader
