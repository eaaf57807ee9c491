// SPDX-License-Identifier: GPL-2.0
#include "compiler.h"

#include <map>
#include <set>

#include <re2/re2.h>

#include "../fields.h"

namespace netdx::engine::loader {
namespace {

// Named lists and macros as the condition compiler sees them; remembers which names were used.
class LoaderScope final : public condition::Scope {
public:
    explicit LoaderScope(const Collected& collected) {
        for (const auto& list : collected.lists) {
            auto& items = lists_[list.name.value];
            for (const auto& item : list.items.value_or(std::vector<ScalarText>{})) {
                items.push_back(item.value);
            }
        }
        for (const auto& macro : collected.macros) {
            macros_.emplace(macro.name.value, ComposedText(macro.condition));
        }
    }

    std::optional<std::span<const std::string>> list(std::string_view name) const override {
        auto it = lists_.find(name);
        if (it == lists_.end()) {
            return std::nullopt;
        }
        used_.emplace(name);
        return std::span<const std::string>(it->second);
    }
    std::optional<std::string_view> macro(std::string_view name) const override {
        auto it = macros_.find(name);
        if (it == macros_.end()) {
            return std::nullopt;
        }
        used_.emplace(name);
        return std::string_view(it->second.text());
    }
    std::vector<std::string_view> list_names() const override { return keys(lists_); }
    std::vector<std::string_view> macro_names() const override { return keys(macros_); }

    const ComposedText* macro_text(std::string_view name) const {
        auto it = macros_.find(name);
        return it == macros_.end() ? nullptr : &it->second;
    }
    bool used(const std::string& name) const { return used_.count(name) > 0; }
    void forget_uses() { used_.clear(); }

private:
    template <class Map>
    static std::vector<std::string_view> keys(const Map& map) {
        std::vector<std::string_view> out;
        for (const auto& entry : map) {
            out.push_back(entry.first);
        }
        return out;
    }

    std::map<std::string, std::vector<std::string>, std::less<>> lists_;
    std::map<std::string, ComposedText, std::less<>> macros_;
    mutable std::set<std::string, std::less<>> used_;
};

class Compiler {
public:
    Compiler(const Collected& collected, Diagnostics& diags)
        : collected_(collected), diags_(diags), scope_(collected) {}

    RuleSet run();

private:
    // Compiles a condition, reporting its problems where they were written. `owner` is the
    // text compiled (a rule's condition or a macro's).
    std::optional<condition::Condition> compile_condition(const ComposedText& owner,
                                                          const std::string& context);
    std::optional<Rule> compile_rule(const RuleSpec& spec);
    std::optional<Template> compile_template(const ScalarText& text, const std::string& context);
    void compile_escalations(const RuleSpec& spec, Rule& rule, bool& ok);
    Diagnostic* report(const DiagCode& code,
                       std::string message,
                       const ScalarText& at,
                       std::size_t offset,
                       std::size_t length,
                       const std::string& context);
    void missing(const RuleSpec& spec, const char* key);

    const Collected& collected_;
    Diagnostics& diags_;
    LoaderScope scope_;
    std::set<std::string> reported_; // a problem inside a macro is reported once
};

Diagnostic* Compiler::report(const DiagCode& code,
                             std::string message,
                             const ScalarText& at,
                             std::size_t offset,
                             std::size_t length,
                             const std::string& context) {
    Diagnostic d;
    d.code = &code;
    d.message = std::move(message);
    locate(d, at, offset, length);
    std::string key = d.loc.file + ":" + std::to_string(d.loc.line) + ":" +
                      std::to_string(d.loc.col) + ":" + std::string(code.id) + ":" + d.message;
    if (!reported_.insert(key).second) {
        return nullptr;
    }
    if (!context.empty()) {
        d.context.insert(d.context.begin(), context);
    }
    Diagnostic& added = diags_.add(code, d.message, d.loc);
    added.context = std::move(d.context);
    added.snippet = std::move(d.snippet);
    return &added;
}

void Compiler::missing(const RuleSpec& spec, const char* key) {
    Diagnostic& d =
        diags_.add(diag::missing_key, std::string("rule has no '") + key + "'", spec.loc);
    if (spec.id.source) {
        d.snippet.text = std::string(line_of(*spec.id.source, spec.loc.line));
        d.snippet.column = spec.loc.col;
    }
    if (!spec.id.value.empty()) {
        d.context.push_back("rule '" + spec.id.value + "'");
    }
}

std::optional<condition::Condition> Compiler::compile_condition(const ComposedText& owner,
                                                                const std::string& context) {
    std::vector<condition::Problem> problems;
    auto cond =
        condition::Condition::compile(owner.text(), EventFields::instance(), &scope_, problems);
    for (const auto& p : problems) {
        // A problem inside a macro points into that macro's text, wherever the macro is used.
        const ComposedText* text = p.macro.empty() ? &owner : scope_.macro_text(p.macro);
        if (text == nullptr) {
            continue;
        }
        auto [scalar, offset] = text->locate(p.offset);
        if (scalar == nullptr) {
            continue;
        }
        std::string where = p.macro.empty() ? context : "macro '" + p.macro + "'";
        if (Diagnostic* d = report(*p.code, p.message, *scalar, offset, p.length, where)) {
            d->hints = p.hints;
        }
    }
    return problems.empty() ? cond : std::nullopt;
}

std::optional<Template> Compiler::compile_template(const ScalarText& text,
                                                   const std::string& context) {
    std::vector<TextProblem> problems;
    auto t = Template::compile(text.value, EventFields::instance(), problems);
    for (const auto& p : problems) {
        if (Diagnostic* d = report(*p.code, p.message, text, p.offset, p.length, context)) {
            d->hints = p.hints;
        }
    }
    return t;
}

void Compiler::compile_escalations(const RuleSpec& spec, Rule& rule, bool& ok) {
    const std::string context = "rule '" + spec.id.value + "'";
    for (const auto& step : spec.escalate.value_or(std::vector<EscalationSpec>{})) {
        Escalation e;
        e.rate_per_s = step.rate_per_s;
        e.count = step.count;
        e.after_s = step.after_s;
        auto level = parse_level(step.level.value);
        ScalarText at = step.level;
        if (!step.level.present()) {
            at.loc = step.loc;
            at.source = spec.id.source;
        }
        if (!level) {
            report(diag::unknown_level,
                   step.level.present() ? "unknown escalation level '" + step.level.value + "'"
                                        : std::string("escalation step has no 'level'"),
                   at,
                   0,
                   step.level.value.size(),
                   context);
            ok = false;
            continue;
        }
        e.level = *level;
        if (!e.rate_per_s && !e.count && !e.after_s) {
            report(diag::bad_escalation,
                   "escalation step has no threshold (count, rate_per_s or after_s)",
                   at,
                   0,
                   1,
                   context);
            ok = false;
        } else if (e.level <= rule.level) {
            report(diag::bad_escalation,
                   "escalation to " + std::string(level_name(e.level)) +
                       " does not raise the rule's level " + std::string(level_name(rule.level)),
                   at,
                   0,
                   step.level.value.size(),
                   context);
            ok = false;
        }
        rule.escalations.push_back(e);
    }
    std::sort(rule.escalations.begin(),
              rule.escalations.end(),
              [](const Escalation& a, const Escalation& b) { return a.level < b.level; });
}

std::optional<Rule> Compiler::compile_rule(const RuleSpec& spec) {
    Rule rule;
    bool ok = true;
    rule.origin = spec.loc;
    rule.overridden_at = spec.overridden_at;
    rule.suppress = spec.suppress.value_or(false);
    rule.fallback = spec.fallback.value_or(false);
    rule.enabled = spec.enabled.value_or(true);
    rule.description = spec.description.value;
    const std::string context = spec.id.value.empty() ? "" : "rule '" + spec.id.value + "'";
    auto error = [&](const DiagCode& code, std::string message, const ScalarText& at) {
        ok = false;
        return report(code, std::move(message), at, 0, at.value.size(), context);
    };
    auto need = [&](const char* key) {
        ok = false;
        missing(spec, key);
    };

    static const RE2 kebab("[a-z0-9]+(-[a-z0-9]+)*");
    if (!spec.id.present()) {
        need("id");
    } else if (!RE2::FullMatch(spec.id.value, kebab)) {
        if (auto* d = error(
                diag::invalid_id, "rule id '" + spec.id.value + "' is not kebab-case", spec.id)) {
            d->hints.push_back("use lower-case words joined by dashes, e.g. 'netfilter-drop'");
        }
    }
    rule.id = spec.id.value;

    // Suppress rules explain benign noise: they need no category, level or message.
    if (spec.category.present()) {
        if (!is_finding_category(spec.category.value)) {
            if (auto* d = error(diag::unknown_category,
                                "unknown category '" + spec.category.value + "'",
                                spec.category)) {
                std::vector<std::string_view> known(finding_categories().begin(),
                                                    finding_categories().end());
                auto guess = closest_match(spec.category.value, known);
                d->hints.push_back(guess.empty() ? "categories are listed in docs/rules.md"
                                                 : "did you mean '" + guess + "'?");
            }
        }
        rule.category = spec.category.value;
    } else if (!rule.suppress) {
        need("category");
    }
    if (spec.level.present()) {
        if (auto level = parse_level(spec.level.value)) {
            rule.level = *level;
        } else if (auto* d = error(diag::unknown_level,
                                   "unknown level '" + spec.level.value + "'",
                                   spec.level)) {
            d->hints.push_back("use INFO, WARN or ERROR (upper case)");
        }
    } else if (!rule.suppress) {
        need("level");
    }

    if (!spec.events || spec.events->empty()) {
        need("events");
    }
    std::vector<std::string_view> kind_names{"any"};
    for (std::size_t k = 0; k < event_kind_count; ++k) {
        kind_names.push_back(event_kind_name(static_cast<EventKind>(k)));
    }
    for (const auto& ev : spec.events.value_or(std::vector<ScalarText>{})) {
        if (ev.value == "any") {
            rule.kinds.set();
        } else if (auto kind = parse_event_kind(ev.value)) {
            rule.kinds.set(static_cast<std::size_t>(*kind));
        } else if (auto* d = error(
                       diag::unknown_event_kind, "unknown event kind '" + ev.value + "'", ev)) {
            auto guess = closest_match(ev.value, kind_names);
            if (!guess.empty()) {
                d->hints.push_back("did you mean '" + guess + "'?");
            }
        }
    }
    if (rule.kinds.all() && spec.events) {
        report(diag::every_event_kind,
               "rule listens to every event kind, so it runs on every event",
               spec.events->front(),
               0,
               spec.events->front().value.size(),
               context)
            ->hints.push_back("list only the kinds the condition can match, e.g. [drop]");
    }

    if (spec.condition.empty()) {
        need("condition");
    } else {
        ComposedText text(spec.condition);
        if (auto cond = compile_condition(text, context)) {
            rule.condition = std::move(*cond);
            if (auto why = rule.condition.never_true_reason(); why && rule.enabled) {
                auto [scalar, offset] = text.locate(0);
                if (auto* d = report(diag::never_true,
                                     "condition can never be true: " + *why,
                                     *scalar,
                                     offset,
                                     scalar->value.size(),
                                     context)) {
                    d->hints.push_back("the rule never fires; fix the condition or remove it");
                }
            }
        } else {
            ok = false;
        }
    }

    if (spec.message.present()) {
        rule.message = compile_template(spec.message, context);
        ok = ok && rule.message.has_value();
    } else if (!rule.suppress) {
        need("message");
    }
    for (const auto& step : spec.advice.value_or(std::vector<AdviceSpec>{})) {
        if (step.from_drop_reason) {
            rule.advice.push_back({AdviceKind::Check, Template{}, true});
            continue;
        }
        if (auto t = compile_template(step.text, context)) {
            rule.advice.push_back({step.kind, std::move(*t)});
        } else {
            ok = false;
        }
    }
    for (const auto& key : spec.key.value_or(std::vector<ScalarText>{})) {
        if (const auto* def = EventFields::instance().find(key.value)) {
            rule.key_fields.push_back(def->id);
        } else if (auto* d = error(
                       diag::unknown_field, "unknown field '" + key.value + "' in 'key'", key)) {
            auto guess = closest_match(key.value, EventFields::instance().names());
            if (!guess.empty()) {
                d->hints.push_back("did you mean '" + guess + "'?");
            }
        }
    }
    for (const auto& tag : spec.tags.value_or(std::vector<ScalarText>{})) {
        rule.tags.push_back(tag.value);
    }
    compile_escalations(spec, rule, ok);
    if (!ok) {
        return std::nullopt;
    }
    return rule;
}

RuleSet Compiler::run() {
    // Every macro is compiled on its own first, so its problems are reported once and at the
    // macro, even when no rule uses it.
    for (const auto& macro : collected_.macros) {
        if (const ComposedText* text = scope_.macro_text(macro.name.value)) {
            compile_condition(*text, "macro '" + macro.name.value + "'");
        }
    }
    scope_.forget_uses();
    RuleSet set;
    for (const auto& spec : collected_.rules) {
        if (auto rule = compile_rule(spec)) {
            set.rules.push_back(std::move(*rule));
        }
    }
    auto warn_unused = [&](const ScalarText& name, const char* what) {
        if (!scope_.used(name.value)) {
            report(diag::unused_name,
                   std::string(what) + " '" + name.value + "' is not used by any rule",
                   name,
                   0,
                   name.value.size(),
                   "");
        }
    };
    for (const auto& list : collected_.lists) {
        warn_unused(list.name, "list");
    }
    for (const auto& macro : collected_.macros) {
        warn_unused(macro.name, "macro");
    }
    return set;
}

} // namespace

RuleSet compile(const Collected& collected, Diagnostics& diags) {
    return Compiler(collected, diags).run();
}

} // namespace netdx::engine::loader
