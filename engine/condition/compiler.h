// SPDX-License-Identifier: GPL-2.0
// From syntax tree to Program: resolves fields (FieldCatalog), lists and macros (Scope), checks
// types, builds constants, lookup sets and regular expressions. Reports every problem it finds.
//
// Type rules (a broken one is E012 type-mismatch):
//   == !=       the same type on both sides, among bool, int, string and ip; either side may be
//               a field or a literal. A string literal compared with an ip is read as an address
//               (E014 if it is not one).
//   < <= > >=   int on both sides.
//   in          an int, string or ip field on the left. On the right a list literal, a named
//               list, or (ip only) one CIDR prefix. Items take the field's type; for ip they are
//               addresses (equality) or prefixes (containment), bare or quoted. Named lists are
//               plain texts, converted here (E014 for an item that does not convert).
//   contains    a string field and a string literal (substring), or a list-of-string field and
//               a string literal (some element equals it).
//   startswith  a string field and a string literal.
//   =~          a string field and a string literal holding an RE2 pattern, searched (not
//               anchored: write ^ and $); E013 with RE2's message if it does not compile.
//   exists      any field.
//   and or not  conditions: predicates, bool fields, true, false, macros, parenthesised ones.
// Unknown fields are E011 (with "did you mean"), unknown lists and macros E015, macro cycles
// E016. Names of lists and macros are kept: the canonical form prints them, not their contents.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "condition.h"
#include "program.h"

namespace netdx::engine::condition::detail {

// Nesting of the compiled tree, macros included (each text is also limited by the parser).
inline constexpr std::size_t max_depth = 512;
// A macro's body is compiled once and shared by all its uses, but evaluating it costs as much as
// if it were written out at each use: a chain of macros that each use the previous one twice
// costs time exponential in its length. So the operations a condition has once every macro is
// written out in full may exceed the operations actually compiled by at most this much.
inline constexpr std::size_t max_macro_expansion = 10000;

// nullptr when any problem was appended to `problems`.
std::shared_ptr<const Program> compile_program(std::string_view text,
                                               const FieldCatalog& fields,
                                               const Scope* scope,
                                               std::vector<Problem>& problems);

} // namespace netdx::engine::condition::detail
