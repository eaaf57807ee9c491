// SPDX-License-Identifier: GPL-2.0
// Message and advice templates: text with {field} placeholders, resolved against the field
// catalog when rules load (so a typo is a load error, not an empty string at 3 a.m.).
//   {event.dport}            the field's value
//   {event.nf_hook|unknown}  the value, or "unknown" when the event has none
//   {fact.x|{event.y} text}  a fallback may hold fields itself
//   {{ and }}                literal braces
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "condition/field.h"
#include "diagnostic.h"

namespace netdx::engine {

// A problem inside a piece of text (a template or a condition), at a 0-based byte offset.
struct TextProblem {
    const DiagCode* code = nullptr;
    std::string message;
    std::size_t offset = 0;
    std::size_t length = 1;
    std::vector<std::string> hints;
};

class Template {
public:
    static std::optional<Template> compile(std::string_view text,
                                           const condition::FieldCatalog& fields,
                                           std::vector<TextProblem>& problems);

    std::string render(const condition::FieldReader& reader) const;
    const std::string& source() const { return source_; }
    // Ids of the fields the template reads, in order of appearance.
    std::vector<std::uint32_t> fields_used() const;

private:
    struct Piece {
        std::string text; // literal text, or the fallback of a field
        bool is_field = false;
        std::uint32_t field_id = 0;
        std::shared_ptr<const Template> fallback; // when the fallback holds fields
    };
    std::string source_;
    std::vector<Piece> pieces_;
};

} // namespace netdx::engine
