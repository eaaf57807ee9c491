// SPDX-License-Identifier: GPL-2.0
// The rule condition language (grammar: parser.h). A condition is compiled once, when rules load:
// fields, named lists and macros are resolved, types are checked, regular expressions and lookup
// sets are built. Evaluating it per event then walks a prebuilt tree and never allocates.
//
// Absent values: a field whose value is absent (Value::present == false) makes every comparison,
// `in`, `contains`, `startswith` and `=~` that reads it false, `!=` included. `exists` is true
// only for present values, a bool field used as a condition is false when absent, and `not`
// simply negates: `not event.dport == 80` is true for an event without ports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../diagnostic.h"
#include "field.h"

namespace netdx::engine::condition {

// A problem found while compiling, positioned inside a condition text.
struct Problem {
    const DiagCode* code = nullptr;
    std::string message;
    std::size_t offset = 0; // 0-based byte offset; the text's size for "unexpected end"
    std::size_t length = 0; // bytes to underline; 0 at the end of the text
    std::vector<std::string> hints;
    // Empty: offset and length point into the text given to compile(). Otherwise the problem
    // lies inside the text of this macro (which the condition uses, directly or not), and
    // offset and length point into that macro's text. A loader that checks every macro on its
    // own can skip these to avoid reporting the same problem once per use.
    std::string macro;
};

// Names besides fields that a condition may use: named lists and macros. Names are words made
// of letters, digits, '_' and '-' (kebab-case ids work), starting with a letter or '_'.
class Scope {
public:
    virtual ~Scope() = default;

    // The items of a named list as the rule file wrote them: plain text, no quotes needed
    // (YAML scalars). The field on the left of `in` gives them their type: `event.dport in
    // ports` reads every item as an integer, `event.saddr in nets` as an address or CIDR
    // prefix, and a string field takes them as they are. nullopt: no list has this name.
    virtual std::optional<std::span<const std::string>> list(std::string_view name) const = 0;
    // The condition text of a macro, compiled in this same scope where the macro is used
    // (macros may use other macros; cycles are errors). nullopt: no macro has this name.
    virtual std::optional<std::string_view> macro(std::string_view name) const = 0;
    // Every list name and every macro name, for "did you mean" hints.
    virtual std::vector<std::string_view> list_names() const = 0;
    virtual std::vector<std::string_view> macro_names() const = 0;
};

namespace detail {
struct Program;
} // namespace detail

// A compiled condition. Copies share the same immutable program, so copying is cheap and a
// Condition may be evaluated from several threads at once.
class Condition {
public:
    // A condition that matches nothing (as if compiled from "false").
    Condition() = default;

    // Compiles `text`, appending every problem found to `problems`: type errors, unknown names
    // and bad literals are all reported; parsing stops at the first syntax error. `scope` may
    // be null when no lists or macros exist. Returns nullopt when any problem was found.
    static std::optional<Condition> compile(std::string_view text,
                                            const FieldCatalog& fields,
                                            const Scope* scope,
                                            std::vector<Problem>& problems);

    // Whether the event `reader` reads from matches. Never allocates.
    bool matches(const FieldReader& reader) const;
    // The canonical text: single spaces around operators, strings double-quoted, parentheses
    // only where needed, macro and list names kept. Compiling it gives the same canonical text.
    std::string canonical() const;
    // Ids of the fields the condition reads, macros included, sorted and without duplicates.
    const std::vector<std::uint32_t>& fields_used() const;
    // Why the condition can never be true, when a simple analysis can tell (a field equal to
    // two constants, `x and not x`, an empty list, `false`); nullopt otherwise.
    std::optional<std::string> never_true_reason() const;
    // The values the string field `field_id` must equal for the condition to be true, when the
    // condition says so plainly (`f == "A"`, `f in [...]`, in a top-level `and`, or in every
    // branch of an `or`); nullopt when it can be anything. Lets the engine skip rules by value.
    std::optional<std::vector<std::string>> required_strings(std::uint32_t field_id) const;

private:
    explicit Condition(std::shared_ptr<const detail::Program> program)
        : program_(std::move(program)) {}

    std::shared_ptr<const detail::Program> program_;
};

} // namespace netdx::engine::condition
