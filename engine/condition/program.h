// SPDX-License-Identifier: GPL-2.0
// A compiled condition: typed nodes in one flat array, evaluated by a switch over the node's
// operation. Everything a node refers to (constants, lookup sets, regular expressions, names)
// lives in the Program, which is immutable once compiled and shared by copies of a Condition.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>

#include "../ip.h"
#include "field.h"
#include "value.h"

namespace netdx::engine::condition::detail {

enum class Op : std::uint8_t {
    False,
    True,
    Or,
    And,
    Not,
    Macro, // a macro's body, printed as the macro's name
    BoolField,
    Exists,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Contains,     // substring of a string field
    ListContains, // element of a list-of-string field
    StartsWith,
    Matches,
};

// One side of a predicate: a field read from the event, or a constant of the Program.
struct Operand {
    bool is_field = false;
    std::uint32_t field_id = 0; // for FieldReader::read
    std::uint32_t slot = 0;     // index in Program::fields if is_field, else in Program::constants
};

struct Node {
    Op op = Op::False;
    Type type = Type::Bool; // Eq, Ne: the type both sides have
    Operand lhs;
    Operand rhs;
    std::uint32_t first = 0; // And, Or: first index in Program::children; Not, Macro: the operand
    std::uint32_t count = 0; // And, Or: number of operands
    std::uint32_t extra = 0; // In: index in sets; Matches: in patterns; Macro: in names
};

struct FieldRef {
    std::uint32_t id = 0;
    std::string name;
};

// The right side of `in`, sorted at compile time for binary search.
struct LookupSet {
    Type type = Type::String;              // of the field on the left: int, string or ip
    std::vector<std::int64_t> ints;        // sorted
    std::vector<std::string_view> strings; // sorted; the text lives in Program::strings
    std::vector<IpAddr> addrs;             // sorted by (family, bytes)
    std::vector<Cidr> prefixes;            // in order
    std::string text;                      // as printed: [a, b], a list name, or one prefix

    bool contains(const Value& v) const;
    void finish(); // sorts and removes duplicates
};

// The right side of =~. A pattern that is plain text, maybe anchored ("DROP", "^NETFILTER_",
// "_DROP$", "^TCP$"), is matched without RE2, which costs ~50-150 ns a call even on short text.
struct Pattern {
    enum class Kind : std::uint8_t { Regex, Contains, Prefix, Suffix, Exact };
    Kind kind = Kind::Regex;
    std::string literal;          // the text to look for, when kind != Regex
    std::unique_ptr<re2::RE2> re; // when kind == Regex

    bool matches(std::string_view text) const;
    // How `pattern` (which RE2 accepted) can be matched without RE2; Regex when it cannot.
    static Pattern plan(std::string_view pattern);
};

struct Program {
    std::vector<Node> nodes;
    std::vector<std::uint32_t> children; // operands of And and Or nodes
    std::vector<Value> constants;
    std::deque<std::string> strings; // the text of string constants; a deque never moves them
    std::vector<FieldRef> fields;
    std::vector<LookupSet> sets;
    std::vector<Pattern> patterns;
    std::vector<std::string> names; // macro names
    std::vector<std::uint32_t> fields_used;
    std::uint32_t root = 0;

    bool eval(std::uint32_t node, const FieldReader& reader) const;
    bool test(const Node& node, const Value& left, const FieldReader& reader) const;
    bool apply(const Node& node, const Value& left, const Value& right) const;
    void print(std::uint32_t node, std::string& out) const;
    void print_operand(const Operand& operand, std::string& out) const;
};

bool ip_less(const IpAddr& a, const IpAddr& b);
// A constant as the canonical form writes it: strings quoted, addresses and prefixes bare.
void print_value(const Value& v, std::string& out);

} // namespace netdx::engine::condition::detail
