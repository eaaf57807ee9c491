// SPDX-License-Identifier: GPL-2.0
#include "program.h"

#include <algorithm>

#include "lexer.h"

namespace netdx::engine::condition::detail {

namespace {

bool equal(Type type, const Value& l, const Value& r) {
    switch (type) {
    case Type::Bool:
        return l.b == r.b;
    case Type::Int:
        return l.i == r.i;
    case Type::String:
        return l.s == r.s;
    case Type::Ip:
        return l.ip == r.ip;
    case Type::Cidr:
    case Type::StringList:
        break;
    }
    return false;
}

// The tighter an operation binds, the higher: an operand needs parentheses when it binds
// looser than the context it is printed in.
int precedence(Op op) {
    switch (op) {
    case Op::Or:
        return 1;
    case Op::And:
        return 2;
    case Op::Not:
        return 3;
    default:
        return 4;
    }
}

std::string_view op_text(Op op) {
    switch (op) {
    case Op::Eq:
        return " == ";
    case Op::Ne:
        return " != ";
    case Op::Lt:
        return " < ";
    case Op::Le:
        return " <= ";
    case Op::Gt:
        return " > ";
    case Op::Ge:
        return " >= ";
    case Op::In:
        return " in ";
    case Op::Contains:
    case Op::ListContains:
        return " contains ";
    case Op::StartsWith:
        return " startswith ";
    case Op::Matches:
        return " =~ ";
    default:
        return " ? ";
    }
}

} // namespace

bool ip_less(const IpAddr& a, const IpAddr& b) {
    if (a.family() != b.family()) {
        return a.family() < b.family();
    }
    return a.bytes() < b.bytes();
}

bool LookupSet::contains(const Value& v) const {
    switch (type) {
    case Type::Int:
        return std::binary_search(ints.begin(), ints.end(), v.i);
    case Type::String:
        return std::binary_search(strings.begin(), strings.end(), v.s);
    case Type::Ip:
        if (std::binary_search(addrs.begin(), addrs.end(), v.ip, ip_less)) {
            return true;
        }
        return std::any_of(
            prefixes.begin(), prefixes.end(), [&](const Cidr& c) { return c.contains(v.ip); });
    default:
        return false;
    }
}

void LookupSet::finish() {
    std::sort(ints.begin(), ints.end());
    ints.erase(std::unique(ints.begin(), ints.end()), ints.end());
    std::sort(strings.begin(), strings.end());
    strings.erase(std::unique(strings.begin(), strings.end()), strings.end());
    std::sort(addrs.begin(), addrs.end(), ip_less);
    addrs.erase(std::unique(addrs.begin(), addrs.end()), addrs.end());
}

Pattern Pattern::plan(std::string_view pattern) {
    Pattern p;
    std::string_view body = pattern;
    bool anchored_start = body.starts_with('^');
    if (anchored_start) {
        body.remove_prefix(1);
    }
    // A trailing '$' anchors the end (an escaped "\\$" has a backslash: RE2 handles it, below).
    bool anchored_end = body.ends_with('$');
    if (anchored_end) {
        body.remove_suffix(1);
    }
    // Plain printable ASCII without any regex syntax means the same to RE2 (UTF-8 mode, no
    // multi-line: '^' and '$' are the ends of the text) as to a byte search.
    for (char c : body) {
        if (c < 0x20 || c > 0x7e ||
            std::string_view(R"(\.+*?()|[]{}^$)").find(c) != std::string_view::npos) {
            return p;
        }
    }
    p.literal = std::string(body);
    p.kind = anchored_start && anchored_end ? Kind::Exact
             : anchored_start               ? Kind::Prefix
             : anchored_end                 ? Kind::Suffix
                                            : Kind::Contains;
    return p;
}

bool Pattern::matches(std::string_view text) const {
    switch (kind) {
    case Kind::Contains:
        return text.find(literal) != std::string_view::npos;
    case Kind::Prefix:
        return text.starts_with(literal);
    case Kind::Suffix:
        return text.ends_with(literal);
    case Kind::Exact:
        return text == literal;
    case Kind::Regex:
        break;
    }
    return re->Match(re2::StringPiece(text.data(), text.size()),
                     0,
                     text.size(),
                     re2::RE2::UNANCHORED,
                     nullptr,
                     0);
}

bool Program::eval(std::uint32_t index, const FieldReader& reader) const {
    const Node& n = nodes[index];
    switch (n.op) {
    case Op::False:
        return false;
    case Op::True:
        return true;
    case Op::Or:
        for (std::uint32_t i = 0; i < n.count; ++i) {
            if (eval(children[n.first + i], reader)) {
                return true;
            }
        }
        return false;
    case Op::And:
        for (std::uint32_t i = 0; i < n.count; ++i) {
            if (!eval(children[n.first + i], reader)) {
                return false;
            }
        }
        return true;
    case Op::Not:
        return !eval(n.first, reader);
    case Op::Macro:
        return eval(n.first, reader);
    case Op::BoolField: {
        Value v = reader.read(n.lhs.field_id);
        return v.present && v.b;
    }
    case Op::Exists:
        return reader.read(n.lhs.field_id).present;
    default:
        break;
    }

    return n.lhs.is_field ? test(n, reader.read(n.lhs.field_id), reader)
                          : test(n, constants[n.lhs.slot], reader);
}

// A predicate once its left side is known. Values are read straight into parameters and locals
// (no scratch copies): a Value is about 100 bytes and this is the hot path.
bool Program::test(const Node& n, const Value& l, const FieldReader& reader) const {
    if (!l.present) {
        return false;
    }
    if (n.op == Op::In) {
        return sets[n.extra].contains(l);
    }
    if (n.rhs.is_field) {
        const Value r = reader.read(n.rhs.field_id);
        return r.present && apply(n, l, r);
    }
    return apply(n, l, constants[n.rhs.slot]);
}

bool Program::apply(const Node& n, const Value& l, const Value& r) const {
    switch (n.op) {
    case Op::Eq:
        return equal(n.type, l, r);
    case Op::Ne:
        return !equal(n.type, l, r);
    case Op::Lt:
        return l.i < r.i;
    case Op::Le:
        return l.i <= r.i;
    case Op::Gt:
        return l.i > r.i;
    case Op::Ge:
        return l.i >= r.i;
    case Op::Contains:
        return l.s.find(r.s) != std::string_view::npos;
    case Op::ListContains:
        if (l.list.at == nullptr) {
            return false;
        }
        for (std::size_t i = 0; i < l.list.size; ++i) {
            if (l.list[i] == r.s) {
                return true;
            }
        }
        return false;
    case Op::StartsWith:
        return l.s.starts_with(r.s);
    case Op::Matches:
        return patterns[n.extra].matches(l.s);
    default:
        return false;
    }
}

void print_value(const Value& v, std::string& out) {
    switch (v.type) {
    case Type::Bool:
        out += v.b ? "true" : "false";
        break;
    case Type::Int:
        out += std::to_string(v.i);
        break;
    case Type::String:
        out += quoted(v.s);
        break;
    case Type::Ip:
        out += v.ip.to_string();
        break;
    case Type::Cidr:
        out += v.cidr.to_string();
        break;
    case Type::StringList:
        break;
    }
}

void Program::print_operand(const Operand& operand, std::string& out) const {
    if (operand.is_field) {
        out += fields[operand.slot].name;
    } else {
        print_value(constants[operand.slot], out);
    }
}

void Program::print(std::uint32_t index, std::string& out) const {
    const Node& n = nodes[index];
    auto operand = [&](std::uint32_t child, int context) {
        bool parens = precedence(nodes[child].op) < context;
        if (parens) {
            out += '(';
        }
        print(child, out);
        if (parens) {
            out += ')';
        }
    };
    switch (n.op) {
    case Op::False:
        out += "false";
        return;
    case Op::True:
        out += "true";
        return;
    case Op::Or:
    case Op::And:
        for (std::uint32_t i = 0; i < n.count; ++i) {
            if (i > 0) {
                out += n.op == Op::Or ? " or " : " and ";
            }
            operand(children[n.first + i], precedence(n.op));
        }
        return;
    case Op::Not:
        out += "not ";
        operand(n.first, precedence(Op::Not));
        return;
    case Op::Macro:
        out += names[n.extra];
        return;
    case Op::BoolField:
        print_operand(n.lhs, out);
        return;
    case Op::Exists:
        print_operand(n.lhs, out);
        out += " exists";
        return;
    case Op::In:
        print_operand(n.lhs, out);
        out += " in ";
        out += sets[n.extra].text;
        return;
    default:
        print_operand(n.lhs, out);
        out += op_text(n.op);
        print_operand(n.rhs, out);
        return;
    }
}

} // namespace netdx::engine::condition::detail
