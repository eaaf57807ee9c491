// SPDX-License-Identifier: GPL-2.0
#include "reasons.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <string_view>

#include "../fields.h"

namespace netdx::engine::loader {
namespace {

constexpr std::size_t max_summary_chars = 90;
constexpr std::size_t min_explanation_chars = 60;

std::string where(const SourceLoc& loc) {
    return loc.file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.col);
}

// Whitespace-insensitive, case-insensitive form of a text, for duplicate detection.
std::string normalized(std::string_view text) {
    std::string out;
    bool space = false;
    for (char c : text) {
        if (std::isspace(static_cast<unsigned char>(c)) != 0) {
            space = !out.empty();
            continue;
        }
        if (space) {
            out += ' ';
            space = false;
        }
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

bool is_placeholder(std::string_view text) {
    std::string n = normalized(text);
    while (!n.empty() && (n.back() == '.' || n.back() == '!')) {
        n.pop_back();
    }
    if (n.size() < 3) {
        return true;
    }
    for (std::string_view filler : {"todo", "tbd", "fixme", "xxx", "n/a", "none", "tba"}) {
        if (n == filler || n.starts_with(std::string(filler) + ":")) {
            return true;
        }
    }
    return false;
}

bool is_version(std::string_view text) {
    const auto dot = text.find('.');
    auto digits = [](std::string_view s) {
        return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c)) != 0;
        });
    };
    return dot != std::string_view::npos && digits(text.substr(0, dot)) &&
           digits(text.substr(dot + 1));
}

bool is_reason_name(std::string_view name) {
    return !name.empty() && std::isupper(static_cast<unsigned char>(name.front())) != 0 &&
           std::all_of(name.begin(), name.end(), [](char c) {
               return std::isupper(static_cast<unsigned char>(c)) != 0 ||
                      std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '_';
           });
}

class ReasonCompiler {
public:
    explicit ReasonCompiler(Diagnostics& diags) : diags_(diags) {}

    void add(const ReasonSpec& spec);
    DropReasonBook take() { return std::move(book_); }

private:
    Diagnostic& report(const DiagCode& code, std::string message, const ScalarText& at) {
        Diagnostic& d = diags_.add(code, std::move(message));
        locate(d, at, 0, at.value.size());
        d.context.push_back(context_);
        return d;
    }
    bool claim_name(const ScalarText& name);
    bool need_key(const ReasonSpec& spec, const ScalarText& text, const char* key);
    // A text the entry needs: present, and not filler.
    bool need_text(const ReasonSpec& spec, const ScalarText& text, const char* key);
    bool need_lines(const ReasonSpec& spec, const std::vector<ScalarText>& lines, const char* key);
    // Reports a text another entry already uses; remembers it otherwise.
    void unique_text(const char* what, const std::string& key, const ScalarText& at);
    std::vector<Template> compile_templates(const std::vector<ScalarText>& lines, bool& ok);

    Diagnostics& diags_;
    DropReasonBook book_;
    std::string context_;
    std::map<std::string, SourceLoc, std::less<>> names_;            // name -> where defined
    std::map<std::string, std::pair<std::string, SourceLoc>> texts_; // text -> (entry, where)
};

bool ReasonCompiler::claim_name(const ScalarText& name) {
    if (!is_reason_name(name.value)) {
        report(diag::invalid_id,
               "drop reason name '" + name.value +
                   "' must be the kernel's enumerator in capitals "
                   "without SKB_DROP_REASON_",
               name)
            .hints.push_back("e.g. NETFILTER_DROP for SKB_DROP_REASON_NETFILTER_DROP");
        return false;
    }
    auto [it, fresh] = names_.try_emplace(name.value, name.loc);
    if (!fresh) {
        report(diag::duplicate_id, "drop reason '" + name.value + "' is already defined", name)
            .hints.push_back("first defined at " + where(it->second));
    }
    return fresh;
}

bool ReasonCompiler::need_key(const ReasonSpec& spec, const ScalarText& text, const char* key) {
    if (text.present() && !text.value.empty()) {
        return true;
    }
    Diagnostic& d =
        diags_.add(diag::missing_key, std::string("drop reason has no '") + key + "'", spec.loc);
    d.context.push_back(context_);
    return false;
}

bool ReasonCompiler::need_text(const ReasonSpec& spec, const ScalarText& text, const char* key) {
    if (!need_key(spec, text, key)) {
        return false;
    }
    if (is_placeholder(text.value)) {
        report(diag::empty_text, std::string("'") + key + "' is empty or a placeholder", text)
            .hints.push_back("say what is specific to this reason, for an operator");
        return false;
    }
    return true;
}

bool ReasonCompiler::need_lines(const ReasonSpec& spec,
                                const std::vector<ScalarText>& lines,
                                const char* key) {
    if (lines.empty()) {
        Diagnostic& d = diags_.add(diag::missing_key,
                                   std::string("drop reason has no '") + key + "' (at least one)",
                                   spec.loc);
        d.context.push_back(context_);
        return false;
    }
    bool ok = true;
    std::map<std::string, const ScalarText*> seen;
    for (const auto& line : lines) {
        ok = need_text(spec, line, key) && ok;
        auto [it, fresh] = seen.try_emplace(normalized(line.value), &line);
        if (!fresh) {
            report(diag::duplicate_text, std::string("this line repeats in '") + key + "'", line);
            ok = false;
        }
    }
    return ok;
}

void ReasonCompiler::unique_text(const char* what, const std::string& key, const ScalarText& at) {
    auto [it, fresh] = texts_.try_emplace(std::string(what) + ":" + key, context_, at.loc);
    if (!fresh) {
        report(
            diag::duplicate_text, std::string("the same ") + what + " as " + it->second.first, at)
            .hints.push_back("first written at " + where(it->second.second) +
                             "; say what is specific to this reason");
    }
}

std::vector<Template> ReasonCompiler::compile_templates(const std::vector<ScalarText>& lines,
                                                        bool& ok) {
    std::vector<Template> out;
    for (const auto& line : lines) {
        std::vector<TextProblem> problems;
        auto t = Template::compile(line.value, EventFields::instance(), problems);
        for (const auto& p : problems) {
            add_text_problem(diags_, line, p).context.push_back(context_);
        }
        if (t) {
            out.push_back(std::move(*t));
        } else {
            ok = false;
        }
    }
    return out;
}

void ReasonCompiler::add(const ReasonSpec& spec) {
    context_ = spec.name.present() ? "drop reason '" + spec.name.value + "'" : "a drop reason";
    bool ok = true;
    if (!spec.name.present()) {
        diags_.add(diag::missing_key, "drop reason has no 'name'", spec.loc);
        return;
    }
    ok = claim_name(spec.name);
    for (const auto& old : spec.formerly) {
        ok = claim_name(old) && ok;
    }
    DropReason r;
    r.name = spec.name.value;
    r.origin = spec.loc;
    ok = need_key(spec, spec.subsystem, "subsystem") && ok;
    r.subsystem = spec.subsystem.value;
    for (const auto* version : {&spec.since, &spec.removed_in}) {
        if (version->present() && !is_version(version->value)) {
            report(diag::bad_literal,
                   "'" + version->value + "' is not a kernel release like 5.17",
                   *version);
            ok = false;
        }
    }
    ok = need_key(spec, spec.since, "since") && ok;
    r.since = spec.since.value;
    r.removed_in = spec.removed_in.value;
    for (const auto& old : spec.formerly) {
        r.formerly.push_back(old.value);
    }

    if (need_text(spec, spec.summary, "summary")) {
        if (spec.summary.value.size() > max_summary_chars ||
            spec.summary.value.find('\n') != std::string::npos) {
            report(diag::wrong_type,
                   "'summary' must be one line of at most " + std::to_string(max_summary_chars) +
                       " characters",
                   spec.summary);
            ok = false;
        }
        unique_text("summary", normalized(spec.summary.value), spec.summary);
    } else {
        ok = false;
    }
    r.summary = spec.summary.value;
    if (need_text(spec, spec.explanation, "explanation")) {
        if (spec.explanation.value.size() < min_explanation_chars) {
            report(diag::empty_text,
                   "'explanation' is too short to explain anything (at least " +
                       std::to_string(min_explanation_chars) + " characters)",
                   spec.explanation);
            ok = false;
        }
        unique_text("explanation", normalized(spec.explanation.value), spec.explanation);
    } else {
        ok = false;
    }
    r.explanation = spec.explanation.value;

    ok = need_lines(spec, spec.causes, "causes") && ok;
    for (const auto& cause : spec.causes) {
        r.causes.push_back(cause.value);
    }
    const bool advice_given =
        need_lines(spec, spec.checks, "checks") & need_lines(spec, spec.remediation, "remediation");
    ok = advice_given && ok;
    if (advice_given) {
        std::string advice;
        for (const auto* list : {&spec.checks, &spec.remediation}) {
            for (const auto& line : *list) {
                advice += normalized(line.value) + "\n";
            }
        }
        unique_text("checks and remediation", advice, spec.checks.front());
    }
    r.checks = compile_templates(spec.checks, ok);
    r.remediation = compile_templates(spec.remediation, ok);

    if (!spec.level.present()) {
        ok = need_key(spec, spec.level, "level") && ok;
    } else if (auto level = parse_level(spec.level.value)) {
        r.level = *level;
    } else {
        report(diag::unknown_level,
               "level '" + spec.level.value + "' is not INFO, WARN or ERROR",
               spec.level);
        ok = false;
    }
    if (spec.benign_when.present()) {
        ok = need_text(spec, spec.benign_when, "when") && ok;
        r.benign_when = spec.benign_when.value;
        for (const auto& location : spec.benign_locations) {
            r.benign_locations.push_back(location.value);
        }
    }
    if (ok) {
        book_.add(std::move(r));
    }
}

} // namespace

DropReasonBook compile_reasons(const std::vector<FileSpec>& files, Diagnostics& diags) {
    ReasonCompiler compiler(diags);
    for (const auto& file : files) {
        for (const auto& spec : file.reasons) {
            compiler.add(spec);
        }
    }
    return compiler.take();
}

} // namespace netdx::engine::loader
