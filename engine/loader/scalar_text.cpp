// SPDX-License-Identifier: GPL-2.0
#include "scalar_text.h"

#include <algorithm>

namespace netdx::engine::loader {
namespace {

// The file as lines, without line terminators.
std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto nl = text.find('\n', start);
        auto end = nl == std::string_view::npos ? text.size() : nl;
        auto l = text.substr(start, end - start);
        if (!l.empty() && l.back() == '\r') {
            l.remove_suffix(1);
        }
        lines.push_back(l);
        if (nl == std::string_view::npos) {
            break;
        }
        start = nl + 1;
    }
    return lines;
}

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

} // namespace

std::vector<std::pair<std::size_t, std::size_t>>
map_scalar(std::string_view file_text, std::size_t line, std::size_t col, std::string_view value) {
    std::vector<std::pair<std::size_t, std::size_t>> positions;
    auto lines = split_lines(file_text);
    if (line == 0 || line > lines.size() || col == 0 || col > lines[line - 1].size() + 1) {
        return positions;
    }
    std::size_t li = line - 1; // 0-based cursor
    std::size_t ci = col - 1;
    char first = ci < lines[li].size() ? lines[li][ci] : '\0';
    bool block = first == '|' || first == '>';
    // Block scalars strip exactly their own indentation (deeper lines keep the extra spaces);
    // plain and quoted scalars strip every leading blank of a continuation line.
    std::size_t block_indent = 0;
    if (block) {
        ++li;
        while (li < lines.size() && block_indent < lines[li].size() &&
               lines[li][block_indent] == ' ') {
            ++block_indent;
        }
        ci = block_indent;
    } else if (first == '"' || first == '\'') {
        ++ci;
    }
    positions.reserve(value.size());
    for (char c : value) {
        if (li >= lines.size()) {
            return {};
        }
        std::string_view cur = lines[li];
        if (ci < cur.size() && cur[ci] == c) {
            positions.emplace_back(li + 1, ci + 1);
            ++ci;
            continue;
        }
        // A line break in the source: the value holds a newline (literal) or a space (folded).
        bool rest_blank =
            std::all_of(cur.begin() + static_cast<std::ptrdiff_t>(std::min(ci, cur.size())),
                        cur.end(),
                        is_blank);
        if ((c == ' ' || c == '\n') && rest_blank) {
            positions.emplace_back(li + 1, std::min(ci, cur.size()) + 1);
            ++li;
            ci = 0;
            if (block) {
                ci = li < lines.size() ? std::min(block_indent, lines[li].size()) : 0;
            } else {
                while (li < lines.size() && ci < lines[li].size() && is_blank(lines[li][ci])) {
                    ++ci;
                }
            }
            continue;
        }
        return {};
    }
    return positions;
}

void locate(Diagnostic& d, const ScalarText& scalar, std::size_t offset, std::size_t length) {
    d.loc = scalar.loc;
    std::string_view file_text = scalar.source ? std::string_view(*scalar.source) : "";
    if (!scalar.positions.empty()) {
        auto [line, col] = scalar.positions[std::min(offset, scalar.positions.size() - 1)];
        if (offset >= scalar.positions.size()) {
            ++col; // just past the end of the value, e.g. "unexpected end of condition"
        }
        d.loc.line = line;
        d.loc.col = col;
        d.snippet.text = std::string(line_of(file_text, line));
        d.snippet.column = col;
        d.snippet.length = std::max<std::size_t>(
            1,
            std::min(length, d.snippet.text.size() >= col ? d.snippet.text.size() - col + 1 : 1));
        return;
    }
    // Unmapped (escapes or unusual folding): show the value itself, with the offset.
    std::string flat = scalar.value;
    std::replace(flat.begin(), flat.end(), '\n', ' ');
    while (!flat.empty() && flat.back() == ' ') {
        flat.pop_back();
    }
    d.snippet.text = flat;
    d.snippet.column = std::min(offset, flat.size()) + 1;
    d.snippet.length = std::max<std::size_t>(1, length);
    d.context.push_back("at offset " + std::to_string(offset) + " of the text starting at line " +
                        std::to_string(scalar.loc.line));
}

Diagnostic&
add_text_problem(Diagnostics& diags, const ScalarText& scalar, const TextProblem& problem) {
    Diagnostic& d = diags.add(*problem.code, problem.message);
    locate(d, scalar, problem.offset, problem.length);
    d.hints = problem.hints;
    return d;
}

ComposedText::ComposedText(const std::vector<ScalarText>& parts) {
    if (parts.size() == 1) {
        text_ = parts.front().value;
        parts_.emplace_back(0, &parts.front());
        return;
    }
    for (const auto& part : parts) {
        text_ += text_.empty() ? "(" : ") and (";
        parts_.emplace_back(text_.size(), &part);
        text_ += part.value;
    }
    if (!parts.empty()) {
        text_ += ")";
    }
}

std::pair<const ScalarText*, std::size_t> ComposedText::locate(std::size_t offset) const {
    if (parts_.empty()) {
        return {nullptr, 0};
    }
    auto part = parts_.front();
    for (const auto& p : parts_) {
        if (p.first <= offset) {
            part = p;
        }
    }
    std::size_t inside = offset - part.first;
    return {part.second, std::min(inside, part.second->value.size())};
}

} // namespace netdx::engine::loader
