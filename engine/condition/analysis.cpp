// SPDX-License-Identifier: GPL-2.0
// Static checks on a compiled condition, for load-time warnings. Deliberately simple: it finds
// the contradictions people actually write (a field equal to two constants, `x and not x`, an
// empty list), not every unsatisfiable formula.
#include <optional>
#include <string>

#include "condition.h"
#include "program.h"

namespace netdx::engine::condition {
namespace {

using detail::Node;
using detail::Op;
using detail::Program;

std::string text_of(const Program& p, std::uint32_t node) {
    std::string out;
    p.print(node, out);
    return out;
}

std::string constant_text(const Program& p, const detail::Operand& o) {
    std::string out;
    detail::print_value(p.constants[o.slot], out);
    return out;
}

// `field == constant` or `field != constant`: the field id and the constant's text.
struct FieldTest {
    bool negated = false;
    std::uint32_t field_id = 0;
    std::string constant;
};

std::optional<FieldTest> field_test(const Program& p, const Node& n) {
    if ((n.op != Op::Eq && n.op != Op::Ne) || n.lhs.is_field == n.rhs.is_field) {
        return std::nullopt;
    }
    const auto& field = n.lhs.is_field ? n.lhs : n.rhs;
    const auto& constant = n.lhs.is_field ? n.rhs : n.lhs;
    return FieldTest{n.op == Op::Ne, field.field_id, constant_text(p, constant)};
}

std::optional<std::string> never_true(const Program& p, std::uint32_t index) {
    const Node& n = p.nodes[index];
    switch (n.op) {
    case Op::False:
        return std::string("it is the constant false");
    case Op::Macro:
        return never_true(p, n.first);
    case Op::Not:
        if (p.nodes[n.first].op == Op::True) {
            return std::string("'not true' is always false");
        }
        return std::nullopt;
    case Op::In: {
        const auto& set = p.sets[n.extra];
        if (set.ints.empty() && set.strings.empty() && set.addrs.empty() && set.prefixes.empty()) {
            return "'" + text_of(p, index) + "' tests membership in an empty list";
        }
        return std::nullopt;
    }
    case Op::Or:
        for (std::uint32_t i = 0; i < n.count; ++i) {
            if (!never_true(p, p.children[n.first + i])) {
                return std::nullopt;
            }
        }
        return "no alternative of '" + text_of(p, index) + "' can be true";
    case Op::And: {
        for (std::uint32_t i = 0; i < n.count; ++i) {
            if (auto why = never_true(p, p.children[n.first + i])) {
                return why;
            }
        }
        for (std::uint32_t i = 0; i < n.count; ++i) {
            std::uint32_t a = p.children[n.first + i];
            auto ta = field_test(p, p.nodes[a]);
            for (std::uint32_t j = i + 1; j < n.count; ++j) {
                std::uint32_t b = p.children[n.first + j];
                if (p.nodes[b].op == Op::Not && text_of(p, p.nodes[b].first) == text_of(p, a)) {
                    return "'" + text_of(p, a) + "' and its negation are both required";
                }
                if (p.nodes[a].op == Op::Not && text_of(p, p.nodes[a].first) == text_of(p, b)) {
                    return "'" + text_of(p, b) + "' and its negation are both required";
                }
                auto tb = field_test(p, p.nodes[b]);
                if (!ta || !tb || ta->field_id != tb->field_id) {
                    continue;
                }
                bool clash = (!ta->negated && !tb->negated && ta->constant != tb->constant) ||
                             (ta->negated != tb->negated && ta->constant == tb->constant);
                if (clash) {
                    return "'" + text_of(p, a) + "' and '" + text_of(p, b) +
                           "' cannot both be true";
                }
            }
        }
        return std::nullopt;
    }
    default:
        return std::nullopt;
    }
}

} // namespace

std::optional<std::string> Condition::never_true_reason() const {
    if (program_ == nullptr) {
        return std::string("it is the constant false");
    }
    return never_true(*program_, program_->root);
}

} // namespace netdx::engine::condition
