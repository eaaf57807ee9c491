// SPDX-License-Identifier: GPL-2.0
// Static checks on a compiled condition, for load-time warnings. Deliberately simple: it finds
// the contradictions people actually write (a field equal to two constants, `x and not x`, an
// empty list), not every unsatisfiable formula.
#include <algorithm>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

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

// Operands of one 'and' compared pairwise: beyond this many the check is skipped, as it costs
// the square of the count (and nobody writes such a chain by hand).
constexpr std::uint32_t max_pairwise_operands = 1024;

// Two operands of the And node `n` that cannot both be true: `x` and `not x`, or one field
// tested against constants that clash. Each operand is printed once, not once per pair.
std::optional<std::string> contradiction(const Program& p, const Node& n) {
    if (n.count > max_pairwise_operands) {
        return std::nullopt;
    }
    struct Operand {
        std::uint32_t node = 0;
        bool is_not = false;
        std::optional<FieldTest> test;
        std::string text;    // printed, when some operand is a 'not'
        std::string negated; // for a 'not': its operand, printed
    };
    bool any_not = false;
    for (std::uint32_t i = 0; i < n.count; ++i) {
        any_not = any_not || p.nodes[p.children[n.first + i]].op == Op::Not;
    }
    std::vector<Operand> operands(n.count);
    for (std::uint32_t i = 0; i < n.count; ++i) {
        Operand& o = operands[i];
        o.node = p.children[n.first + i];
        o.is_not = p.nodes[o.node].op == Op::Not;
        o.test = field_test(p, p.nodes[o.node]);
        if (any_not) {
            o.text = text_of(p, o.node);
        }
        if (o.is_not) {
            o.negated = text_of(p, p.nodes[o.node].first);
        }
    }
    for (std::size_t i = 0; i < operands.size(); ++i) {
        const Operand& a = operands[i];
        for (std::size_t j = i + 1; j < operands.size(); ++j) {
            const Operand& b = operands[j];
            if (b.is_not && b.negated == a.text) {
                return "'" + a.text + "' and its negation are both required";
            }
            if (a.is_not && a.negated == b.text) {
                return "'" + b.text + "' and its negation are both required";
            }
            if (!a.test || !b.test || a.test->field_id != b.test->field_id) {
                continue;
            }
            const FieldTest& ta = *a.test;
            const FieldTest& tb = *b.test;
            bool clash = (!ta.negated && !tb.negated && ta.constant != tb.constant) ||
                         (ta.negated != tb.negated && ta.constant == tb.constant);
            if (clash) {
                return "'" + text_of(p, a.node) + "' and '" + text_of(p, b.node) +
                       "' cannot both be true";
            }
        }
    }
    return std::nullopt;
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
    case Op::And:
        for (std::uint32_t i = 0; i < n.count; ++i) {
            if (auto why = never_true(p, p.children[n.first + i])) {
                return why;
            }
        }
        return contradiction(p, n);
    default:
        return std::nullopt;
    }
}

using Strings = std::vector<std::string>; // sorted, no duplicates

std::optional<Strings>
required_strings(const Program& p, std::uint32_t index, std::uint32_t field) {
    const Node& n = p.nodes[index];
    switch (n.op) {
    case Op::False:
        return Strings{};
    case Op::Macro:
        return required_strings(p, n.first, field);
    case Op::Eq: {
        if (n.type != Type::String || n.lhs.is_field == n.rhs.is_field) {
            return std::nullopt;
        }
        const auto& f = n.lhs.is_field ? n.lhs : n.rhs;
        const auto& constant = n.lhs.is_field ? n.rhs : n.lhs;
        if (f.field_id != field) {
            return std::nullopt;
        }
        return Strings{std::string(p.constants[constant.slot].s)};
    }
    case Op::In: {
        const auto& set = p.sets[n.extra];
        if (!n.lhs.is_field || n.lhs.field_id != field || set.type != Type::String) {
            return std::nullopt;
        }
        return Strings(set.strings.begin(), set.strings.end()); // already sorted and unique
    }
    case Op::And: {
        std::optional<Strings> result;
        for (std::uint32_t i = 0; i < n.count; ++i) {
            auto part = required_strings(p, p.children[n.first + i], field);
            if (!part) {
                continue;
            }
            if (!result) {
                result = std::move(part);
                continue;
            }
            Strings both;
            std::set_intersection(result->begin(),
                                  result->end(),
                                  part->begin(),
                                  part->end(),
                                  std::back_inserter(both));
            result = std::move(both);
        }
        return result;
    }
    case Op::Or: {
        Strings result;
        for (std::uint32_t i = 0; i < n.count; ++i) {
            auto part = required_strings(p, p.children[n.first + i], field);
            if (!part) {
                return std::nullopt;
            }
            Strings either;
            std::set_union(result.begin(),
                           result.end(),
                           part->begin(),
                           part->end(),
                           std::back_inserter(either));
            result = std::move(either);
        }
        return result;
    }
    default:
        return std::nullopt;
    }
}

} // namespace

std::optional<std::vector<std::string>> Condition::required_strings(std::uint32_t field_id) const {
    if (program_ == nullptr) {
        return std::vector<std::string>{};
    }
    return condition::required_strings(*program_, program_->root, field_id);
}

std::optional<std::string> Condition::never_true_reason() const {
    if (program_ == nullptr) {
        return std::string("it is the constant false");
    }
    return never_true(*program_, program_->root);
}

} // namespace netdx::engine::condition
