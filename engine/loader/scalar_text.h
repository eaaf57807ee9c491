// SPDX-License-Identifier: GPL-2.0
// A YAML scalar together with where each of its characters sits in the file, so that a problem
// found at offset N inside a condition or template is reported at its exact file:line:col.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../diagnostic.h"
#include "../template.h"

namespace netdx::engine::loader {

struct ScalarText {
    std::string value;
    SourceLoc loc; // the scalar's start (for quoted or block scalars: the quote or indicator)
    std::shared_ptr<const std::string> source; // the whole file, for snippets
    // positions[i] = 1-based (line, col) of value[i]; empty when the mapping could not be
    // verified (escapes, unusual folding): problems then show the value with an offset.
    std::vector<std::pair<std::size_t, std::size_t>> positions;

    bool present() const { return loc.line > 0; }
};

// Rebuilds the position of every character of `value`, which yaml-cpp parsed from the scalar
// starting at 1-based (line, col) of `file_text`. Plain, quoted and block (| and >) scalars are
// walked in the source and checked character by character against the parsed value.
std::vector<std::pair<std::size_t, std::size_t>>
map_scalar(std::string_view file_text, std::size_t line, std::size_t col, std::string_view value);

// Points `d` at the problem: its location, and a snippet with a caret and underline.
void locate(Diagnostic& d, const ScalarText& scalar, std::size_t offset, std::size_t length);

// A diagnostic for a problem found inside a scalar (condition or template).
Diagnostic&
add_text_problem(Diagnostics& diags, const ScalarText& scalar, const TextProblem& problem);

// Several condition texts joined with `and`, as an override that appends to a condition makes
// them: "(first) and (second)". Offsets into the joined text map back to the part and the
// position in it, so problems are still reported in the file that wrote them.
class ComposedText {
public:
    explicit ComposedText(const std::vector<ScalarText>& parts);

    const std::string& text() const { return text_; }
    // The part holding `offset` (the nearest one for offsets in the glue) and the offset in it.
    std::pair<const ScalarText*, std::size_t> locate(std::size_t offset) const;

private:
    std::string text_;
    std::vector<std::pair<std::size_t, const ScalarText*>> parts_; // start in text_, part
};

} // namespace netdx::engine::loader
