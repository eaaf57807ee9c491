// SPDX-License-Identifier: GPL-2.0
#include "reader.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <span>
#include <string_view>

#include <yaml-cpp/yaml.h>

namespace netdx::engine::loader {
namespace {

constexpr std::array<std::string_view, 5> top_level_keys = {
    "rules", "lists", "macros", "reasons", "required_version"};
constexpr std::array<std::string_view, 15> rule_keys = {"id",
                                                        "category",
                                                        "level",
                                                        "events",
                                                        "condition",
                                                        "message",
                                                        "advice",
                                                        "tags",
                                                        "key",
                                                        "suppress",
                                                        "fallback",
                                                        "description",
                                                        "enabled",
                                                        "escalate",
                                                        "override"};
constexpr std::array<std::string_view, 3> list_keys = {"list", "items", "override"};
constexpr std::array<std::string_view, 3> macro_keys = {"macro", "condition", "override"};
constexpr std::array<std::string_view, 12> reason_keys = {"name",
                                                          "subsystem",
                                                          "since",
                                                          "removed_in",
                                                          "formerly",
                                                          "summary",
                                                          "explanation",
                                                          "causes",
                                                          "checks",
                                                          "remediation",
                                                          "level",
                                                          "benign"};
constexpr std::array<std::string_view, 2> benign_keys = {"when", "locations"};
constexpr std::array<std::string_view, 4> escalate_keys = {
    "level", "rate_per_s", "count", "after_s"};

// How deep brackets and indentation go, measured on the text before yaml-cpp sees it: yaml-cpp
// recurses once per level and a few thousand levels overflow the stack. A light lexical pass:
// brackets in comments, quoted strings and block scalars (`|`, `>`) are text, not nesting, and
// the lines of a block scalar are not indentation.
std::size_t nesting_depth(std::string_view text) {
    auto is_space = [](char c) { return c == ' ' || c == '\t'; };
    auto opens_token = [&](std::size_t at) {
        return at == 0 || is_space(text[at - 1]) || text[at - 1] == '[' || text[at - 1] == '{' ||
               text[at - 1] == ',' || text[at - 1] == '\n';
    };
    std::size_t depth = 0;
    std::size_t deepest = 0;
    constexpr std::size_t none = std::string_view::npos;
    std::size_t block_scalar_parent = none; // indentation of the line that opened one
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t spaces = 0;
        while (pos + spaces < text.size() && text[pos + spaces] == ' ') {
            ++spaces;
        }
        std::size_t i = pos + spaces;
        const bool blank = i >= text.size() || text[i] == '\n';
        if (block_scalar_parent != none && (blank || spaces > block_scalar_parent)) {
            pos = std::min(text.find('\n', i), text.size()) + 1;
            continue;
        }
        block_scalar_parent = none;
        // "- - key: x" nests like indentation: the dashes count as columns.
        std::size_t columns = spaces;
        while (i + 1 < text.size() && text[i] == '-' && is_space(text[i + 1])) {
            columns += 2;
            i += 2;
        }
        std::optional<std::size_t> last_text;
        for (; i < text.size() && text[i] != '\n'; ++i) {
            const char c = text[i];
            if (c == '#' && (i == 0 || is_space(text[i - 1]))) {
                i = std::min(text.find('\n', i), text.size());
                break;
            }
            if ((c == '"' || c == '\'') && opens_token(i)) {
                // A quoted string, maybe over several lines; "..." escapes with a backslash,
                // '...' by doubling the quote.
                for (++i; i < text.size(); ++i) {
                    if (c == '"' && text[i] == '\\') {
                        ++i;
                    } else if (text[i] == c && c == '\'' && i + 1 < text.size() &&
                               text[i + 1] == '\'') {
                        ++i;
                    } else if (text[i] == c) {
                        break;
                    }
                }
                if (i >= text.size()) {
                    return deepest; // unterminated: yaml-cpp reports it
                }
                last_text = i;
                continue;
            }
            if (c == '[' || c == '{') {
                ++depth;
            } else if ((c == ']' || c == '}') && depth > 0) {
                --depth;
            }
            if (!is_space(c)) {
                last_text = i;
            }
            // Two columns per block level is the tightest YAML nesting people write.
            deepest = std::max(deepest, depth + columns / 2);
        }
        // `key: |`, `- >-`, `key: |2+` open a block scalar on the next lines.
        if (depth == 0 && last_text) {
            std::size_t end = *last_text;
            while (end > pos && (std::isdigit(static_cast<unsigned char>(text[end])) != 0 ||
                                 text[end] == '-' || text[end] == '+')) {
                --end;
            }
            if ((text[end] == '|' || text[end] == '>') && (end == pos || is_space(text[end - 1]))) {
                block_scalar_parent = spaces;
            }
        }
        pos = i + 1;
    }
    return deepest;
}

class Reader {
public:
    Reader(FileSpec& file, Diagnostics& diags) : file_(file), diags_(diags) {}

    void read_document(const YAML::Node& root);

private:
    SourceLoc loc_of(const YAML::Node& node) const;
    Diagnostic& report(const DiagCode& code,
                       std::string message,
                       const YAML::Node& node,
                       std::size_t length = 1);
    std::optional<ScalarText> scalar(const YAML::Node& node, std::string_view what);
    std::optional<bool> boolean(const YAML::Node& node, std::string_view what);
    std::optional<double> number(const YAML::Node& node, std::string_view what);
    std::vector<ScalarText> string_list(const YAML::Node& node, std::string_view what);
    void check_keys(const YAML::Node& map,
                    std::span<const std::string_view> known,
                    std::string_view where);
    OverrideSpec read_override(const YAML::Node& node);
    void read_rule(const YAML::Node& node);
    void read_list(const YAML::Node& node);
    void read_macro(const YAML::Node& node);
    void read_reason(const YAML::Node& node);
    std::optional<std::vector<AdviceSpec>> read_advice(const YAML::Node& node);
    std::optional<std::vector<EscalationSpec>> read_escalate(const YAML::Node& node);
    template <class Fn>
    void for_each_entry(const YAML::Node& root, const char* key, Fn read_entry);

    FileSpec& file_;
    Diagnostics& diags_;
};

SourceLoc Reader::loc_of(const YAML::Node& node) const {
    auto mark = node.Mark();
    if (mark.is_null()) {
        return SourceLoc{file_.path, 0, 0};
    }
    // yaml-cpp counts from 0; every position we print counts from 1.
    return SourceLoc{file_.path,
                     static_cast<std::size_t>(mark.line) + 1,
                     static_cast<std::size_t>(mark.column) + 1};
}

Diagnostic& Reader::report(const DiagCode& code,
                           std::string message,
                           const YAML::Node& node,
                           std::size_t length) {
    Diagnostic& d = diags_.add(code, std::move(message), loc_of(node));
    if (d.loc.line > 0) {
        d.snippet.text = std::string(line_of(*file_.text, d.loc.line));
        d.snippet.column = d.loc.col;
        d.snippet.length = length;
    }
    return d;
}

std::optional<ScalarText> Reader::scalar(const YAML::Node& node, std::string_view what) {
    if (!node.IsScalar()) {
        report(diag::wrong_type, std::string(what) + " must be text", node);
        return std::nullopt;
    }
    ScalarText s;
    s.value = node.Scalar();
    s.loc = loc_of(node);
    s.source = file_.text;
    s.positions = map_scalar(*file_.text, s.loc.line, s.loc.col, s.value);
    return s;
}

std::optional<bool> Reader::boolean(const YAML::Node& node, std::string_view what) {
    if (node.IsScalar() && (node.Scalar() == "true" || node.Scalar() == "false")) {
        return node.Scalar() == "true";
    }
    report(diag::wrong_type, std::string(what) + " must be true or false", node);
    return std::nullopt;
}

std::optional<double> Reader::number(const YAML::Node& node, std::string_view what) {
    double value = 0;
    if (node.IsScalar() && YAML::convert<double>::decode(node, value) && value > 0) {
        return value;
    }
    report(diag::wrong_type, std::string(what) + " must be a positive number", node);
    return std::nullopt;
}

std::vector<ScalarText> Reader::string_list(const YAML::Node& node, std::string_view what) {
    std::vector<ScalarText> out;
    if (!node.IsSequence()) {
        report(diag::wrong_type, std::string(what) + " must be a list, e.g. [a, b]", node)
            .hints.push_back("write a one-element list as [" +
                             (node.IsScalar() ? node.Scalar() : std::string("item")) + "]");
        return out;
    }
    for (const auto& item : node) {
        if (auto s = scalar(item, std::string("each entry of ") + std::string(what))) {
            out.push_back(std::move(*s));
        }
    }
    return out;
}

void Reader::check_keys(const YAML::Node& map,
                        std::span<const std::string_view> known,
                        std::string_view where) {
    std::vector<std::string_view> candidates(known.begin(), known.end());
    for (const auto& kv : map) {
        const std::string& key = kv.first.Scalar();
        if (std::find(known.begin(), known.end(), key) != known.end()) {
            continue;
        }
        auto& d = report(diag::unknown_key,
                         "unknown key '" + key + "' in " + std::string(where) + " is ignored",
                         kv.first,
                         key.size());
        auto guess = closest_match(key, candidates);
        if (!guess.empty()) {
            d.hints.push_back("did you mean '" + guess + "'?");
        }
    }
}

OverrideSpec Reader::read_override(const YAML::Node& node) {
    OverrideSpec spec;
    if (!node.IsMap()) {
        report(diag::wrong_type,
               "'override' must map keys to append or replace, e.g. {advice: replace}",
               node);
        return spec;
    }
    spec.loc = loc_of(node);
    for (const auto& kv : node) {
        auto key = scalar(kv.first, "an override key");
        if (!key) {
            continue;
        }
        const std::string action = kv.second.IsScalar() ? kv.second.Scalar() : std::string();
        if (action != "append" && action != "replace") {
            report(diag::bad_override,
                   "override action for '" + key->value + "' must be append or replace",
                   kv.second);
            continue;
        }
        spec.keys.emplace_back(
            std::move(*key), action == "append" ? OverrideAction::Append : OverrideAction::Replace);
    }
    return spec;
}

std::optional<std::vector<AdviceSpec>> Reader::read_advice(const YAML::Node& node) {
    if (!node.IsSequence()) {
        report(
            diag::wrong_type, "advice must be a list of '- check: ...' or '- change: ...'", node);
        return std::nullopt;
    }
    std::vector<AdviceSpec> steps;
    for (const auto& step : node) {
        if (!step.IsMap() || step.size() != 1) {
            report(diag::wrong_type,
                   "each advice step must be one 'check: TEXT' (read-only) or 'change: TEXT'",
                   step);
            continue;
        }
        auto kv = *step.begin();
        const std::string& kind = kv.first.Scalar();
        if (kind == "from") {
            if (!kv.second.IsScalar() || kv.second.Scalar() != "drop-reason") {
                report(diag::wrong_type,
                       "'from' takes 'drop-reason': the checks and remediation of the event's "
                       "drop reason",
                       kv.second);
                continue;
            }
            AdviceSpec spec;
            spec.from_drop_reason = true;
            if (auto text = scalar(kv.second, "'from'")) {
                spec.text = std::move(*text);
            }
            steps.push_back(std::move(spec));
            continue;
        }
        if (kind != "check" && kind != "change") {
            report(diag::wrong_type,
                   "advice step '" + kind + "' must be 'check' (read-only) or 'change'",
                   kv.first,
                   kind.size());
            continue;
        }
        if (auto text = scalar(kv.second, "advice text")) {
            steps.push_back(
                {kind == "check" ? AdviceKind::Check : AdviceKind::Change, std::move(*text)});
        }
    }
    return steps;
}

std::optional<std::vector<EscalationSpec>> Reader::read_escalate(const YAML::Node& node) {
    // One step ({rate_per_s: 10, level: ERROR}) or a list of them.
    std::vector<YAML::Node> items;
    if (node.IsMap()) {
        items.push_back(node);
    } else if (node.IsSequence()) {
        for (const auto& item : node) {
            items.push_back(item);
        }
    } else {
        report(diag::wrong_type,
               "'escalate' must be a step like {rate_per_s: 10, level: ERROR}, or a list of them",
               node);
        return std::nullopt;
    }
    std::vector<EscalationSpec> steps;
    for (const auto& item : items) {
        if (!item.IsMap()) {
            report(diag::wrong_type, "an escalation step must be a mapping", item);
            continue;
        }
        check_keys(item, escalate_keys, "an escalation step");
        EscalationSpec step;
        step.loc = loc_of(item);
        if (auto n = item["level"]) {
            if (auto s = scalar(n, "'level'")) {
                step.level = std::move(*s);
            }
        }
        if (auto n = item["rate_per_s"]) {
            step.rate_per_s = number(n, "'rate_per_s'");
        }
        if (auto n = item["after_s"]) {
            step.after_s = number(n, "'after_s'");
        }
        if (auto n = item["count"]) {
            std::uint64_t count = 0;
            if (n.IsScalar() && YAML::convert<std::uint64_t>::decode(n, count) && count > 0) {
                step.count = count;
            } else {
                report(diag::wrong_type, "'count' must be a whole number of at least 1", n);
            }
        }
        steps.push_back(std::move(step));
    }
    return steps;
}

void Reader::read_rule(const YAML::Node& node) {
    RuleSpec rule;
    rule.loc = loc_of(node);
    check_keys(node, rule_keys, "a rule");
    for (const auto& kv : node) {
        rule.keys_given.push_back(kv.first.Scalar());
    }
    auto text_key = [&](const char* key, ScalarText& out) {
        if (auto n = node[key]) {
            if (auto s = scalar(n, std::string("'") + key + "'")) {
                out = std::move(*s);
            }
        }
    };
    text_key("id", rule.id);
    text_key("category", rule.category);
    text_key("level", rule.level);
    text_key("message", rule.message);
    text_key("description", rule.description);
    if (auto n = node["condition"]) {
        if (auto s = scalar(n, "'condition'")) {
            rule.condition.push_back(std::move(*s));
        }
    }
    auto list_key = [&](const char* key, std::optional<std::vector<ScalarText>>& out) {
        if (auto n = node[key]) {
            out = string_list(n, std::string("'") + key + "'");
        }
    };
    list_key("events", rule.events);
    list_key("tags", rule.tags);
    list_key("key", rule.key);
    if (auto n = node["advice"]) {
        rule.advice = read_advice(n);
    }
    if (auto n = node["escalate"]) {
        rule.escalate = read_escalate(n);
    }
    auto flag = [&](const char* key, std::optional<bool>& out) {
        if (auto n = node[key]) {
            out = boolean(n, std::string("'") + key + "'");
        }
    };
    flag("suppress", rule.suppress);
    flag("fallback", rule.fallback);
    flag("enabled", rule.enabled);
    if (auto n = node["override"]) {
        rule.override = read_override(n);
    }
    file_.rules.push_back(std::move(rule));
}

void Reader::read_list(const YAML::Node& node) {
    ListSpec list;
    list.loc = loc_of(node);
    check_keys(node, list_keys, "a list");
    if (auto n = node["list"]) {
        if (auto s = scalar(n, "'list'")) {
            list.name = std::move(*s);
        }
    } else {
        diags_.add(diag::missing_key, "list has no 'list' (its name)", list.loc);
    }
    if (auto n = node["items"]) {
        list.items = string_list(n, "'items'");
    }
    if (auto n = node["override"]) {
        list.override = read_override(n);
    }
    file_.lists.push_back(std::move(list));
}

void Reader::read_macro(const YAML::Node& node) {
    MacroSpec macro;
    macro.loc = loc_of(node);
    check_keys(node, macro_keys, "a macro");
    if (auto n = node["macro"]) {
        if (auto s = scalar(n, "'macro'")) {
            macro.name = std::move(*s);
        }
    } else {
        diags_.add(diag::missing_key, "macro has no 'macro' (its name)", macro.loc);
    }
    if (auto n = node["condition"]) {
        if (auto s = scalar(n, "'condition'")) {
            macro.condition.push_back(std::move(*s));
        }
    }
    if (auto n = node["override"]) {
        macro.override = read_override(n);
    }
    file_.macros.push_back(std::move(macro));
}

void Reader::read_reason(const YAML::Node& node) {
    ReasonSpec reason;
    reason.loc = loc_of(node);
    check_keys(node, reason_keys, "a drop reason");
    for (const auto& kv : node) {
        reason.keys_given.push_back(kv.first.Scalar());
    }
    auto text_key = [&](const char* key, ScalarText& out) {
        if (auto n = node[key]) {
            if (auto s = scalar(n, std::string("'") + key + "'")) {
                out = std::move(*s);
            }
        }
    };
    auto list_key = [&](const YAML::Node& map, const char* key, std::vector<ScalarText>& out) {
        if (auto n = map[key]) {
            out = string_list(n, std::string("'") + key + "'");
        }
    };
    text_key("name", reason.name);
    text_key("subsystem", reason.subsystem);
    text_key("since", reason.since);
    text_key("removed_in", reason.removed_in);
    text_key("summary", reason.summary);
    text_key("explanation", reason.explanation);
    text_key("level", reason.level);
    list_key(node, "formerly", reason.formerly);
    list_key(node, "causes", reason.causes);
    list_key(node, "checks", reason.checks);
    list_key(node, "remediation", reason.remediation);
    if (auto benign = node["benign"]) {
        if (!benign.IsMap()) {
            report(diag::wrong_type,
                   "'benign' must be a mapping: {when: TEXT, locations: [function, ...]}",
                   benign);
        } else {
            check_keys(benign, benign_keys, "'benign'");
            if (auto n = benign["when"]) {
                if (auto s = scalar(n, "'when'")) {
                    reason.benign_when = std::move(*s);
                }
            } else {
                report(diag::missing_key,
                       "'benign' has no 'when' (the normal case, in words)",
                       benign);
            }
            list_key(benign, "locations", reason.benign_locations);
        }
    }
    file_.reasons.push_back(std::move(reason));
}

template <class Fn>
void Reader::for_each_entry(const YAML::Node& root, const char* key, Fn read_entry) {
    auto entries = root[key];
    if (!entries) {
        return;
    }
    if (!entries.IsSequence()) {
        report(diag::wrong_type, std::string("'") + key + "' must be a list", entries);
        return;
    }
    for (const auto& entry : entries) {
        if (!entry.IsMap()) {
            report(diag::wrong_type,
                   std::string("each entry of '") + key + "' must be a mapping",
                   entry);
            continue;
        }
        (this->*read_entry)(entry);
    }
}

void Reader::read_document(const YAML::Node& root) {
    if (root.IsNull()) {
        return; // an empty file defines nothing
    }
    if (!root.IsMap()) {
        report(diag::wrong_type, "a rule file must be a mapping with a 'rules' list", root);
        return;
    }
    check_keys(root, top_level_keys, "the file");
    if (auto version = root["required_version"]) {
        int v = 0;
        if (!version.IsScalar() || !YAML::convert<int>::decode(version, v)) {
            report(diag::wrong_type, "'required_version' must be a whole number", version);
        } else if (v > rule_format_version) {
            report(diag::unsupported_version,
                   "this file needs rule format " + std::to_string(v) + "; this netdx reads " +
                       std::to_string(rule_format_version),
                   version)
                .hints.push_back("upgrade netdx, or remove the file from the rule paths");
        }
    }
    for_each_entry(root, "lists", &Reader::read_list);
    for_each_entry(root, "macros", &Reader::read_macro);
    for_each_entry(root, "rules", &Reader::read_rule);
    for_each_entry(root, "reasons", &Reader::read_reason);
}

} // namespace

FileSpec read_rule_text(std::string path, std::string text, Diagnostics& diags) {
    FileSpec file;
    file.path = std::move(path);
    file.text = std::make_shared<const std::string>(std::move(text));
    if (file.text->size() > max_file_bytes) {
        diags.add(diag::too_complex,
                  "rule file is " + std::to_string(file.text->size()) + " bytes; the limit is " +
                      std::to_string(max_file_bytes),
                  SourceLoc{file.path, 0, 0});
        return file;
    }
    if (std::size_t depth = nesting_depth(*file.text); depth > max_nesting) {
        diags.add(diag::too_complex,
                  "rule file nests " + std::to_string(depth) + " levels deep; the limit is " +
                      std::to_string(max_nesting),
                  SourceLoc{file.path, 0, 0});
        return file;
    }
    YAML::Node root;
    try {
        root = YAML::Load(*file.text);
    } catch (const YAML::Exception& e) {
        SourceLoc loc{file.path, 0, 0};
        if (!e.mark.is_null()) {
            loc.line = static_cast<std::size_t>(e.mark.line) + 1;
            loc.col = static_cast<std::size_t>(e.mark.column) + 1;
        }
        // Errors found at the end of the file ("end of sequence flow not found") are fixed at
        // the end of the last line that has text: point there rather than at an empty line.
        while (loc.line > 1 && line_of(*file.text, loc.line).empty()) {
            --loc.line;
            loc.col = line_of(*file.text, loc.line).size() + 1;
        }
        Diagnostic& d = diags.add(diag::yaml_syntax, e.msg, loc);
        if (loc.line > 0) {
            d.snippet.text = std::string(line_of(*file.text, loc.line));
            d.snippet.column = loc.col;
        }
        return file;
    }
    try {
        Reader(file, diags).read_document(root);
    } catch (const YAML::Exception& e) {
        // Defensive: reading only inspects nodes, but yaml-cpp may still throw on odd input.
        diags.add(diag::yaml_syntax, e.msg, SourceLoc{file.path, 0, 0});
    }
    return file;
}

} // namespace netdx::engine::loader
