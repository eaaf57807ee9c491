// SPDX-License-Identifier: GPL-2.0
#include "template.h"

#include <algorithm>

namespace netdx::engine {

namespace {
constexpr std::size_t max_nesting = 4;
} // namespace

std::optional<Template> Template::compile(std::string_view text,
                                          const condition::FieldCatalog& fields,
                                          std::vector<TextProblem>& problems) {
    Template t;
    t.source_ = std::string(text);
    std::string literal;
    bool ok = true;
    auto flush = [&] {
        if (!literal.empty()) {
            t.pieces_.push_back(Piece{std::move(literal), false, 0, nullptr});
            literal.clear();
        }
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '}') {
            if (i + 1 < text.size() && text[i + 1] == '}') {
                literal += '}';
                ++i;
                continue;
            }
            problems.push_back({&diag::bad_template,
                                "'}' without a matching '{'",
                                i,
                                1,
                                {"write '}}' for a literal brace"}});
            ok = false;
            continue;
        }
        if (c != '{') {
            literal += c;
            continue;
        }
        if (i + 1 < text.size() && text[i + 1] == '{') {
            literal += '{';
            ++i;
            continue;
        }
        // The matching '}': a fallback may itself hold fields ({a|{b} text}).
        std::size_t close = std::string_view::npos;
        std::size_t deepest = 1;
        for (std::size_t j = i + 1, depth = 1; j < text.size(); ++j) {
            if (text[j] == '{') {
                deepest = std::max(deepest, ++depth);
            } else if (text[j] == '}' && --depth == 0) {
                close = j;
                break;
            }
        }
        if (close == std::string_view::npos) {
            problems.push_back({&diag::bad_template,
                                "'{' is never closed",
                                i,
                                1,
                                {"close the field with '}', or write '{{' for a literal brace"}});
            ok = false;
            break;
        }
        if (deepest > max_nesting) {
            problems.push_back(
                {&diag::bad_template,
                 "fields nested more than " + std::to_string(max_nesting) + " deep in fallbacks",
                 i,
                 close - i + 1,
                 {}});
            ok = false;
            i = close;
            continue;
        }
        std::string_view inner = text.substr(i + 1, close - i - 1);
        auto bar = inner.find('|');
        std::string_view name = inner.substr(0, bar);
        std::string fallback =
            bar == std::string_view::npos ? std::string() : std::string(inner.substr(bar + 1));
        if (name.empty()) {
            problems.push_back({&diag::bad_template,
                                "empty field name in '{}'",
                                i,
                                close - i + 1,
                                {"write a field such as {event.flow}, or '{{}}' for braces"}});
            ok = false;
        } else if (const auto* def = fields.find(name)) {
            flush();
            Piece piece{std::move(fallback), true, def->id, nullptr};
            if (piece.text.find('{') != std::string::npos) {
                std::vector<TextProblem> inner_problems;
                auto nested = compile(piece.text, fields, inner_problems);
                const std::size_t base = i + 1 + bar + 1;
                for (auto& p : inner_problems) {
                    p.offset += base;
                    problems.push_back(std::move(p));
                }
                if (!nested) {
                    ok = false;
                } else {
                    piece.fallback = std::make_shared<const Template>(std::move(*nested));
                }
            }
            t.pieces_.push_back(std::move(piece));
        } else {
            TextProblem p{&diag::unknown_field,
                          "unknown field '" + std::string(name) + "' in template",
                          i + 1,
                          name.size(),
                          {}};
            auto guess = closest_match(name, fields.names());
            if (!guess.empty()) {
                p.hints.push_back("did you mean '" + guess + "'?");
            }
            problems.push_back(std::move(p));
            ok = false;
        }
        i = close;
    }
    flush();
    if (!ok) {
        return std::nullopt;
    }
    return t;
}

std::string Template::render(const condition::FieldReader& reader) const {
    std::string out;
    out.reserve(source_.size() + 32);
    for (const auto& piece : pieces_) {
        if (!piece.is_field) {
            out += piece.text;
            continue;
        }
        auto value = reader.read(piece.field_id);
        std::string text = value.present ? condition::format(value) : std::string();
        if (!text.empty()) {
            out += text;
        } else {
            out += piece.fallback ? piece.fallback->render(reader) : piece.text;
        }
    }
    return out;
}

std::vector<std::uint32_t> Template::fields_used() const {
    std::vector<std::uint32_t> ids;
    for (const auto& piece : pieces_) {
        if (piece.is_field) {
            ids.push_back(piece.field_id);
        }
        if (piece.fallback) {
            const auto inner = piece.fallback->fields_used();
            ids.insert(ids.end(), inner.begin(), inner.end());
        }
    }
    return ids;
}

} // namespace netdx::engine
