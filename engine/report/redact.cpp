// SPDX-License-Identifier: GPL-2.0
#include "redact.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <nlohmann/json.hpp>

#include "../ip.h"

namespace netdx::engine {
namespace {

constexpr std::array<std::string_view, 5> token_prefixes = {"ip-", "ip6-", "mac-", "host-", "ns-"};

// Names that identify nothing: netdx's name for the initial namespace, the loopback host name.
constexpr std::array<std::string_view, 3> kept_names = {
    "host", "localhost", "localhost.localdomain"};

// A name shorter than this is replaced in its own fields only: inside prose a netns called "a"
// is indistinguishable from the word.
constexpr std::size_t min_prose_name = 2;

bool is_addr_char(char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':';
}

bool is_word_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Characters of namespace and host names, besides '.': "blue" in "netns blue." is a whole word,
// "blue" in "blue-2" is not.
bool is_name_char(char c) {
    return is_word_char(c) || c == '-';
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
    });
}

// Dotted-quad IPv4, each part 1 to 3 digits up to 255.
bool parse_ipv4(std::string_view text, std::array<unsigned, 4>& parts) {
    std::size_t n = 0;
    while (true) {
        auto dot = text.find('.');
        auto part = text.substr(0, dot);
        if (n == parts.size() || !all_digits(part) || part.size() > 3) {
            return false;
        }
        std::from_chars(part.data(), part.data() + part.size(), parts[n]);
        if (parts[n++] > 255) {
            return false;
        }
        if (dot == std::string_view::npos) {
            return n == parts.size();
        }
        text.remove_prefix(dot + 1);
    }
}

bool parse_port(std::string_view text) {
    unsigned port = 0;
    return all_digits(text) && text.size() <= 5 &&
           std::from_chars(text.data(), text.data() + text.size(), port).ec == std::errc{} &&
           port <= 65535;
}

// aa:bb:cc:dd:ee:ff, either case.
bool is_mac(std::string_view text) {
    if (text.size() != 17) {
        return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        bool ok = i % 3 == 2 ? text[i] == ':' : std::isxdigit(static_cast<unsigned char>(text[i]));
        if (!ok) {
            return false;
        }
    }
    return true;
}

bool kept_ipv4(const std::array<unsigned, 4>& p) {
    bool loopback = p[0] == 127;
    bool unspecified = p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 0;
    bool broadcast = p[0] == 255 && p[1] == 255 && p[2] == 255 && p[3] == 255;
    return loopback || unspecified || broadcast;
}

std::string dotted(const std::array<unsigned, 4>& p) {
    return std::to_string(p[0]) + "." + std::to_string(p[1]) + "." + std::to_string(p[2]) + "." +
           std::to_string(p[3]);
}

} // namespace

bool Redactor::is_new_name(std::string_view name) const {
    return !name.empty() && !exact_name(name) &&
           std::find(kept_names.begin(), kept_names.end(), name) == kept_names.end();
}

void Redactor::add_hostname(std::string_view name) {
    if (!is_new_name(name)) {
        return;
    }
    const std::string tok = token(Kind::Host, std::string(name));
    add_name(name, tok);
    // web-01.example.com is also called web-01 in prose.
    auto label = name.substr(0, name.find('.'));
    if (label.size() < name.size() && is_new_name(label)) {
        add_name(label, tok);
    }
}

void Redactor::add_netns(std::string_view name) {
    if (!is_new_name(name)) {
        return;
    }
    add_name(name, token(Kind::Netns, std::string(name)));
}

void Redactor::add_name(std::string_view name, const std::string& tok) {
    names_.push_back({std::string(name), tok});
    // Longest first: "blue-2" must win over "blue" where both would match.
    std::stable_sort(names_.begin(), names_.end(), [](const Name& a, const Name& b) {
        return a.name.size() > b.name.size();
    });
}

const std::string& Redactor::token(Kind kind, const std::string& canonical) {
    auto k = static_cast<std::size_t>(kind);
    std::string key = std::to_string(k) + ":" + canonical;
    auto it = tokens_.find(key);
    if (it == tokens_.end()) {
        it =
            tokens_.emplace(key, std::string(token_prefixes[k]) + std::to_string(next_[k]++)).first;
    }
    return it->second;
}

const Redactor::Name* Redactor::exact_name(std::string_view value) const {
    for (const auto& n : names_) {
        if (n.name == value) {
            return &n;
        }
    }
    return nullptr;
}

const Redactor::Name* Redactor::name_at(std::string_view text, std::size_t pos) const {
    for (const auto& n : names_) {
        std::size_t end = pos + n.name.size();
        if (n.name.size() >= min_prose_name && text.compare(pos, n.name.size(), n.name) == 0 &&
            (end == text.size() || !is_name_char(text[end]))) {
            return &n;
        }
    }
    return nullptr;
}

std::string Redactor::redact_run(std::string_view run) {
    // Punctuation after the address belongs to the prose: "to 10.0.0.2.", "from 10.0.0.2: ...".
    // A final "::" is part of an IPv6 address (fd00::).
    std::string_view core = run;
    while (!core.empty() && core.back() == '.') {
        core.remove_suffix(1);
    }
    if (core.size() >= 2 && core.back() == ':' && core[core.size() - 2] != ':') {
        core.remove_suffix(1);
    }
    if (core.empty()) {
        return {};
    }
    const std::string_view tail = run.substr(core.size());

    // IPv4, alone or as addr:port.
    if (core.find('.') != std::string_view::npos) {
        auto colon = core.find(':');
        std::array<unsigned, 4> parts{};
        if (colon != std::string_view::npos &&
            core.find(':', colon + 1) == std::string_view::npos &&
            parse_ipv4(core.substr(0, colon), parts) && parse_port(core.substr(colon + 1))) {
            return kept_ipv4(parts) ? std::string()
                                    : token(Kind::Ipv4, dotted(parts)) +
                                          std::string(core.substr(colon)) + std::string(tail);
        }
        if (colon == std::string_view::npos && parse_ipv4(core, parts)) {
            return kept_ipv4(parts) ? std::string()
                                    : token(Kind::Ipv4, dotted(parts)) + std::string(tail);
        }
    }
    if (is_mac(core)) {
        std::string mac(core);
        std::transform(mac.begin(), mac.end(), mac.begin(), [](char c) {
            return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        });
        if (mac == "00:00:00:00:00:00" || mac == "ff:ff:ff:ff:ff:ff") {
            return {};
        }
        return token(Kind::Mac, mac) + std::string(tail);
    }
    // IPv6: inet_pton decides (it needs at least two colons). The longest textual form is 45.
    if (std::count(core.begin(), core.end(), ':') >= 2 && core.size() <= 45) {
        auto ip = IpAddr::parse(core);
        if (!ip || ip->family() != IpFamily::V6) {
            return {};
        }
        const auto& b = ip->bytes();
        bool zero_prefix = std::all_of(b.begin(), b.begin() + 10, [](auto x) { return x == 0; });
        if (zero_prefix && b[10] == 0xff && b[11] == 0xff) {
            // IPv4-mapped (::ffff:10.0.0.2): the IPv4 address keeps its own token.
            std::array<unsigned, 4> parts{b[12], b[13], b[14], b[15]};
            return kept_ipv4(parts)
                       ? std::string()
                       : "::ffff:" + token(Kind::Ipv4, dotted(parts)) + std::string(tail);
        }
        bool zero_head =
            zero_prefix && b[10] == 0 && b[11] == 0 && b[12] == 0 && b[13] == 0 && b[14] == 0;
        if (zero_head && b[15] <= 1) { // :: and ::1
            return {};
        }
        return token(Kind::Ipv6, ip->to_string()) + std::string(tail);
    }
    return {};
}

std::string Redactor::text(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    std::size_t i = 0;
    while (i < in.size()) {
        if (i == 0 || !is_name_char(in[i - 1])) {
            if (const Name* n = name_at(in, i)) {
                out += n->token;
                i += n->name.size();
                continue;
            }
        }
        if (is_addr_char(in[i])) {
            std::size_t j = i;
            while (j < in.size() && is_addr_char(in[j])) {
                ++j;
            }
            auto run = in.substr(i, j - i);
            bool alone =
                (i == 0 || !is_word_char(in[i - 1])) && (j == in.size() || !is_word_char(in[j]));
            std::string replaced = alone ? redact_run(run) : std::string();
            out += replaced.empty() ? std::string(run) : replaced;
            i = j;
            continue;
        }
        out += in[i++];
    }
    return out;
}

void Redactor::walk(nlohmann::json& value, std::string_view key) {
    if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it) {
            walk(it.value(), it.key());
        }
        return;
    }
    if (value.is_array()) {
        for (auto& item : value) {
            walk(item, key);
        }
        return;
    }
    if (!value.is_string()) {
        return;
    }
    // Values that are never addresses or names; a four-part kernel release (4.19.0.1) must stay.
    if (key == "schema" || key == "kernel" || key == "version") {
        return;
    }
    const auto& s = value.get_ref<const std::string&>();
    if (key == "hostname" || key == "netns" || key == "netns_name") {
        if (const Name* n = exact_name(s)) {
            value = n->token;
            return;
        }
    }
    value = text(s);
}

void Redactor::report(nlohmann::json& doc) {
    if (!doc.is_object()) {
        return;
    }
    auto string_at = [](const nlohmann::json& j, const char* key) -> std::string {
        auto it = j.find(key);
        return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (auto host = doc.find("host"); host != doc.end() && host->is_object()) {
        add_hostname(string_at(*host, "hostname"));
    }
    if (auto filters = doc.find("filters"); filters != doc.end() && filters->is_object()) {
        add_netns(string_at(*filters, "netns"));
    }
    if (auto findings = doc.find("findings"); findings != doc.end() && findings->is_array()) {
        for (const auto& f : *findings) {
            if (!f.is_object()) {
                continue;
            }
            add_netns(string_at(f, "netns"));
            if (auto ev = f.find("evidence"); ev != f.end() && ev->is_array()) {
                for (const auto& e : *ev) {
                    if (e.is_object()) {
                        add_netns(string_at(e, "netns_name"));
                    }
                }
            }
        }
    }
    walk(doc, "");
    doc["redacted"] = true;
}

} // namespace netdx::engine
