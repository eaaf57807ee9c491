// SPDX-License-Identifier: GPL-2.0
#include "compiler.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "lexer.h"
#include "parser.h"

namespace netdx::engine::condition::detail {

namespace {

using ast::BinaryOp;
using ast::Expr;
using ast::ExprKind;
using ast::LiteralKind;
using ast::Span;

Type literal_type(LiteralKind kind) {
    switch (kind) {
    case LiteralKind::String:
        return Type::String;
    case LiteralKind::Int:
        return Type::Int;
    case LiteralKind::Bool:
        return Type::Bool;
    case LiteralKind::Ip:
        return Type::Ip;
    case LiteralKind::Cidr:
        return Type::Cidr;
    }
    return Type::Bool;
}

// "an int", "a string", ...
std::string a_type(Type type) {
    std::string article = type == Type::Int || type == Type::Ip ? "an " : "a ";
    return article + std::string(type_name(type));
}

// Whether a "did you mean" search is worth it: the edit distance costs length x length per
// candidate, and a name of kilobytes is no typo of a real one.
bool guessable(std::string_view name) {
    return name.size() <= 128;
}

std::string op_name(BinaryOp op) {
    return "'" + std::string(ast::op_text(op)) + "'";
}

// One side of a predicate, once resolved: a field of the catalog, or a well-formed literal.
struct Side {
    const Expr* expr = nullptr;
    Type type = Type::Bool;
    const FieldDef* field = nullptr;

    std::string what() const {
        return field != nullptr ? std::string(field->name) : printable(expr->source);
    }
    std::string described() const { return what() + " is " + a_type(type); }
    bool is_literal(LiteralKind kind) const { return field == nullptr && expr->literal == kind; }
};

// ": event.dport is an int" for the sides that are fields, so a message names the culprit.
std::string fields_explained(const Side& l, const Side& r) {
    std::string out;
    for (const Side* s : {&l, &r}) {
        if (s->field != nullptr) {
            out += out.empty() ? ": " : ", ";
            out += s->described();
        }
    }
    return out;
}

class Compiler {
public:
    Compiler(const FieldCatalog& fields,
             const Scope* scope,
             std::vector<Problem>& problems,
             Program& program)
        : fields_(fields), scope_(scope), problems_(problems), program_(program) {}

    std::optional<std::uint32_t> compile_text(std::string_view text) {
        auto tree = parse(text, problems_);
        if (!tree) {
            return std::nullopt;
        }
        return check_condition(*tree);
    }

private:
    // Problems point into the text being compiled: the condition, or the macro being expanded.
    Problem& report(const DiagCode& code,
                    std::string message,
                    Span at,
                    std::vector<std::string> hints = {}) {
        Problem& p = problems_.emplace_back();
        p.code = &code;
        p.message = std::move(message);
        p.offset = at.offset;
        p.length = at.length;
        p.hints = std::move(hints);
        p.macro = current_macro_;
        return p;
    }

    void too_deep(Span at) {
        if (!too_deep_reported_) {
            too_deep_reported_ = true;
            report(diag::condition_syntax,
                   "condition nested too deeply (more than " + std::to_string(max_depth) +
                       " levels, macros included)",
                   at);
        }
    }

    // Whether a new node of expanded size `size` stays within max_macro_expansion. Without
    // macros used more than once, no node is larger than the nodes compiled so far.
    bool small_enough(std::size_t size, Span at) {
        if (size <= program_.nodes.size() + 1 + max_macro_expansion) {
            return true;
        }
        if (!too_large_reported_) {
            too_large_reported_ = true;
            report(diag::condition_syntax,
                   "condition too large once macros are expanded (they add more than " +
                       std::to_string(max_macro_expansion) + " operations)",
                   at,
                   {"each use of a macro counts in full, so a macro that uses another twice "
                    "doubles it"});
        }
        return false;
    }

    // `size`: the node's operations counted as if every macro were written out in full.
    std::uint32_t add(const Node& node, std::size_t height, std::size_t size = 1) {
        program_.nodes.push_back(node);
        heights_.push_back(height);
        sizes_.push_back(size);
        return static_cast<std::uint32_t>(program_.nodes.size() - 1);
    }

    // add() for the nodes that can outgrow the program: 'not' and macro uses (chains check too).
    std::optional<std::uint32_t>
    add_sized(const Node& node, std::size_t height, std::size_t size, Span at) {
        if (!small_enough(size, at)) {
            return std::nullopt;
        }
        return add(node, height, size);
    }

    std::string_view intern(std::string text) {
        return program_.strings.emplace_back(std::move(text));
    }

    std::uint32_t constant(const Value& v) {
        program_.constants.push_back(v);
        return static_cast<std::uint32_t>(program_.constants.size() - 1);
    }

    Value literal_value(const Expr& e) {
        switch (e.literal) {
        case LiteralKind::String:
            return Value::of_string(intern(e.text));
        case LiteralKind::Int:
            return Value::of_int(e.int_value);
        case LiteralKind::Bool:
            return Value::of_bool(e.bool_value);
        case LiteralKind::Ip:
            return Value::of_ip(e.ip);
        case LiteralKind::Cidr:
            break;
        }
        Value v;
        v.type = Type::Cidr;
        v.present = true;
        v.cidr = e.cidr;
        return v;
    }

    Operand operand_of(const Side& side) {
        Operand o;
        if (side.field == nullptr) {
            o.slot = constant(literal_value(*side.expr));
            return o;
        }
        o.is_field = true;
        o.field_id = side.field->id;
        auto& fields = program_.fields;
        auto it = std::find_if(
            fields.begin(), fields.end(), [&](const FieldRef& f) { return f.id == o.field_id; });
        if (it == fields.end()) {
            fields.push_back({o.field_id, std::string(side.field->name)});
            program_.fields_used.push_back(o.field_id);
            it = fields.end() - 1;
        }
        o.slot = static_cast<std::uint32_t>(it - fields.begin());
        return o;
    }

    // Hints for a name that is not defined: a close list or macro name, or the field it may be
    // the last part of ("has_ports" for "event.has_ports").
    void name_hints(Problem& p, std::string_view name, bool lists, bool macros) {
        std::vector<std::string_view> candidates;
        if (scope_ != nullptr) {
            if (lists) {
                auto names = scope_->list_names();
                candidates.insert(candidates.end(), names.begin(), names.end());
            }
            if (macros) {
                auto names = scope_->macro_names();
                candidates.insert(candidates.end(), names.begin(), names.end());
            }
        }
        auto guess = guessable(name) ? closest_match(name, candidates) : std::string();
        if (!guess.empty()) {
            p.hints.push_back("did you mean '" + guess + "'?");
            return;
        }
        for (auto field : fields_.names()) {
            if (field.size() > name.size() && field.ends_with(name) &&
                field[field.size() - name.size() - 1] == '.') {
                p.hints.push_back("did you mean the field '" + std::string(field) + "'?");
                return;
            }
        }
    }

    const FieldDef* resolve_field(const Expr& e) {
        const FieldDef* f = fields_.find(e.text);
        if (f == nullptr) {
            Problem& p = report(diag::unknown_field, "unknown field " + shown(e.text), e.span);
            auto guess = guessable(e.text) ? closest_match(e.text, fields_.names()) : std::string();
            if (!guess.empty()) {
                p.hints.push_back("did you mean '" + guess + "'?");
            }
        }
        return f;
    }

    // A field or literal where a value is expected (either side of a comparison).
    std::optional<Side> value_side(const Expr& e) {
        switch (e.kind) {
        case ExprKind::Field:
            if (const FieldDef* f = resolve_field(e)) {
                return Side{&e, f->type, f};
            }
            return std::nullopt;
        case ExprKind::Literal:
            if (!e.valid) {
                return std::nullopt; // already reported as a bad literal
            }
            return Side{&e, literal_type(e.literal), nullptr};
        case ExprKind::Name:
            name_as_value(e);
            return std::nullopt;
        default:
            report(diag::condition_syntax, "expected a value", e.span);
            return std::nullopt;
        }
    }

    void name_as_value(const Expr& e) {
        const std::string& name = e.text;
        if (scope_ != nullptr && scope_->list(name)) {
            report(diag::type_mismatch,
                   "'" + name + "' is a list, not a value",
                   e.span,
                   {"test membership with 'in', e.g. event.field in " + name});
        } else if (scope_ != nullptr && scope_->macro(name)) {
            report(diag::type_mismatch,
                   "'" + name + "' is a macro (a condition), not a value",
                   e.span);
        } else {
            Problem& p = report(diag::unknown_name, "unknown name " + shown(name), e.span);
            name_hints(p, name, true, true);
            p.hints.push_back("write \"" + name + "\" in quotes if you meant text");
        }
    }

    std::optional<std::uint32_t> check_condition(const Expr& e) {
        struct Guard {
            std::size_t& depth;
            ~Guard() { --depth; }
        } guard{++depth_};
        if (depth_ > max_depth) {
            too_deep(e.span);
            return std::nullopt;
        }
        switch (e.kind) {
        case ExprKind::Or:
        case ExprKind::And:
            return check_chain(e);
        case ExprKind::Not: {
            auto operand = check_condition(e.children[0]);
            if (!operand) {
                return std::nullopt;
            }
            Node n;
            n.op = Op::Not;
            n.first = *operand;
            return add_sized(n, heights_[*operand] + 1, sizes_[*operand] + 1, e.span);
        }
        case ExprKind::Binary:
            return check_binary(e);
        case ExprKind::Exists:
            return check_exists(e);
        case ExprKind::Field:
            return check_bool_field(e);
        case ExprKind::Literal:
            return check_bool_literal(e);
        case ExprKind::Name:
            return check_name(e);
        case ExprKind::List:
            break;
        }
        report(diag::type_mismatch, "a list is not a condition", e.span);
        return std::nullopt;
    }

    std::optional<std::uint32_t> check_chain(const Expr& e) {
        Op op = e.kind == ExprKind::Or ? Op::Or : Op::And;
        std::vector<std::uint32_t> operands;
        std::size_t height = 0;
        std::size_t size = 1;
        bool ok = true;
        for (const Expr& child : e.children) {
            auto c = check_condition(child);
            if (!c) {
                ok = false; // keep going: every operand's problems are reported
                continue;
            }
            height = std::max(height, heights_[*c]);
            const Node& cn = program_.nodes[*c];
            if (cn.op == op) { // (a and b) and c is a and b and c
                for (std::uint32_t i = 0; i < cn.count; ++i) {
                    operands.push_back(program_.children[cn.first + i]);
                }
                size += sizes_[*c] - 1;
            } else {
                operands.push_back(*c);
                size += sizes_[*c];
            }
        }
        if (!ok) {
            return std::nullopt;
        }
        Node n;
        n.op = op;
        n.first = static_cast<std::uint32_t>(program_.children.size());
        n.count = static_cast<std::uint32_t>(operands.size());
        if (!small_enough(size, e.span)) {
            return std::nullopt;
        }
        program_.children.insert(program_.children.end(), operands.begin(), operands.end());
        return add(n, height + 1, size);
    }

    std::optional<std::uint32_t> check_exists(const Expr& e) {
        const Expr& x = e.children[0];
        if (x.kind != ExprKind::Field) {
            if (x.kind != ExprKind::Literal || x.valid) {
                report(diag::type_mismatch,
                       "'exists' needs a field on its left, found " + printable(x.source),
                       x.span);
            }
            return std::nullopt;
        }
        const FieldDef* f = resolve_field(x);
        if (f == nullptr) {
            return std::nullopt;
        }
        Node n;
        n.op = Op::Exists;
        n.lhs = operand_of(Side{&x, f->type, f});
        return add(n, 1);
    }

    std::optional<std::uint32_t> check_bool_field(const Expr& e) {
        const FieldDef* f = resolve_field(e);
        if (f == nullptr) {
            return std::nullopt;
        }
        Side side{&e, f->type, f};
        if (f->type != Type::Bool) {
            report(diag::type_mismatch,
                   side.described() + ", not a condition",
                   e.span,
                   {"compare it with a value, or test it with '" + e.text + " exists'"});
            return std::nullopt;
        }
        Node n;
        n.op = Op::BoolField;
        n.lhs = operand_of(side);
        return add(n, 1);
    }

    std::optional<std::uint32_t> check_bool_literal(const Expr& e) {
        if (!e.valid) {
            return std::nullopt;
        }
        if (e.literal != LiteralKind::Bool) {
            Side side{&e, literal_type(e.literal), nullptr};
            report(diag::type_mismatch, side.described() + ", not a condition", e.span);
            return std::nullopt;
        }
        Node n;
        n.op = e.bool_value ? Op::True : Op::False;
        return add(n, 1);
    }

    std::optional<std::uint32_t> check_name(const Expr& e) {
        const std::string& name = e.text;
        if (scope_ != nullptr) {
            if (auto text = scope_->macro(name)) {
                return check_macro(e, *text);
            }
            if (scope_->list(name)) {
                report(diag::type_mismatch,
                       "'" + name + "' is a list, not a condition",
                       e.span,
                       {"use a list after 'in', e.g. event.field in " + name});
                return std::nullopt;
            }
        }
        Problem& p = report(diag::unknown_name, "unknown macro " + shown(name), e.span);
        name_hints(p, name, false, true);
        return std::nullopt;
    }

    std::optional<std::uint32_t> check_macro(const Expr& use, std::string_view text) {
        const std::string& name = use.text;
        auto cycle = std::find(macro_stack_.begin(), macro_stack_.end(), name);
        if (cycle != macro_stack_.end()) {
            std::string chain;
            for (auto it = cycle; it != macro_stack_.end(); ++it) {
                chain += *it + " -> ";
            }
            report(diag::macro_cycle, "macro cycle: " + chain + name, use.span);
            return std::nullopt;
        }
        std::optional<std::uint32_t> body;
        if (auto cached = macros_.find(name); cached != macros_.end()) {
            body = cached->second;
            if (!body) {
                return std::nullopt; // its problems were reported where it was first used
            }
            if (depth_ + heights_[*body] > max_depth) {
                too_deep(use.span);
                return std::nullopt;
            }
        } else {
            macro_stack_.push_back(name);
            std::string outer = std::exchange(current_macro_, name);
            std::size_t first_problem = problems_.size();
            auto tree = parse(text, problems_);
            for (std::size_t i = first_problem; i < problems_.size(); ++i) {
                problems_[i].macro = name;
            }
            if (tree) {
                body = check_condition(*tree);
            }
            current_macro_ = std::move(outer);
            macro_stack_.pop_back();
            macros_.emplace(name, body);
            if (!body) {
                return std::nullopt;
            }
        }
        Node n;
        n.op = Op::Macro;
        n.first = *body;
        auto it = std::find(program_.names.begin(), program_.names.end(), name);
        if (it == program_.names.end()) {
            program_.names.push_back(name);
            it = program_.names.end() - 1;
        }
        n.extra = static_cast<std::uint32_t>(it - program_.names.begin());
        return add_sized(n, heights_[*body] + 1, sizes_[*body] + 1, use.span);
    }

    std::optional<std::uint32_t> check_binary(const Expr& e) {
        switch (e.op) {
        case BinaryOp::Eq:
        case BinaryOp::Ne:
            return check_equality(e);
        case BinaryOp::Lt:
        case BinaryOp::Le:
        case BinaryOp::Gt:
        case BinaryOp::Ge:
            return check_ordering(e);
        case BinaryOp::In:
            return check_in(e);
        case BinaryOp::Contains:
        case BinaryOp::StartsWith:
        case BinaryOp::Matches:
            return check_text(e);
        }
        return std::nullopt;
    }

    // An address written as a string ("10.0.0.1") compared with an ip field.
    bool string_as_address(Side& side, const Side& other, std::optional<Operand>& operand) {
        if (other.type != Type::Ip || !side.is_literal(LiteralKind::String)) {
            return true;
        }
        auto ip = IpAddr::parse(side.expr->text);
        if (!ip) {
            report(diag::bad_literal,
                   side.what() + " is not an IP address (" + other.described() + ")",
                   side.expr->span);
            return false;
        }
        side.type = Type::Ip;
        operand = Operand{false, 0, constant(Value::of_ip(*ip))};
        return true;
    }

    // What the author probably meant when == or != compares a field with another type.
    static std::vector<std::string> mismatch_hints(const Side& l, const Side& r) {
        std::vector<std::string> hints;
        for (const auto& [a, b] : {std::pair(&l, &r), std::pair(&r, &l)}) {
            bool out_of_range = false;
            if (a->field == nullptr) {
                continue;
            }
            if (a->type == Type::Ip && b->type == Type::Cidr) {
                hints.emplace_back("use 'in' to test whether an address is inside a prefix");
            } else if (a->type == Type::Int && b->is_literal(LiteralKind::String) &&
                       parse_int(b->expr->text, out_of_range)) {
                hints.push_back("write " + printable(b->expr->text) +
                                " without quotes to compare numbers");
            } else if (a->type == Type::String && b->is_literal(LiteralKind::Int)) {
                hints.push_back("write \"" + printable(b->expr->source) +
                                "\" in quotes to compare text");
            } else if (a->type == Type::StringList) {
                hints.emplace_back("use 'contains' to look for an element of a list");
            }
            if (!hints.empty()) {
                break;
            }
        }
        return hints;
    }

    std::optional<std::uint32_t> check_equality(const Expr& e) {
        auto l = value_side(e.children[0]);
        auto r = value_side(e.children[1]);
        if (!l || !r) {
            return std::nullopt;
        }
        std::optional<Operand> lhs;
        std::optional<Operand> rhs;
        if (!string_as_address(*l, *r, lhs) || !string_as_address(*r, *l, rhs)) {
            return std::nullopt;
        }
        if (l->type != r->type) {
            std::vector<std::string> hints = mismatch_hints(*l, *r);
            report(diag::type_mismatch,
                   op_name(e.op) + " compares " + std::string(type_name(l->type)) + " with " +
                       std::string(type_name(r->type)) + fields_explained(*l, *r),
                   e.span,
                   std::move(hints));
            return std::nullopt;
        }
        if (l->type == Type::StringList || l->type == Type::Cidr) {
            std::vector<std::string> hints;
            if (l->type == Type::StringList) {
                hints.emplace_back("use 'contains' to look for an element of a list");
            }
            report(diag::type_mismatch,
                   op_name(e.op) + " cannot compare values of type " +
                       std::string(type_name(l->type)) + fields_explained(*l, *r),
                   e.span,
                   std::move(hints));
            return std::nullopt;
        }
        Node n;
        n.op = e.op == BinaryOp::Eq ? Op::Eq : Op::Ne;
        n.type = l->type;
        n.lhs = lhs ? *lhs : operand_of(*l);
        n.rhs = rhs ? *rhs : operand_of(*r);
        return add(n, 1);
    }

    std::optional<std::uint32_t> check_ordering(const Expr& e) {
        auto l = value_side(e.children[0]);
        auto r = value_side(e.children[1]);
        if (!l || !r) {
            return std::nullopt;
        }
        for (const Side* side : {&*l, &*r}) {
            if (side->type != Type::Int) {
                report(diag::type_mismatch,
                       op_name(e.op) + " compares integers, but " + side->described(),
                       side->expr->span);
                return std::nullopt;
            }
        }
        Node n;
        switch (e.op) {
        case BinaryOp::Lt:
            n.op = Op::Lt;
            break;
        case BinaryOp::Le:
            n.op = Op::Le;
            break;
        case BinaryOp::Gt:
            n.op = Op::Gt;
            break;
        default:
            n.op = Op::Ge;
            break;
        }
        n.type = Type::Int;
        n.lhs = operand_of(*l);
        n.rhs = operand_of(*r);
        return add(n, 1);
    }

    // One item of a list literal, for a field of type left.type.
    bool add_literal_item(LookupSet& set, const Side& left, const Expr& item, std::string& text) {
        if (!item.valid) {
            return false;
        }
        Type type = literal_type(item.literal);
        if (left.type == Type::Int && type == Type::Int) {
            set.ints.push_back(item.int_value);
            text = std::to_string(item.int_value);
            return true;
        }
        if (left.type == Type::String && type == Type::String) {
            set.strings.push_back(intern(item.text));
            text = quoted(item.text);
            return true;
        }
        if (left.type == Type::Ip && type == Type::Ip) {
            set.addrs.push_back(item.ip);
            text = item.ip.to_string();
            return true;
        }
        if (left.type == Type::Ip && type == Type::Cidr) {
            set.prefixes.push_back(item.cidr);
            text = item.cidr.to_string();
            return true;
        }
        if (left.type == Type::Ip && type == Type::String) {
            if (add_address_text(set, item.text, text)) {
                return true;
            }
            report(diag::bad_literal,
                   printable(item.source) + " is not an IP address or prefix (" + left.described() +
                       ")",
                   item.span);
            return false;
        }
        report(diag::type_mismatch,
               "list item " + printable(item.source) + " is " + a_type(type) + ", but " +
                   left.described(),
               item.span);
        return false;
    }

    static bool add_address_text(LookupSet& set, std::string_view item, std::string& text) {
        if (item.find('/') != std::string_view::npos) {
            auto cidr = Cidr::parse(item);
            if (cidr) {
                set.prefixes.push_back(*cidr);
                text = cidr->to_string();
            }
            return cidr.has_value();
        }
        auto ip = IpAddr::parse(item);
        if (ip) {
            set.addrs.push_back(*ip);
            text = ip->to_string();
        }
        return ip.has_value();
    }

    // One item of a named list (plain text), for a field of type left.type.
    bool
    add_named_item(LookupSet& set, const Side& left, const Expr& use, const std::string& item) {
        std::string ignored;
        std::string problem;
        switch (left.type) {
        case Type::Int: {
            bool out_of_range = false;
            if (auto v = parse_int(item, out_of_range)) {
                set.ints.push_back(*v);
                return true;
            }
            problem = out_of_range ? "is out of range" : "is not an integer";
            break;
        }
        case Type::String:
            set.strings.push_back(intern(item));
            return true;
        case Type::Ip:
            if (add_address_text(set, item, ignored)) {
                return true;
            }
            problem = "is not an IP address or prefix";
            break;
        default:
            return false;
        }
        report(diag::bad_literal,
               "item " + shown(item) + " of list '" + use.text + "' " + problem + " (" +
                   left.described() + ")",
               use.span);
        return false;
    }

    std::optional<std::uint32_t> check_in(const Expr& e) {
        const Expr& lhs = e.children[0];
        const Expr& rhs = e.children[1];
        auto l = value_side(lhs);
        if (!l) {
            return std::nullopt;
        }
        if (l->field == nullptr) {
            report(diag::type_mismatch,
                   "'in' needs a field on its left, found " + l->what(),
                   lhs.span);
            return std::nullopt;
        }
        if (l->type != Type::Int && l->type != Type::String && l->type != Type::Ip) {
            std::vector<std::string> hints;
            if (l->type == Type::StringList) {
                hints.emplace_back("use 'contains' to look for an element of a list");
            }
            report(diag::type_mismatch,
                   "'in' looks up int, string or ip values, but " + l->described(),
                   lhs.span,
                   std::move(hints));
            return std::nullopt;
        }
        LookupSet set;
        set.type = l->type;
        switch (rhs.kind) {
        case ExprKind::List: {
            bool ok = true;
            set.text = "[";
            for (const Expr& item : rhs.children) {
                std::string text;
                ok = add_literal_item(set, *l, item, text) && ok;
                set.text += set.text.size() > 1 ? ", " : "";
                set.text += text;
            }
            set.text += "]";
            if (!ok) {
                return std::nullopt;
            }
            break;
        }
        case ExprKind::Name: {
            auto items = scope_ != nullptr ? scope_->list(rhs.text) : std::nullopt;
            if (!items) {
                if (scope_ != nullptr && scope_->macro(rhs.text)) {
                    report(
                        diag::type_mismatch, "'" + rhs.text + "' is a macro, not a list", rhs.span);
                } else {
                    Problem& p =
                        report(diag::unknown_name, "unknown list " + shown(rhs.text), rhs.span);
                    name_hints(p, rhs.text, true, false);
                }
                return std::nullopt;
            }
            bool ok = true;
            for (const std::string& item : *items) {
                ok = add_named_item(set, *l, rhs, item) && ok;
            }
            if (!ok) {
                return std::nullopt;
            }
            set.text = rhs.text;
            break;
        }
        case ExprKind::Literal:
            if (!rhs.valid) {
                return std::nullopt;
            }
            if (rhs.literal == LiteralKind::Cidr && l->type == Type::Ip) {
                set.prefixes.push_back(rhs.cidr);
                set.text = rhs.cidr.to_string();
                break;
            }
            if (rhs.literal == LiteralKind::Cidr) {
                report(diag::type_mismatch,
                       "a prefix on the right of 'in' needs an ip field on its left, but " +
                           l->described(),
                       e.span);
            } else if (rhs.literal == LiteralKind::Ip && l->type == Type::Ip) {
                report(diag::type_mismatch,
                       "'in' needs a list or a CIDR prefix on its right, found the address " +
                           printable(rhs.source),
                       rhs.span,
                       {"use '==' to compare with one address"});
            } else {
                report(diag::type_mismatch,
                       "'in' needs a list on its right, found " + printable(rhs.source),
                       rhs.span,
                       {"write [" + printable(rhs.source) + "] for a list of one item"});
            }
            return std::nullopt;
        case ExprKind::Field: {
            const FieldDef* f = resolve_field(rhs);
            if (f == nullptr) {
                return std::nullopt;
            }
            std::vector<std::string> hints;
            if (f->type == Type::StringList) {
                hints.push_back("to look for an element of a list field, write '" + rhs.text +
                                " contains ...'");
            }
            report(diag::type_mismatch,
                   "'in' needs a list on its right, found the field " + rhs.text,
                   rhs.span,
                   std::move(hints));
            return std::nullopt;
        }
        default:
            report(diag::condition_syntax, "expected a list", rhs.span);
            return std::nullopt;
        }
        set.finish();
        program_.sets.push_back(std::move(set));
        Node n;
        n.op = Op::In;
        n.type = l->type;
        n.lhs = operand_of(*l);
        n.extra = static_cast<std::uint32_t>(program_.sets.size() - 1);
        return add(n, 1);
    }

    // contains, startswith and =~: a string field (contains: or a list of string) on the left,
    // a string literal on the right.
    std::optional<std::uint32_t> check_text(const Expr& e) {
        auto l = value_side(e.children[0]);
        auto r = value_side(e.children[1]);
        if (!l || !r) {
            return std::nullopt;
        }
        bool list_ok = e.op == BinaryOp::Contains;
        if (l->field == nullptr) {
            report(diag::type_mismatch,
                   op_name(e.op) + " needs a field on its left, found " + l->what(),
                   l->expr->span);
            return std::nullopt;
        }
        if (l->type != Type::String && !(list_ok && l->type == Type::StringList)) {
            report(diag::type_mismatch,
                   op_name(e.op) + " needs " +
                       (list_ok ? "a string or a list of string" : "a string") +
                       " on its left, but " + l->described(),
                   l->expr->span);
            return std::nullopt;
        }
        if (r->field != nullptr) {
            report(diag::type_mismatch,
                   op_name(e.op) + " needs a string literal on its right, found the field " +
                       r->what(),
                   r->expr->span);
            return std::nullopt;
        }
        if (r->type != Type::String) {
            report(diag::type_mismatch,
                   op_name(e.op) + " needs a string literal on its right, but " + r->described(),
                   r->expr->span);
            return std::nullopt;
        }
        Node n;
        n.op = e.op == BinaryOp::Matches      ? Op::Matches
               : e.op == BinaryOp::StartsWith ? Op::StartsWith
               : l->type == Type::StringList  ? Op::ListContains
                                              : Op::Contains;
        n.lhs = operand_of(*l);
        n.rhs = operand_of(*r);
        if (n.op == Op::Matches) {
            re2::RE2::Options options;
            options.set_log_errors(false);
            const std::string& text = r->expr->text;
            auto re =
                std::make_unique<re2::RE2>(re2::StringPiece(text.data(), text.size()), options);
            if (!re->ok()) {
                report(diag::bad_regex,
                       "invalid regular expression: " + printable(re->error(), 200),
                       r->expr->span);
                return std::nullopt;
            }
            Pattern pattern = Pattern::plan(text);
            if (pattern.kind == Pattern::Kind::Regex) {
                pattern.re = std::move(re);
            }
            n.extra = static_cast<std::uint32_t>(program_.patterns.size());
            program_.patterns.push_back(std::move(pattern));
        }
        return add(n, 1);
    }

    const FieldCatalog& fields_;
    const Scope* scope_;
    std::vector<Problem>& problems_;
    Program& program_;
    std::vector<std::size_t> heights_; // of each node, for the depth limit across macros
    std::vector<std::size_t> sizes_;   // of each node with macros written out in full
    std::size_t depth_ = 0;
    bool too_deep_reported_ = false;
    bool too_large_reported_ = false;
    std::string current_macro_;            // "" for the condition
    std::vector<std::string> macro_stack_; // being expanded, outer first
    std::map<std::string, std::optional<std::uint32_t>, std::less<>> macros_; // compiled bodies
};

} // namespace

std::shared_ptr<const Program> compile_program(std::string_view text,
                                               const FieldCatalog& fields,
                                               const Scope* scope,
                                               std::vector<Problem>& problems) {
    auto program = std::make_shared<Program>();
    std::size_t first_problem = problems.size();
    Compiler compiler(fields, scope, problems, *program);
    auto root = compiler.compile_text(text);
    if (!root || problems.size() > first_problem) {
        return nullptr;
    }
    program->root = *root;
    std::sort(program->fields_used.begin(), program->fields_used.end());
    return program;
}

} // namespace netdx::engine::condition::detail
