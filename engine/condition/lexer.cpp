// SPDX-License-Identifier: GPL-2.0
#include "lexer.h"

#include <array>
#include <charconv>
#include <limits>

namespace netdx::engine::condition {

namespace {

bool is_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_hex(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
// Characters of a number or address token, taken greedily so that "80abc" or "10.0.0.1x" is
// one malformed literal rather than two confusing tokens.
bool is_literal_char(char c) {
    return is_letter(c) || is_digit(c) || c == ':' || c == '.' || c == '/';
}
// Characters of a name or dotted field name (dashes allow kebab-case list and macro ids).
bool is_word_char(char c) {
    return is_letter(c) || is_digit(c) || c == '.' || c == '-';
}

struct Keyword {
    std::string_view word;
    TokenKind kind;
};

constexpr std::array keywords = {
    Keyword{"and", TokenKind::And},
    Keyword{"or", TokenKind::Or},
    Keyword{"not", TokenKind::Not},
    Keyword{"in", TokenKind::In},
    Keyword{"contains", TokenKind::Contains},
    Keyword{"startswith", TokenKind::StartsWith},
    Keyword{"exists", TokenKind::Exists},
    Keyword{"true", TokenKind::True},
    Keyword{"false", TokenKind::False},
};

// The length of the valid UTF-8 sequence starting at text[i], or 0 if there is none.
std::size_t utf8_length(std::string_view text, std::size_t i) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char c = byte(i);
    std::size_t n = 0;
    unsigned min = 0;
    unsigned cp = 0;
    if (c < 0x80) {
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        n = 2;
        cp = c & 0x1fu;
        min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        n = 3;
        cp = c & 0x0fu;
        min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        n = 4;
        cp = c & 0x07u;
        min = 0x10000;
    } else {
        return 0;
    }
    if (i + n > text.size()) {
        return 0;
    }
    for (std::size_t k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (byte(i + k) & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return n;
}

void append_hex_byte(std::string& out, unsigned char c) {
    constexpr std::string_view digits = "0123456789abcdef";
    out += "\\x";
    out += digits[c >> 4];
    out += digits[c & 0xf];
}

} // namespace

std::optional<std::int64_t> parse_int(std::string_view text, bool& out_of_range) {
    out_of_range = false;
    bool negative = !text.empty() && text.front() == '-';
    std::string_view digits = negative ? text.substr(1) : text;
    int base = 10;
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
        base = 16;
        digits.remove_prefix(2);
    }
    if (digits.empty()) {
        return std::nullopt;
    }
    for (char c : digits) {
        if (base == 16 ? !is_hex(c) : !is_digit(c)) {
            return std::nullopt;
        }
    }
    std::uint64_t magnitude = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (ec != std::errc{} || end != digits.data() + digits.size() ||
        magnitude > (negative ? max + 1 : max)) {
        out_of_range = true;
        return std::nullopt;
    }
    if (negative) {
        // Written without overflow: -(max + 1) is the smallest int64.
        return magnitude == max + 1 ? std::numeric_limits<std::int64_t>::min()
                                    : -static_cast<std::int64_t>(magnitude);
    }
    return static_cast<std::int64_t>(magnitude);
}

std::string shown(std::string_view text) {
    return "'" + printable(text) + "'";
}

std::string printable(std::string_view text, std::size_t max_bytes) {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        if (i >= max_bytes) {
            out += "...";
            break;
        }
        auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            append_hex_byte(out, c);
        } else if (c >= 0x80) {
            std::size_t n = utf8_length(text, i);
            if (n == 0) {
                append_hex_byte(out, c);
            } else {
                out.append(text.substr(i, n));
                i += n;
                continue;
            }
        } else {
            out += static_cast<char>(c);
        }
        ++i;
    }
    return out;
}

std::string quoted(std::string_view value) {
    std::string out = "\"";
    for (char c : value) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            out += c;
        }
    }
    out += "\"";
    return out;
}

std::string_view keyword_in_other_case(std::string_view word) {
    for (const auto& k : keywords) {
        if (k.word.size() != word.size()) {
            continue;
        }
        bool same = true;
        for (std::size_t i = 0; i < word.size() && same; ++i) {
            char c = word[i];
            if (c >= 'A' && c <= 'Z') {
                c = static_cast<char>(c - 'A' + 'a');
            }
            same = c == k.word[i];
        }
        if (same && word != k.word) {
            return k.word;
        }
    }
    return {};
}

Token Lexer::make(TokenKind kind, std::size_t start, std::size_t end) const {
    Token t;
    t.kind = kind;
    t.offset = start;
    t.length = end - start;
    t.text = text_.substr(start, end - start);
    return t;
}

Token Lexer::error(std::size_t start, std::size_t length, std::string message, std::string hint) {
    Problem& p = problems_.emplace_back();
    p.code = &diag::condition_syntax;
    p.message = std::move(message);
    p.offset = start;
    p.length = length;
    if (!hint.empty()) {
        p.hints.push_back(std::move(hint));
    }
    // Nothing after a lexical error is read: the parser stops at an Invalid token.
    pos_ = text_.size();
    Token t = make(TokenKind::Invalid, start, start + length);
    return t;
}

void Lexer::bad_literal(Token& token, std::string message) {
    Problem& p = problems_.emplace_back();
    p.code = &diag::bad_literal;
    p.message = std::move(message);
    p.offset = token.offset;
    p.length = token.length;
    token.valid = false;
}

Token Lexer::next() {
    while (pos_ < text_.size() && is_space(text_[pos_])) {
        ++pos_;
    }
    if (pos_ >= text_.size()) {
        return make(TokenKind::End, text_.size(), text_.size());
    }
    char c = text_[pos_];
    if (c == '"' || c == '\'') {
        return lex_string();
    }
    if (is_hex(c) || c == ':') {
        // An IPv6 literal may start with a letter ("fd00::1"): a run of address characters
        // holding a ':' is an address, whatever it starts with.
        std::size_t end = pos_;
        bool colon = false;
        while (end < text_.size() && (is_hex(text_[end]) || text_[end] == ':' ||
                                      text_[end] == '.' || text_[end] == '/')) {
            colon = colon || text_[end] == ':';
            ++end;
        }
        if (colon) {
            return lex_address(pos_);
        }
    }
    if (is_letter(c)) {
        return lex_word();
    }
    if (is_digit(c) || (c == '-' && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1]))) {
        return lex_number();
    }
    return lex_operator();
}

Token Lexer::lex_string() {
    std::size_t start = pos_;
    char quote = text_[pos_++];
    std::string value;
    std::vector<std::size_t> bad_escapes;
    while (true) {
        if (pos_ >= text_.size()) {
            return error(start, text_.size() - start, "unterminated string");
        }
        char c = text_[pos_];
        if (c == quote) {
            ++pos_;
            break;
        }
        if (c != '\\') {
            value += c;
            ++pos_;
            continue;
        }
        if (pos_ + 1 >= text_.size()) {
            return error(start, text_.size() - start, "unterminated string");
        }
        char e = text_[pos_ + 1];
        switch (e) {
        case '"':
        case '\'':
        case '\\':
            value += e;
            break;
        case 'n':
            value += '\n';
            break;
        case 't':
            value += '\t';
            break;
        default:
            bad_escapes.push_back(pos_);
            value += '\\';
            value += e;
        }
        pos_ += 2;
    }
    Token t = make(TokenKind::String, start, pos_);
    t.string_value = std::move(value);
    for (std::size_t at : bad_escapes) {
        Problem& p = problems_.emplace_back();
        p.code = &diag::bad_literal;
        p.message = "unknown escape " + shown(text_.substr(at, 2)) + " in string";
        p.offset = at;
        p.length = 2;
        p.hints.push_back(R"(the escapes are \" \' \\ \n \t)");
        t.valid = false;
    }
    return t;
}

Token Lexer::lex_word() {
    std::size_t start = pos_;
    while (pos_ < text_.size() && is_word_char(text_[pos_])) {
        ++pos_;
    }
    std::string_view word = text_.substr(start, pos_ - start);
    if (word.find('.') == std::string_view::npos) {
        for (const auto& k : keywords) {
            if (k.word == word) {
                return make(k.kind, start, pos_);
            }
        }
        return make(TokenKind::Name, start, pos_);
    }
    // A field: segments [A-Za-z_][A-Za-z0-9_]* joined by single dots.
    bool ok = word.find('-') == std::string_view::npos;
    bool segment_start = true;
    for (char c : word) {
        if (c == '.') {
            ok = ok && !segment_start;
            segment_start = true;
        } else {
            ok = ok && (!segment_start || is_letter(c));
            segment_start = false;
        }
    }
    ok = ok && !segment_start;
    if (!ok) {
        return error(start,
                     word.size(),
                     "malformed field name " + shown(word),
                     "a field name is words of letters, digits and '_' joined by dots, e.g. "
                     "event.reason");
    }
    return make(TokenKind::Field, start, pos_);
}

Token Lexer::lex_number() {
    std::size_t start = pos_;
    ++pos_; // a digit, or the '-' before one
    while (pos_ < text_.size() && is_literal_char(text_[pos_])) {
        ++pos_;
    }
    std::string_view word = text_.substr(start, pos_ - start);
    if (word.front() != '-' && word.find_first_of("./") != std::string_view::npos) {
        return lex_address(start);
    }
    Token t = make(TokenKind::Int, start, pos_);
    bool out_of_range = false;
    if (auto v = parse_int(word, out_of_range)) {
        t.int_value = *v;
    } else if (out_of_range) {
        bad_literal(t, "integer " + shown(word) + " is out of range");
    } else {
        bad_literal(t, "malformed integer " + shown(word));
    }
    return t;
}

Token Lexer::lex_address(std::size_t start) {
    pos_ = start;
    while (pos_ < text_.size() && is_literal_char(text_[pos_])) {
        ++pos_;
    }
    std::string_view word = text_.substr(start, pos_ - start);
    bool v6 = word.find(':') != std::string_view::npos;
    if (word.find('/') != std::string_view::npos) {
        Token t = make(TokenKind::Cidr, start, pos_);
        auto cidr = Cidr::parse(word);
        if (cidr && (cidr->network().family() == IpFamily::V6) == v6) {
            t.cidr = *cidr;
        } else {
            bad_literal(
                t, std::string("malformed ") + (v6 ? "IPv6" : "IPv4") + " prefix " + shown(word));
        }
        return t;
    }
    Token t = make(TokenKind::Ip, start, pos_);
    auto ip = IpAddr::parse(word);
    if (ip && (ip->family() == IpFamily::V6) == v6) {
        t.ip = *ip;
    } else {
        bad_literal(t,
                    std::string("malformed ") + (v6 ? "IPv6" : "IPv4") + " address " + shown(word));
    }
    return t;
}

Token Lexer::lex_operator() {
    std::size_t start = pos_;
    char c = text_[pos_];
    char n = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
    auto two = [&](TokenKind kind) {
        pos_ += 2;
        return make(kind, start, pos_);
    };
    auto one = [&](TokenKind kind) {
        pos_ += 1;
        return make(kind, start, pos_);
    };
    switch (c) {
    case '(':
        return one(TokenKind::LParen);
    case ')':
        return one(TokenKind::RParen);
    case '[':
        return one(TokenKind::LBracket);
    case ']':
        return one(TokenKind::RBracket);
    case ',':
        return one(TokenKind::Comma);
    case '=':
        if (n == '=') {
            return two(TokenKind::Eq);
        }
        if (n == '~') {
            return two(TokenKind::Match);
        }
        return error(start, 1, "unexpected '='", "write '==' to compare");
    case '!':
        if (n == '=') {
            return two(TokenKind::Ne);
        }
        return error(start, 1, "unexpected '!'", "write 'not' to negate a condition");
    case '<':
        return n == '=' ? two(TokenKind::Le) : one(TokenKind::Lt);
    case '>':
        return n == '=' ? two(TokenKind::Ge) : one(TokenKind::Gt);
    case '&':
        return error(start,
                     n == '&' ? 2 : 1,
                     "unexpected " + shown(text_.substr(start, n == '&' ? 2 : 1)),
                     "write 'and'");
    case '|':
        return error(start,
                     n == '|' ? 2 : 1,
                     "unexpected " + shown(text_.substr(start, n == '|' ? 2 : 1)),
                     "write 'or'");
    default:
        break;
    }
    std::size_t length = utf8_length(text_, start);
    if (length == 0) {
        length = 1;
    }
    return error(start, length, "unexpected character " + shown(text_.substr(start, length)));
}

} // namespace netdx::engine::condition
