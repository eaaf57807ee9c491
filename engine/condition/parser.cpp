// SPDX-License-Identifier: GPL-2.0
#include "parser.h"

#include <string>
#include <utility>

#include "lexer.h"

namespace netdx::engine::condition {

namespace ast {
std::string_view op_text(BinaryOp op) {
    switch (op) {
    case BinaryOp::Eq:
        return "==";
    case BinaryOp::Ne:
        return "!=";
    case BinaryOp::Lt:
        return "<";
    case BinaryOp::Le:
        return "<=";
    case BinaryOp::Gt:
        return ">";
    case BinaryOp::Ge:
        return ">=";
    case BinaryOp::In:
        return "in";
    case BinaryOp::Contains:
        return "contains";
    case BinaryOp::StartsWith:
        return "startswith";
    case BinaryOp::Matches:
        return "=~";
    }
    return "?";
}
} // namespace ast

namespace {

using ast::Expr;
using ast::ExprKind;
using ast::Span;

bool is_literal(TokenKind k) {
    switch (k) {
    case TokenKind::String:
    case TokenKind::Int:
    case TokenKind::Ip:
    case TokenKind::Cidr:
    case TokenKind::True:
    case TokenKind::False:
        return true;
    default:
        return false;
    }
}

bool is_operand_start(TokenKind k) {
    return is_literal(k) || k == TokenKind::Field || k == TokenKind::Name;
}

std::optional<ast::BinaryOp> binary_op(TokenKind k) {
    switch (k) {
    case TokenKind::Eq:
        return ast::BinaryOp::Eq;
    case TokenKind::Ne:
        return ast::BinaryOp::Ne;
    case TokenKind::Lt:
        return ast::BinaryOp::Lt;
    case TokenKind::Le:
        return ast::BinaryOp::Le;
    case TokenKind::Gt:
        return ast::BinaryOp::Gt;
    case TokenKind::Ge:
        return ast::BinaryOp::Ge;
    case TokenKind::Contains:
        return ast::BinaryOp::Contains;
    case TokenKind::StartsWith:
        return ast::BinaryOp::StartsWith;
    case TokenKind::Match:
        return ast::BinaryOp::Matches;
    default:
        return std::nullopt;
    }
}

Span span_of(const Token& t) {
    return {t.offset, t.length};
}

class Parser {
public:
    Parser(std::string_view text, std::vector<Problem>& problems)
        : lexer_(text, problems), problems_(problems) {}

    std::optional<Expr> run() {
        advance();
        if (tok_.kind == TokenKind::End) {
            syntax_error({0, 0}, "empty condition");
            return std::nullopt;
        }
        auto e = parse_or();
        if (!e) {
            return std::nullopt;
        }
        if (tok_.kind != TokenKind::End) {
            unexpected_after_expression(false);
            return std::nullopt;
        }
        return e;
    }

private:
    void advance() {
        if (started_) {
            prev_ = std::move(tok_);
            has_prev_ = true;
        }
        started_ = true;
        tok_ = lexer_.next();
    }

    // Appends a syntax error, unless the current token is a lexical error the lexer already
    // reported: that one is the cause of whatever fails next.
    void syntax_error(Span at, std::string message, std::vector<std::string> hints = {}) {
        if (tok_.kind == TokenKind::Invalid) {
            return;
        }
        Problem& p = problems_.emplace_back();
        p.code = &diag::condition_syntax;
        p.message = std::move(message);
        p.offset = at.offset;
        p.length = at.length;
        p.hints = std::move(hints);
    }

    // "expected <what> after '<previous token>', found '<current token>'".
    void expected(std::string_view what, std::vector<std::string> hints = {}) {
        std::string after = has_prev_ ? " after " + shown(prev_.text) : std::string();
        std::string message;
        if (tok_.kind == TokenKind::End) {
            message = "unexpected end of condition: expected " + std::string(what) + after;
        } else {
            message = "expected " + std::string(what) + after + ", found " + shown(tok_.text);
        }
        if (tok_.kind == TokenKind::Name) {
            auto keyword = keyword_in_other_case(tok_.text);
            if (!keyword.empty()) {
                hints.push_back("keywords are lower-case: write '" + std::string(keyword) + "'");
            }
        }
        syntax_error(span_of(tok_), std::move(message), std::move(hints));
    }

    void unexpected_after_expression(bool in_parens) {
        if (!in_parens && tok_.kind == TokenKind::RParen) {
            syntax_error(span_of(tok_), "unbalanced ')'");
        } else if (last_bare_) {
            expected("an operator");
        } else {
            expected(in_parens ? "'and', 'or' or ')'" : "'and', 'or' or the end of the condition");
        }
    }

    bool enter(const Token& at) {
        if (++depth_ > max_nesting) {
            syntax_error(span_of(at),
                         "condition nested too deeply (more than " + std::to_string(max_nesting) +
                             " levels of parentheses and 'not')");
            return false;
        }
        return true;
    }

    std::optional<Expr> parse_chain(TokenKind op, ExprKind kind) {
        auto first = op == TokenKind::Or ? parse_and() : parse_not();
        if (!first || tok_.kind != op) {
            return first;
        }
        Expr chain;
        chain.kind = kind;
        chain.op_span = span_of(tok_);
        chain.children.push_back(std::move(*first));
        while (tok_.kind == op) {
            advance();
            auto next = op == TokenKind::Or ? parse_and() : parse_not();
            if (!next) {
                return std::nullopt;
            }
            chain.children.push_back(std::move(*next));
        }
        chain.span = ast::cover(chain.children.front().span, chain.children.back().span);
        return chain;
    }

    std::optional<Expr> parse_or() { return parse_chain(TokenKind::Or, ExprKind::Or); }
    std::optional<Expr> parse_and() { return parse_chain(TokenKind::And, ExprKind::And); }

    std::optional<Expr> parse_not() {
        if (tok_.kind != TokenKind::Not) {
            return parse_primary();
        }
        Token op = tok_;
        if (!enter(op)) {
            return std::nullopt;
        }
        advance();
        auto operand = parse_not();
        if (!operand) {
            return std::nullopt;
        }
        --depth_;
        Expr e;
        e.kind = ExprKind::Not;
        e.op_span = span_of(op);
        e.span = ast::cover(e.op_span, operand->span);
        e.children.push_back(std::move(*operand));
        return e;
    }

    std::optional<Expr> parse_primary() {
        if (tok_.kind == TokenKind::LParen) {
            Token open = tok_;
            if (!enter(open)) {
                return std::nullopt;
            }
            advance();
            auto inner = parse_or();
            if (!inner) {
                return std::nullopt;
            }
            if (tok_.kind == TokenKind::End) {
                syntax_error(span_of(open), "unbalanced '(': missing ')'");
                return std::nullopt;
            }
            if (tok_.kind != TokenKind::RParen) {
                unexpected_after_expression(true);
                return std::nullopt;
            }
            inner->span = ast::cover(span_of(open), span_of(tok_));
            advance();
            --depth_;
            last_bare_ = false;
            return inner;
        }
        if (is_operand_start(tok_.kind)) {
            return parse_predicate();
        }
        std::vector<std::string> hints;
        if (tok_.kind == TokenKind::LBracket) {
            hints.emplace_back("a list can only follow 'in'");
        }
        expected("a condition", std::move(hints));
        return std::nullopt;
    }

    std::optional<Expr> parse_predicate() {
        last_bare_ = false;
        Expr lhs = parse_operand();
        if (auto op = binary_op(tok_.kind)) {
            Span op_span = span_of(tok_);
            advance();
            if (!is_operand_start(tok_.kind)) {
                std::vector<std::string> hints;
                if (tok_.kind == TokenKind::LBracket) {
                    hints.emplace_back("a list can only follow 'in'");
                } else if (tok_.kind == TokenKind::LParen) {
                    hints.emplace_back("parentheses group conditions, not values");
                }
                expected("a value", std::move(hints));
                return std::nullopt;
            }
            return binary(*op, op_span, std::move(lhs), parse_operand());
        }
        if (tok_.kind == TokenKind::In) {
            Span op_span = span_of(tok_);
            advance();
            if (tok_.kind == TokenKind::LBracket) {
                auto list = parse_list();
                if (!list) {
                    return std::nullopt;
                }
                return binary(ast::BinaryOp::In, op_span, std::move(lhs), std::move(*list));
            }
            if (!is_operand_start(tok_.kind)) {
                expected("a list");
                return std::nullopt;
            }
            return binary(ast::BinaryOp::In, op_span, std::move(lhs), parse_operand());
        }
        if (tok_.kind == TokenKind::Exists) {
            Expr e;
            e.kind = ExprKind::Exists;
            e.op_span = span_of(tok_);
            e.span = ast::cover(lhs.span, e.op_span);
            e.children.push_back(std::move(lhs));
            advance();
            return e;
        }
        last_bare_ = true;
        return lhs;
    }

    static Expr binary(ast::BinaryOp op, Span op_span, Expr lhs, Expr rhs) {
        Expr e;
        e.kind = ExprKind::Binary;
        e.op = op;
        e.op_span = op_span;
        e.span = ast::cover(lhs.span, rhs.span);
        e.children.push_back(std::move(lhs));
        e.children.push_back(std::move(rhs));
        return e;
    }

    // The operand at the current token (which is_operand_start accepts).
    Expr parse_operand() {
        Expr e;
        e.span = span_of(tok_);
        e.source = tok_.text;
        e.valid = tok_.valid;
        switch (tok_.kind) {
        case TokenKind::Field:
            e.kind = ExprKind::Field;
            e.text = std::string(tok_.text);
            break;
        case TokenKind::Name:
            e.kind = ExprKind::Name;
            e.text = std::string(tok_.text);
            break;
        case TokenKind::String:
            e.literal = ast::LiteralKind::String;
            e.text = std::move(tok_.string_value);
            break;
        case TokenKind::Int:
            e.literal = ast::LiteralKind::Int;
            e.int_value = tok_.int_value;
            break;
        case TokenKind::Ip:
            e.literal = ast::LiteralKind::Ip;
            e.ip = tok_.ip;
            break;
        case TokenKind::Cidr:
            e.literal = ast::LiteralKind::Cidr;
            e.cidr = tok_.cidr;
            break;
        default: // true, false
            e.literal = ast::LiteralKind::Bool;
            e.bool_value = tok_.kind == TokenKind::True;
            break;
        }
        advance();
        return e;
    }

    std::optional<Expr> parse_list() {
        Token open = tok_;
        Expr list;
        list.kind = ExprKind::List;
        advance();
        if (tok_.kind != TokenKind::RBracket) {
            while (true) {
                if (is_literal(tok_.kind)) {
                    list.children.push_back(parse_operand());
                } else if (tok_.kind == TokenKind::End) {
                    syntax_error(span_of(open), "unbalanced '[': missing ']'");
                    return std::nullopt;
                } else if (tok_.kind == TokenKind::Field || tok_.kind == TokenKind::Name) {
                    std::vector<std::string> hints;
                    if (tok_.kind == TokenKind::Name) {
                        hints.push_back("write \"" + std::string(tok_.text) +
                                        "\" in quotes if you meant text");
                    }
                    syntax_error(span_of(tok_),
                                 "list items must be literals, found " + shown(tok_.text),
                                 std::move(hints));
                    return std::nullopt;
                } else if (list.children.empty()) {
                    expected("a value or ']'");
                    return std::nullopt;
                } else {
                    std::vector<std::string> hints;
                    if (tok_.kind == TokenKind::RBracket) {
                        hints.emplace_back("remove the trailing ','");
                    }
                    expected("a value", std::move(hints));
                    return std::nullopt;
                }
                if (tok_.kind == TokenKind::Comma) {
                    advance();
                    continue;
                }
                if (tok_.kind == TokenKind::RBracket) {
                    break;
                }
                if (tok_.kind == TokenKind::End) {
                    syntax_error(span_of(open), "unbalanced '[': missing ']'");
                } else {
                    expected("',' or ']'");
                }
                return std::nullopt;
            }
        }
        list.span = ast::cover(span_of(open), span_of(tok_));
        advance();
        return list;
    }

    Lexer lexer_;
    std::vector<Problem>& problems_;
    Token tok_;
    Token prev_;
    bool started_ = false;
    bool has_prev_ = false;
    std::size_t depth_ = 0;
    bool last_bare_ = false; // the last predicate parsed was an operand alone
};

} // namespace

std::optional<ast::Expr> parse(std::string_view text, std::vector<Problem>& problems) {
    Parser parser(text, problems);
    return parser.run();
}

} // namespace netdx::engine::condition
