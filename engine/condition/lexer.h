// SPDX-License-Identifier: GPL-2.0
// Tokens of the condition language (the lexical part of the grammar in parser.h). The lexer is
// pulled one token at a time by the parser, so problems come out in the order of the text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../ip.h"
#include "condition.h"

namespace netdx::engine::condition {

enum class TokenKind : std::uint8_t {
    End,     // end of the text
    Invalid, // a lexical error, already reported (E010); the parser stops
    Name,    // a list or macro name: no dots
    Field,   // a dotted field name
    String,
    Int,
    Ip,
    Cidr,
    True,
    False,
    And,
    Or,
    Not,
    In,
    Contains,
    StartsWith,
    Exists,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Match, // =~
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
};

struct Token {
    TokenKind kind = TokenKind::End;
    std::size_t offset = 0;
    std::size_t length = 0;
    std::string_view text; // the token as written (strings with their quotes)
    // Literals only: false when the literal is malformed (an E014 problem was reported).
    bool valid = true;
    std::string string_value; // String: the text with escapes resolved
    std::int64_t int_value = 0;
    IpAddr ip;
    Cidr cidr;
};

class Lexer {
public:
    // `problems` receives lexical errors (E010) and malformed literals (E014).
    Lexer(std::string_view text, std::vector<Problem>& problems)
        : text_(text), problems_(problems) {}

    Token next();

private:
    Token make(TokenKind kind, std::size_t start, std::size_t end) const;
    Token lex_string();
    Token lex_word();
    Token lex_number();
    Token lex_address(std::size_t start);
    Token lex_operator();
    Token error(std::size_t start, std::size_t length, std::string message, std::string hint = {});
    void bad_literal(Token& token, std::string message);

    std::string_view text_;
    std::vector<Problem>& problems_;
    std::size_t pos_ = 0;
};

// Parses an integer as the language writes it: decimal or 0x hex, with an optional leading '-'.
// Sets `out_of_range` when the text is a well-formed integer that does not fit in 64 bits.
std::optional<std::int64_t> parse_int(std::string_view text, bool& out_of_range);

// Text as shown inside a message: non-printable bytes and invalid UTF-8 as \xNN, newlines and
// tabs as \n and \t, and cut after `max_bytes` bytes of input with "...".
std::string printable(std::string_view text, std::size_t max_bytes = 40);
// The same, quoted with '...': how messages show a token or name.
std::string shown(std::string_view text);

// A string literal in canonical form: double quotes, with \" \\ \n \t escaped.
std::string quoted(std::string_view value);

// The keyword `word` spells in upper or mixed case ("AND" -> "and"), or "" if none.
std::string_view keyword_in_other_case(std::string_view word);

} // namespace netdx::engine::condition
