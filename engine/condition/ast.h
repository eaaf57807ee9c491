// SPDX-License-Identifier: GPL-2.0
// The syntax tree the parser produces: untyped, with the position of every node in the text.
// The compiler (compiler.h) checks it against the field catalog and the scope.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "../ip.h"

namespace netdx::engine::condition::ast {

enum class ExprKind : std::uint8_t {
    Or,      // children: two or more operands
    And,     // children: two or more operands
    Not,     // children: the operand
    Binary,  // children: left, right (for `in`, right may be a List)
    Exists,  // children: the operand
    Field,   // text: the dotted name
    Name,    // text: a list or macro name
    Literal, // literal, valid and one of the values below
    List,    // children: Literal items
};

enum class BinaryOp : std::uint8_t { Eq, Ne, Lt, Le, Gt, Ge, In, Contains, StartsWith, Matches };

enum class LiteralKind : std::uint8_t { String, Int, Bool, Ip, Cidr };

struct Span {
    std::size_t offset = 0;
    std::size_t length = 0;

    std::size_t end() const { return offset + length; }
};

inline Span cover(Span a, Span b) {
    return {a.offset, b.end() - a.offset};
}

struct Expr {
    ExprKind kind = ExprKind::Literal;
    Span span;    // the whole expression, as written
    Span op_span; // the operator token (Binary, Exists, Not, And, Or)
    BinaryOp op = BinaryOp::Eq;
    LiteralKind literal = LiteralKind::Bool;
    bool valid = true;       // Literal: false when malformed (an E014 problem was reported)
    std::string text;        // Field, Name: the name; String literal: the value, escapes resolved
    std::string_view source; // the text as written
    bool bool_value = false;
    std::int64_t int_value = 0;
    IpAddr ip;
    Cidr cidr;
    std::vector<Expr> children;
};

std::string_view op_text(BinaryOp op); // "==", "in", "=~", ...

} // namespace netdx::engine::condition::ast
