// SPDX-License-Identifier: GPL-2.0
// Parser of the rule condition language. The grammar, in EBNF (ISO 14977 style: { } repeats,
// [ ] is optional, | separates choices; keywords are lower-case and reserved):
//
//   condition  = or_expr ;
//   or_expr    = and_expr { "or" and_expr } ;
//   and_expr   = not_expr { "and" not_expr } ;
//   not_expr   = "not" not_expr | primary ;
//   primary    = "(" or_expr ")" | predicate ;
//   predicate  = operand [ compare_op operand
//                        | "in" ( list | operand )
//                        | ( "contains" | "startswith" | "=~" ) operand
//                        | "exists" ] ;
//   compare_op = "==" | "!=" | "<" | "<=" | ">" | ">=" ;
//   operand    = FIELD | NAME | literal ;
//   list       = "[" [ literal { "," literal } ] "]" ;        (no trailing comma)
//   literal    = STRING | INT | IP | CIDR | "true" | "false" ;
//
//   FIELD      = SEGMENT "." SEGMENT { "." SEGMENT } ;        e.g. event.reason
//   SEGMENT    = ( letter | "_" ) { letter | digit | "_" } ;
//   NAME       = ( letter | "_" ) { letter | digit | "_" | "-" } - keyword ;   e.g. web-ports
//   keyword    = "and" | "or" | "not" | "in" | "contains" | "startswith" | "exists"
//              | "true" | "false" ;
//   STRING     = '"' { char - ( '"' | "\" ) | escape } '"'
//              | "'" { char - ( "'" | "\" ) | escape } "'" ;   any byte is a char, NUL too
//   escape     = "\" ( '"' | "'" | "\" | "n" | "t" ) ;
//   INT        = [ "-" ] ( digit { digit } | ( "0x" | "0X" ) hexdigit { hexdigit } ) ;  64-bit
//   IP         = IPv4 address (10.0.0.2) | IPv6 address (fd00::1, ::1, ::ffff:10.0.0.2) ;
//   CIDR       = IP "/" digit { digit } ;                       e.g. 10.0.0.0/8, fd00::/64
//
// Whitespace (space, tab, newline, CR, FF, VT) separates tokens and is otherwise ignored.
// Numbers and addresses are read as one maximal run of letters, digits, '_', ':', '.' and '/':
// a run holding a ':' is an IPv6 address or prefix, one holding a '.' or '/' an IPv4 address or
// prefix, anything else an integer; a malformed run is a bad-literal error (E014), e.g. 80abc.
// A run of hex digits, ':', '.' and '/' that holds a ':' is an address even when it starts with
// a letter (fd00::1), so field and macro names never contain ':'.
//
// Precedence, loosest first: or, and, not, then the predicate operators, which do not chain:
// `not a == 1 and b` means `(not (a == 1)) and b`. A bare operand (a bool field, true, false or a
// macro name) is a condition by itself. Meaning and types are checked by the compiler
// (compiler.h), not here; absent values are described in condition.h.
//
// Nesting (parentheses and 'not') is limited to max_nesting levels, so no input can exhaust
// the stack.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "ast.h"
#include "condition.h"

namespace netdx::engine::condition {

inline constexpr std::size_t max_nesting = 256;

// Parses `text` into a syntax tree. A syntax error (E010) is appended to `problems` and stops the
// parse: the result is nullopt. Malformed literals (E014) are appended too, but parsing goes on
// and they come back as literals with valid == false.
std::optional<ast::Expr> parse(std::string_view text, std::vector<Problem>& problems);

} // namespace netdx::engine::condition
