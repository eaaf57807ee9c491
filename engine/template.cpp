// SPDX-License-Identifier: GPL-2.0
#include "template.h"

namespace netdx::engine {

std::optional<Template> Template::compile(std::string_view text,
                                          const condition::FieldCatalog& fields,
                                          std::vector<TextProblem>& problems) {
    Template t;
    t.source_ = std::string(text);
    std::string literal;
    bool ok = true;
    auto flush = [&] {
        if (!literal.empty()) {
            t.pieces_.push_back(Piece{std::move(literal), false, 0});
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
        auto close = text.find('}', i + 1);
        if (close == std::string_view::npos) {
            problems.push_back({&diag::bad_template,
                                "'{' is never closed",
                                i,
                                1,
                                {"close the field with '}', or write '{{' for a literal brace"}});
            ok = false;
            break;
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
            t.pieces_.push_back(Piece{std::move(fallback), true, def->id});
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
        out += text.empty() ? piece.text : text;
    }
    return out;
}

std::vector<std::uint32_t> Template::fields_used() const {
    std::vector<std::uint32_t> ids;
    for (const auto& piece : pieces_) {
        if (piece.is_field) {
            ids.push_back(piece.field_id);
        }
    }
    return ids;
}

} // namespace netdx::engine
