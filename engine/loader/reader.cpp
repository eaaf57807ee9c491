// SPDX-License-Identifier: GPL-2.0
#include "reader.h"

#include <array>
#include <string_view>

#include <yaml-cpp/yaml.h>

namespace netdx::engine::loader {
namespace {

constexpr std::array<std::string_view, 4> top_level_keys = {
    "rules", "lists", "macros", "required_version"};
constexpr std::array<std::string_view, 13> rule_keys = {"id",
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
                                                        "enabled"};

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
    std::vector<ScalarText> string_list(const YAML::Node& node, std::string_view what);
    void check_keys(const YAML::Node& map,
                    std::span<const std::string_view> known,
                    std::string_view where);
    void read_rule(const YAML::Node& node);
    void read_advice(const YAML::Node& node, RuleSpec& rule);

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

void Reader::read_advice(const YAML::Node& node, RuleSpec& rule) {
    if (!node.IsSequence()) {
        report(
            diag::wrong_type, "advice must be a list of '- check: ...' or '- change: ...'", node);
        return;
    }
    for (const auto& step : node) {
        if (!step.IsMap() || step.size() != 1) {
            report(diag::wrong_type,
                   "each advice step must be one 'check: TEXT' (read-only) or 'change: TEXT'",
                   step);
            continue;
        }
        auto kv = *step.begin();
        const std::string& kind = kv.first.Scalar();
        if (kind != "check" && kind != "change") {
            report(diag::wrong_type,
                   "advice step '" + kind + "' must be 'check' (read-only) or 'change'",
                   kv.first,
                   kind.size());
            continue;
        }
        if (auto text = scalar(kv.second, "advice text")) {
            rule.advice.push_back(
                {kind == "check" ? AdviceKind::Check : AdviceKind::Change, std::move(*text)});
        }
    }
}

void Reader::read_rule(const YAML::Node& node) {
    if (!node.IsMap()) {
        report(diag::wrong_type,
               "each entry of 'rules' must be a mapping with id, category, ...",
               node);
        return;
    }
    RuleSpec rule;
    rule.loc = loc_of(node);
    check_keys(node, rule_keys, "a rule");
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
    text_key("condition", rule.condition);
    text_key("message", rule.message);
    text_key("description", rule.description);
    if (auto n = node["events"]) {
        rule.events = string_list(n, "'events'");
    }
    if (auto n = node["tags"]) {
        rule.tags = string_list(n, "'tags'");
    }
    if (auto n = node["key"]) {
        rule.key = string_list(n, "'key'");
    }
    if (auto n = node["advice"]) {
        read_advice(n, rule);
    }
    auto flag = [&](const char* key, bool& out) {
        if (auto n = node[key]) {
            if (auto b = boolean(n, std::string("'") + key + "'")) {
                out = *b;
            }
        }
    };
    flag("suppress", rule.suppress);
    flag("fallback", rule.fallback);
    flag("enabled", rule.enabled);
    file_.rules.push_back(std::move(rule));
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
    for (const char* unsupported : {"lists", "macros"}) {
        if (auto n = root[unsupported]) {
            report(diag::wrong_type,
                   std::string("'") + unsupported + "' are not supported by this version yet",
                   n);
        }
    }
    if (auto rules = root["rules"]) {
        if (!rules.IsSequence()) {
            report(diag::wrong_type, "'rules' must be a list of rules", rules);
            return;
        }
        for (const auto& r : rules) {
            read_rule(r);
        }
    }
}

} // namespace

FileSpec read_rule_text(std::string path, std::string text, Diagnostics& diags) {
    FileSpec file;
    file.path = std::move(path);
    file.text = std::make_shared<const std::string>(std::move(text));
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
