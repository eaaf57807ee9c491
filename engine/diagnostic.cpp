// SPDX-License-Identifier: GPL-2.0
#include "diagnostic.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace netdx::engine {

Diagnostic& Diagnostics::add(const DiagCode& code, std::string message, SourceLoc loc) {
    Diagnostic& d = items_.emplace_back();
    d.code = &code;
    d.message = std::move(message);
    d.loc = std::move(loc);
    return d;
}

void Diagnostics::append(const Diagnostics& other) {
    items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

std::size_t Diagnostics::error_count() const {
    return static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(), [](const auto& d) {
        return d.severity() == Severity::Error;
    }));
}

std::size_t Diagnostics::warning_count() const {
    return items_.size() - error_count();
}

namespace {
const char* severity_word(Severity s) {
    return s == Severity::Error ? "error" : "warning";
}
} // namespace

void render_text(std::ostream& out, const Diagnostic& d) {
    if (!d.loc.file.empty()) {
        out << d.loc.file;
        if (d.loc.line > 0) {
            out << ':' << d.loc.line << ':' << d.loc.col;
        }
        out << ": ";
    }
    out << severity_word(d.severity()) << '[' << d.code->id << "]: " << d.message << '\n';
    for (const auto& c : d.context) {
        out << "  in " << c << '\n';
    }
    if (!d.snippet.text.empty()) {
        out << "  | " << d.snippet.text << '\n';
        if (d.snippet.column > 0) {
            // Tabs stay tabs so the caret lines up with the source line in a terminal.
            std::string pad;
            for (std::size_t i = 0; i + 1 < d.snippet.column && i < d.snippet.text.size(); ++i) {
                pad += d.snippet.text[i] == '\t' ? '\t' : ' ';
            }
            out << "  | " << pad << '^'
                << std::string(std::max<std::size_t>(d.snippet.length, 1) - 1, '~') << '\n';
        }
    }
    for (const auto& h : d.hints) {
        out << "  hint: " << h << '\n';
    }
}

void render_text(std::ostream& out, const Diagnostics& ds) {
    for (const auto& d : ds.items()) {
        render_text(out, d);
    }
}

nlohmann::json to_json(const Diagnostic& d) {
    nlohmann::json j;
    j["code"] = d.code->id;
    j["name"] = d.code->name;
    j["severity"] = severity_word(d.severity());
    j["message"] = d.message;
    j["loc"] = {{"file", d.loc.file}, {"line", d.loc.line}, {"col", d.loc.col}};
    j["context"] = d.context;
    j["snippet"] = d.snippet.text;
    j["hints"] = d.hints;
    return j;
}

std::string_view line_of(std::string_view text, std::size_t line) {
    std::size_t start = 0;
    for (std::size_t n = 1; n < line; ++n) {
        auto nl = text.find('\n', start);
        if (nl == std::string_view::npos) {
            return {};
        }
        start = nl + 1;
    }
    if (line == 0 || start > text.size()) {
        return {};
    }
    auto end = text.find('\n', start);
    auto l = text.substr(start, end == std::string_view::npos ? text.size() - start : end - start);
    if (!l.empty() && l.back() == '\r') {
        l.remove_suffix(1);
    }
    return l;
}

namespace {
// Optimal string alignment distance: Levenshtein plus adjacent transpositions, so that the
// common typo "dprot" is one edit away from "dport".
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) {
        d[i][0] = i;
    }
    for (std::size_t j = 0; j <= b.size(); ++j) {
        d[0][j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.size()][b.size()];
}
} // namespace

std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates) {
    std::string_view best;
    std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (auto c : candidates) {
        auto d = edit_distance(word, c);
        if (d < best_distance) {
            best_distance = d;
            best = c;
        }
    }
    return std::string(best);
}

} // namespace netdx::engine
