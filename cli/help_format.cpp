// SPDX-License-Identifier: GPL-2.0
#include "help_format.h"

#include <algorithm>
#include <sstream>
#include <utility>

namespace netdx::cli {
namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\n';
}

std::vector<std::string> split(std::string_view text, char sep) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        std::size_t end = text.find(sep, start);
        parts.emplace_back(text.substr(start, end - start));
        if (end == std::string_view::npos) {
            return parts;
        }
        start = end + 1;
    }
}

// "auto|always|never": lower-case words joined by '|' (a metavariable is upper case: ID|REASON).
bool is_choice_list(std::string_view text) {
    if (text.find('|') == std::string_view::npos || text.front() == '|' || text.back() == '|') {
        return false;
    }
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '|';
    });
}

} // namespace

std::vector<std::string> paragraphs(std::string_view text) {
    std::vector<std::string> out;
    std::string current;
    bool blank_line = false;
    for (const std::string& line : split(text, '\n')) {
        bool empty = std::all_of(line.begin(), line.end(), is_blank);
        if (empty) {
            blank_line = true;
            continue;
        }
        if (blank_line && !current.empty()) {
            out.push_back(current);
            current.clear();
        }
        blank_line = false;
        for (const std::string& word : fill(line, std::string::npos)) {
            current += (current.empty() ? "" : " ") + word;
        }
    }
    if (!current.empty()) {
        out.push_back(current);
    }
    return out;
}

std::vector<std::string> fill(std::string_view text, std::size_t width) {
    std::vector<std::string> lines;
    std::string line;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && is_blank(text[i])) {
            ++i;
        }
        std::size_t start = i;
        while (i < text.size() && !is_blank(text[i])) {
            ++i;
        }
        if (start == i) {
            break;
        }
        std::string_view word = text.substr(start, i - start);
        if (!line.empty() && line.size() + 1 + word.size() > width) {
            lines.push_back(line);
            line.clear();
        }
        line += (line.empty() ? "" : " ") + std::string(word);
    }
    if (!line.empty()) {
        lines.push_back(line);
    }
    return lines;
}

std::string summary(const CLI::App& app) {
    auto paras = paragraphs(app.get_description());
    return paras.empty() ? std::string() : paras.front();
}

std::string command_path(const CLI::App& app) {
    std::string path = app.get_name();
    for (const CLI::App* up = app.get_parent(); up != nullptr; up = up->get_parent()) {
        path = up->get_name() + " " + path;
    }
    return path;
}

std::vector<const CLI::Option*> visible_options(const CLI::App& app) {
    const CLI::Option* help = app.get_parent() != nullptr ? app.get_help_ptr() : nullptr;
    return app.get_options(
        [help](const CLI::Option* opt) { return !opt->get_group().empty() && opt != help; });
}

std::vector<const CLI::App*> subcommands(const CLI::App& app) {
    return app.get_subcommands(
        [](const CLI::App* sub) { return !sub->get_name().empty() && !sub->get_disabled(); });
}

bool takes_value(const CLI::Option& option) {
    return option.get_items_expected_max() != 0;
}

std::string value_name(const CLI::Option& option) {
    if (!takes_value(option)) {
        return "";
    }
    std::string type = option.get_type_name();
    return type.substr(0, type.find(':'));
}

std::vector<std::string> value_choices(const CLI::Option& option) {
    if (!takes_value(option)) {
        return {};
    }
    // The type name, then ":" and each check's description; CLI::IsMember describes itself as
    // "{a,b,c}".
    std::vector<std::string> segments = split(option.get_type_name(), ':');
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const std::string& s = segments[i];
        if (s.size() > 2 && s.front() == '{' && s.back() == '}') {
            return split(std::string_view(s).substr(1, s.size() - 2), ',');
        }
        if (i == 0 && !s.empty() && is_choice_list(s)) {
            return split(s, '|');
        }
    }
    return {};
}

std::string HelpFormatter::two_columns(const std::string& left, std::string_view text) const {
    std::ostringstream out;
    std::string name = "  " + left;
    std::size_t column = get_column_width();
    std::size_t width = help_width > column + 20 ? help_width - column : 20;
    out << name;
    std::size_t at = name.size();
    for (const std::string& para : paragraphs(text)) {
        for (const std::string& line : fill(para, width)) {
            if (at + 2 > column) { // at least two blanks between the columns
                out << "\n";
                at = 0;
            }
            out << std::string(column - at, ' ') << line;
            at = column + line.size();
        }
    }
    out << "\n";
    return out.str();
}

std::string HelpFormatter::make_option(const CLI::Option* opt, bool is_positional) const {
    return two_columns(make_option_name(opt, is_positional) + make_option_opts(opt),
                       make_option_desc(opt));
}

std::string HelpFormatter::make_subcommand(const CLI::App* sub) const {
    return two_columns(sub->get_display_name(true), summary(*sub));
}

std::string HelpFormatter::make_description(const CLI::App* app) const {
    std::string out;
    for (const std::string& para : paragraphs(app->get_description())) {
        out += out.empty() ? "" : "\n";
        for (const std::string& line : fill(para, help_width)) {
            out += line + "\n";
        }
    }
    return out.empty() ? out : out + "\n";
}

// As CLI11's, but with one blank line between option groups, not two.
std::string HelpFormatter::option_groups(const CLI::App* app, CLI::AppFormatMode mode) const {
    std::string out;
    for (const std::string& group : app->get_groups()) {
        std::vector<const CLI::Option*> opts =
            app->get_options([app, mode, &group](const CLI::Option* opt) {
                return opt->get_group() == group && opt->nonpositional() &&
                       (mode != CLI::AppFormatMode::Sub ||
                        (app->get_help_ptr() != opt && app->get_help_all_ptr() != opt));
            });
        if (!group.empty() && !opts.empty()) {
            out += make_group(group, false, opts);
        }
    }
    return out;
}

std::string
HelpFormatter::make_help(const CLI::App* app, std::string name, CLI::AppFormatMode mode) const {
    if (mode == CLI::AppFormatMode::Sub) {
        return make_expanded(app);
    }
    return make_description(app) + make_usage(app, std::move(name)) + make_positionals(app) +
           option_groups(app, mode) + make_subcommands(app, mode) + "\n" + make_footer(app);
}

// Without the "{false}" CLI11 shows after a negated flag (!--no-rule-text).
std::string HelpFormatter::make_option_name(const CLI::Option* opt, bool is_positional) const {
    std::string name = Formatter::make_option_name(opt, is_positional);
    for (std::size_t open = name.find('{'); open != std::string::npos; open = name.find('{')) {
        std::size_t close = name.find('}', open);
        if (close == std::string::npos) {
            break;
        }
        name.erase(open, close - open + 1);
    }
    return name;
}

std::string HelpFormatter::make_usage(const CLI::App* app, std::string name) const {
    std::string usage = Formatter::make_usage(app, std::move(name));
    for (std::string_view label : {" [SUBCOMMAND]", " SUBCOMMAND"}) {
        if (std::size_t at = usage.rfind(label); at != std::string::npos) {
            usage.replace(at, label.size(), " COMMAND");
            break;
        }
    }
    return usage;
}

std::string HelpFormatter::make_option_usage(const CLI::Option* opt) const {
    std::string usage = value_name(*opt);
    if (usage.empty()) {
        usage = opt->get_name(true, false);
    }
    if (opt->get_expected_max() > 1) {
        usage += "...";
    }
    return opt->get_required() ? usage : "[" + usage + "]";
}

} // namespace netdx::cli
