// SPDX-License-Identifier: GPL-2.0
#include "fixture.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "diagnoser.h"
#include "event_json.h"

namespace netdx::engine {
namespace {

constexpr std::array<std::string_view, 6> fixture_keys = {
    "name", "events", "facts", "expect", "absent", "exclusive"};
constexpr std::array<std::string_view, 15> event_keys = {"kind",
                                                         "reason",
                                                         "reason_code",
                                                         "location",
                                                         "stack",
                                                         "packet",
                                                         "netns",
                                                         "netns_inode",
                                                         "dev",
                                                         "ifindex",
                                                         "comm",
                                                         "pid",
                                                         "at_ms",
                                                         "repeat",
                                                         "trace"};
constexpr std::array<std::string_view, 5> expect_keys = {
    "rule", "level", "category", "count", "message"};
constexpr std::uint64_t fixture_epoch_ns = 1'700'000'000'000'000'000ULL;

std::vector<std::string_view> split_words(std::string_view text) {
    std::vector<std::string_view> words;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && text[i] == ' ') {
            ++i;
        }
        std::size_t start = i;
        while (i < text.size() && text[i] != ' ') {
            ++i;
        }
        if (i > start) {
            words.push_back(text.substr(start, i - start));
        }
    }
    return words;
}

template <class T>
bool parse_number(std::string_view text, T& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size();
}

// "10.0.0.1:80", "[fd00::1]:53", "10.0.0.1" (no port) into address and port.
std::optional<std::string>
parse_endpoint(std::string_view text, IpAddr& addr, std::uint16_t& port, bool& has_port) {
    std::string_view host = text;
    has_port = false;
    if (text.starts_with('[')) {
        auto close = text.find(']');
        if (close == std::string_view::npos) {
            return "unclosed '[' in '" + std::string(text) + "'";
        }
        host = text.substr(1, close - 1);
        if (close + 1 < text.size()) {
            if (text[close + 1] != ':' || !parse_number(text.substr(close + 2), port)) {
                return "bad port in '" + std::string(text) + "'";
            }
            has_port = true;
        }
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        auto colon = text.find(':');
        host = text.substr(0, colon);
        if (!parse_number(text.substr(colon + 1), port)) {
            return "bad port in '" + std::string(text) + "'";
        }
        has_port = true;
    }
    auto parsed = IpAddr::parse(host);
    if (!parsed) {
        return "'" + std::string(host) + "' is not an address";
    }
    addr = *parsed;
    return std::nullopt;
}

std::optional<std::uint8_t> tcp_flags_from(std::string_view text) {
    constexpr std::array<std::string_view, 8> names = {
        "FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
    std::uint8_t flags = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto comma = text.find(',', start);
        auto name = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
        auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end()) {
            return std::nullopt;
        }
        flags |= static_cast<std::uint8_t>(1u << (it - names.begin()));
        if (comma == std::string_view::npos) {
            break;
        }
        start = comma + 1;
    }
    return flags;
}

nlohmann::json yaml_to_json(const YAML::Node& node) {
    if (node.IsMap()) {
        nlohmann::json j = nlohmann::json::object();
        for (const auto& kv : node) {
            j[kv.first.Scalar()] = yaml_to_json(kv.second);
        }
        return j;
    }
    if (node.IsSequence()) {
        nlohmann::json j = nlohmann::json::array();
        for (const auto& item : node) {
            j.push_back(yaml_to_json(item));
        }
        return j;
    }
    if (!node.IsScalar()) {
        return nullptr;
    }
    const std::string& s = node.Scalar();
    std::int64_t i = 0;
    if (node.Tag() != "!" && parse_number(std::string_view(s), i)) {
        return i;
    }
    if (node.Tag() != "!" && (s == "true" || s == "false")) {
        return s == "true";
    }
    return s;
}

class FixtureReader {
public:
    FixtureReader(std::string path, std::string_view text, Diagnostics& diags)
        : path_(std::move(path)), text_(text), diags_(diags) {}

    // `line_offset`: lines before the node's document (NDJSON: the line's number - 1).
    std::optional<Fixture> read_fixture(const YAML::Node& node, std::size_t line_offset);
    bool read_event(const YAML::Node& node, Fixture& fixture, std::size_t index);

private:
    SourceLoc loc_of(const YAML::Node& node) const;
    Diagnostic& report(const DiagCode& code, std::string message, const YAML::Node& node);
    void check_keys(const YAML::Node& map,
                    std::span<const std::string_view> known,
                    std::string_view where);
    std::optional<std::string> text(const YAML::Node& map, const char* key);

    std::string path_;
    std::string_view text_;
    Diagnostics& diags_;
    std::size_t line_offset_ = 0;
};

SourceLoc FixtureReader::loc_of(const YAML::Node& node) const {
    auto mark = node.Mark();
    if (mark.is_null()) {
        return SourceLoc{path_, line_offset_ + 1, 1};
    }
    return SourceLoc{path_,
                     line_offset_ + static_cast<std::size_t>(mark.line) + 1,
                     static_cast<std::size_t>(mark.column) + 1};
}

Diagnostic&
FixtureReader::report(const DiagCode& code, std::string message, const YAML::Node& node) {
    Diagnostic& d = diags_.add(code, std::move(message), loc_of(node));
    d.snippet.text = std::string(line_of(text_, d.loc.line));
    d.snippet.column = d.loc.col;
    return d;
}

void FixtureReader::check_keys(const YAML::Node& map,
                               std::span<const std::string_view> known,
                               std::string_view where) {
    std::vector<std::string_view> candidates(known.begin(), known.end());
    for (const auto& kv : map) {
        const std::string& key = kv.first.Scalar();
        if (std::find(known.begin(), known.end(), key) == known.end()) {
            auto& d = report(diag::unknown_key,
                             "unknown key '" + key + "' in " + std::string(where) + " is ignored",
                             kv.first);
            auto guess = closest_match(key, candidates);
            if (!guess.empty()) {
                d.hints.push_back("did you mean '" + guess + "'?");
            }
        }
    }
}

std::optional<std::string> FixtureReader::text(const YAML::Node& map, const char* key) {
    auto n = map[key];
    if (!n) {
        return std::nullopt;
    }
    if (!n.IsScalar()) {
        report(diag::wrong_type, std::string("'") + key + "' must be text", n);
        return std::nullopt;
    }
    return n.Scalar();
}

bool FixtureReader::read_event(const YAML::Node& node, Fixture& fixture, std::size_t index) {
    if (!node.IsMap()) {
        report(diag::wrong_type, "an event must be a mapping", node);
        return false;
    }
    Event ev;
    std::size_t repeat = 1;
    if (node["pkt"] || node["drop"] || node["ts_ns"]) {
        // The JSON of a recorded event (netdx.report/1 evidence, --record lines).
        auto parsed = event_from_json(yaml_to_json(node));
        if (!parsed) {
            report(diag::wrong_type, parsed.error().message, node);
            return false;
        }
        ev = std::move(*parsed);
    } else {
        check_keys(node, event_keys, "an event");
        bool ok = true;
        if (auto kind = text(node, "kind")) {
            auto k = parse_event_kind(*kind);
            if (!k) {
                report(
                    diag::unknown_event_kind, "unknown event kind '" + *kind + "'", node["kind"]);
                ok = false;
            } else {
                ev.kind = *k;
            }
        }
        if (auto reason = text(node, "reason")) {
            ev.drop.reason = *reason;
        }
        if (auto code = node["reason_code"]) {
            ev.drop.reason_code = code.as<std::uint32_t>(0);
        }
        auto frame_of = [](const std::string& s) {
            Frame f;
            auto plus = s.find("+0x");
            f.symbol = s.substr(0, plus);
            if (plus != std::string::npos) {
                f.offset = std::strtoull(s.c_str() + plus + 3, nullptr, 16);
            }
            return f;
        };
        if (auto stack = node["stack"]) {
            if (!stack.IsSequence()) {
                report(diag::wrong_type, "'stack' must be a list of function names", stack);
                ok = false;
            } else {
                for (const auto& f : stack) {
                    ev.drop.stack.push_back(frame_of(f.Scalar()));
                }
            }
        }
        if (auto location = text(node, "location")) {
            ev.drop.location = frame_of(*location);
            if (ev.drop.stack.empty()) {
                ev.drop.stack.push_back(ev.drop.location);
            }
        } else if (!ev.drop.stack.empty()) {
            ev.drop.location = ev.drop.stack.front();
        }
        if (auto packet = text(node, "packet")) {
            if (auto error = parse_packet_text(*packet, ev.pkt)) {
                report(diag::bad_literal, "bad packet: " + *error, node["packet"])
                    .hints.push_back("write e.g. \"TCP 10.0.0.1:41234 -> 10.0.0.2:80 SYN\"");
                ok = false;
            }
        }
        if (auto netns = text(node, "netns")) {
            ev.netns_name = *netns;
        }
        ev.netns = node["netns_inode"] ? node["netns_inode"].as<std::uint32_t>(0)
                                       : (ev.netns_name.empty() ? 0 : 4026532000u);
        if (auto dev = text(node, "dev")) {
            ev.dev = *dev;
            ev.ifindex = node["ifindex"] ? node["ifindex"].as<std::uint32_t>(0) : 2;
        }
        if (auto trace = node["trace"]) {
            // What a tracepoint other than kfree_skb said, as the report's event.trace object.
            if (!trace.IsMap()) {
                report(diag::wrong_type, "'trace' must map trace fields to values", trace);
                ok = false;
            } else {
                try {
                    ev.trace = trace_from_json(yaml_to_json(trace));
                } catch (const nlohmann::json::exception& e) {
                    report(diag::wrong_type, std::string("bad trace field: ") + e.what(), trace);
                    ok = false;
                }
            }
        }
        if (auto comm = text(node, "comm")) {
            ev.comm = *comm;
        }
        if (auto pid = node["pid"]) {
            ev.pid = pid.as<std::uint32_t>(0);
        }
        // Events are 1 ms apart unless they say when they happened.
        double at_ms = static_cast<double>(index);
        if (auto at = node["at_ms"]) {
            at_ms = at.as<double>(at_ms);
        }
        ev.ts_ns = fixture_epoch_ns + static_cast<std::uint64_t>(at_ms * 1e6);
        if (auto r = node["repeat"]) {
            repeat = r.as<std::size_t>(1);
            if (repeat == 0 || repeat > 100000) {
                report(diag::wrong_type, "'repeat' must be between 1 and 100000", r);
                ok = false;
            }
        }
        if (!ok) {
            return false;
        }
    }
    for (std::size_t i = 0; i < repeat; ++i) {
        fixture.events.push_back(ev);
        ev.ts_ns += 1'000'000; // repeats 1 ms apart
    }
    return true;
}

std::optional<Fixture> FixtureReader::read_fixture(const YAML::Node& node,
                                                   std::size_t line_offset) {
    line_offset_ = line_offset;
    if (!node.IsMap()) {
        report(diag::wrong_type, "a fixture must be a mapping with name, events and expect", node);
        return std::nullopt;
    }
    check_keys(node, fixture_keys, "a fixture");
    Fixture f;
    f.loc = loc_of(node);
    bool ok = true;
    if (auto name = text(node, "name")) {
        f.name = *name;
    } else {
        report(diag::missing_key, "fixture has no 'name'", node);
        ok = false;
    }
    if (auto events = node["events"]) {
        if (!events.IsSequence()) {
            report(diag::wrong_type, "'events' must be a list", events);
            ok = false;
        } else {
            std::size_t index = 0;
            for (const auto& ev : events) {
                ok = read_event(ev, f, index++) && ok;
            }
        }
    }
    if (auto facts = node["facts"]) {
        if (!facts.IsMap()) {
            report(diag::wrong_type, "'facts' must map fact names to values", facts);
            ok = false;
        } else {
            for (const auto& kv : facts) {
                auto value = yaml_to_json(kv.second);
                FactValue v;
                if (value.is_boolean()) {
                    v = value.get<bool>();
                } else if (value.is_number_integer()) {
                    v = value.get<std::int64_t>();
                } else if (value.is_string()) {
                    v = value.get<std::string>();
                }
                f.facts[kv.first.Scalar()] = std::move(v);
            }
        }
    }
    if (auto expect = node["expect"]) {
        if (!expect.IsSequence()) {
            report(diag::wrong_type, "'expect' must be a list of {rule: ID, ...}", expect);
            ok = false;
        }
        for (const auto& e : expect) {
            if (!e.IsMap() || !e["rule"]) {
                report(diag::missing_key, "each expectation needs 'rule'", e);
                ok = false;
                continue;
            }
            check_keys(e, expect_keys, "an expectation");
            ExpectedFinding x;
            x.rule = e["rule"].Scalar();
            x.loc = loc_of(e);
            if (auto level = text(e, "level")) {
                x.level = parse_level(*level);
                if (!x.level) {
                    report(diag::unknown_level, "unknown level '" + *level + "'", e["level"]);
                    ok = false;
                }
            }
            x.category = text(e, "category");
            x.message = text(e, "message");
            if (auto count = e["count"]) {
                x.count = count.as<std::uint64_t>(0);
            }
            f.expect.push_back(std::move(x));
        }
    }
    if (auto absent = node["absent"]) {
        if (!absent.IsSequence()) {
            report(diag::wrong_type, "'absent' must be a list of rule ids", absent);
            ok = false;
        }
        for (const auto& id : absent) {
            f.absent.emplace_back(id.Scalar(), loc_of(id));
        }
    }
    if (auto exclusive = node["exclusive"]) {
        f.exclusive = exclusive.as<bool>(true);
    }
    if (f.expect.empty() && f.absent.empty() && ok) {
        report(diag::missing_key, "fixture '" + f.name + "' expects nothing", node)
            .hints.push_back("give 'expect' (findings that must appear) or 'absent' (rules "
                             "that must not fire); 'expect: []' asserts no finding at all");
        if (!node["expect"]) {
            ok = false;
        }
    }
    if (!ok) {
        return std::nullopt;
    }
    return f;
}

bool is_ndjson(const std::string& path) {
    return path.ends_with(".ndjson") || path.ends_with(".jsonl");
}

} // namespace

std::optional<std::string> parse_packet_text(std::string_view text, Packet& out) {
    auto words = split_words(text);
    if (words.size() < 4 || words[2] != "->") {
        return std::string("expected 'PROTO SRC -> DST'");
    }
    Packet p;
    p.origin = PacketOrigin::Headers;
    std::string proto(words[0]);
    std::transform(proto.begin(), proto.end(), proto.begin(), [](unsigned char c) {
        return static_cast<char>(std::tolower(c));
    });
    bool is_arp = proto == "arp";
    if (!is_arp) {
        auto number = parse_proto(proto);
        if (!number) {
            return "unknown protocol '" + std::string(words[0]) + "'";
        }
        p.l4_proto = *number;
    }
    bool sport_given = false;
    bool dport_given = false;
    if (auto e = parse_endpoint(words[1], p.saddr, p.sport, sport_given)) {
        return e;
    }
    if (auto e = parse_endpoint(words[3], p.daddr, p.dport, dport_given)) {
        return e;
    }
    if (p.saddr.family() != p.daddr.family()) {
        return std::string("source and destination are of different families");
    }
    p.family = is_arp
                   ? PacketFamily::Arp
                   : (p.saddr.family() == IpFamily::V4 ? PacketFamily::Ipv4 : PacketFamily::Ipv6);
    p.has_ports = sport_given && dport_given;
    if (sport_given != dport_given) {
        return std::string("give ports on both sides or on neither");
    }
    p.ttl = 64;
    p.len = 60;
    p.ethertype = is_arp ? 0x0806 : (p.family == PacketFamily::Ipv4 ? 0x0800 : 0x86dd);
    for (std::size_t i = 4; i < words.size(); ++i) {
        if ((words[i] == "type" || words[i] == "code") && i + 1 < words.size()) {
            std::uint8_t v = 0;
            if (!parse_number(words[i + 1], v)) {
                return "bad ICMP " + std::string(words[i]) + " '" + std::string(words[i + 1]) + "'";
            }
            (words[i] == "type" ? p.icmp_type : p.icmp_code) = v;
            p.has_icmp = true;
            ++i;
        } else if (auto flags = tcp_flags_from(words[i]); flags && p.l4_proto == 6) {
            p.tcp_flags = *flags;
        } else {
            return "unexpected '" + std::string(words[i]) +
                   "' (TCP flags like SYN,ACK, or "
                   "ICMP 'type N code N')";
        }
    }
    out = p;
    return std::nullopt;
}

std::vector<Fixture>
read_fixtures(const std::string& path, const std::string& text, Diagnostics& diags) {
    std::vector<Fixture> fixtures;
    FixtureReader reader(path, text, diags);
    try {
        if (!is_ndjson(path)) {
            YAML::Node root = YAML::Load(text);
            auto list = root["fixtures"];
            if (!root.IsMap() || !list || !list.IsSequence()) {
                diags.add(diag::wrong_type,
                          "a fixture file must hold a 'fixtures' list",
                          SourceLoc{path, 1, 1});
                return fixtures;
            }
            for (const auto& node : list) {
                if (auto f = reader.read_fixture(node, 0)) {
                    fixtures.push_back(std::move(*f));
                }
            }
            return fixtures;
        }
        std::istringstream lines(text);
        std::string line;
        std::size_t number = 0;
        std::optional<Fixture> current;
        auto finish = [&] {
            if (current) {
                fixtures.push_back(std::move(*current));
                current.reset();
            }
        };
        while (std::getline(lines, line)) {
            ++number;
            if (line.find_first_not_of(" \t\r") == std::string::npos) {
                continue;
            }
            YAML::Node node = YAML::Load(line);
            if (node.IsMap() && node["fixture"]) {
                finish();
                YAML::Node spec = YAML::Clone(node);
                spec["name"] = node["fixture"].Scalar();
                spec.remove("fixture");
                if (!spec["events"]) {
                    spec["events"] = YAML::Load("[]");
                }
                current = reader.read_fixture(spec, number - 1);
            } else if (current) {
                reader.read_event(node, *current, current->events.size());
            } else {
                diags.add(diag::wrong_type,
                          "an event line before any {\"fixture\": ...} line",
                          SourceLoc{path, number, 1});
            }
        }
        finish();
    } catch (const YAML::Exception& e) {
        SourceLoc loc{path, 0, 0};
        if (!e.mark.is_null()) {
            loc.line = static_cast<std::size_t>(e.mark.line) + 1;
            loc.col = static_cast<std::size_t>(e.mark.column) + 1;
        }
        diags.add(diag::yaml_syntax, e.msg, loc);
    }
    return fixtures;
}

std::vector<Fixture> read_fixture_paths(const std::vector<std::string>& paths, Diagnostics& diags) {
    namespace fs = std::filesystem;
    std::vector<std::string> files;
    for (const auto& path : paths) {
        std::error_code ec;
        if (fs::is_directory(path, ec)) {
            std::vector<std::string> found;
            for (const auto& entry : fs::directory_iterator(path, ec)) {
                auto name = entry.path().string();
                if (entry.is_regular_file(ec) &&
                    (name.ends_with(".yaml") || name.ends_with(".yml") || is_ndjson(name))) {
                    found.push_back(name);
                }
            }
            std::sort(found.begin(), found.end());
            files.insert(files.end(), found.begin(), found.end());
        } else if (fs::exists(path, ec)) {
            files.push_back(path);
        } else {
            diags.add(
                diag::unreadable_file, "no such fixture file or directory", SourceLoc{path, 0, 0});
        }
    }
    std::vector<Fixture> fixtures;
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        auto more = read_fixtures(file, text.str(), diags);
        fixtures.insert(fixtures.end(),
                        std::make_move_iterator(more.begin()),
                        std::make_move_iterator(more.end()));
    }
    return fixtures;
}

FixtureOutcome run_fixture(const RuleSet& rules, const Fixture& fixture) {
    FixtureOutcome out;
    StaticFacts facts;
    for (const auto& [name, value] : fixture.facts) {
        facts.values[name] = value;
    }
    Diagnoser diagnoser(rules, {true, 1, &facts});
    for (const auto& ev : fixture.events) {
        diagnoser.process(ev);
    }
    out.findings = diagnoser.findings();
    auto suppressed = diagnoser.suppressed_by_rule();
    auto suppressed_count = [&](const std::string& id) -> std::uint64_t {
        for (const auto& [rule, count] : suppressed) {
            if (rule == id) {
                return count;
            }
        }
        return 0;
    };
    auto fail = [&out](std::string why) {
        out.passed = false;
        out.failures.push_back(std::move(why));
    };
    auto findings_text = [&out] {
        std::string text;
        for (const auto& f : out.findings) {
            text += (text.empty() ? "" : ", ") + f.rule_id + " " +
                    std::string(level_name(f.level)) + " x" + std::to_string(f.count);
        }
        return text.empty() ? std::string("none") : text;
    };

    for (const auto& x : fixture.expect) {
        const Rule* rule = rules.find(x.rule);
        if (rule == nullptr) {
            fail("expects rule '" + x.rule + "', which is not loaded");
            continue;
        }
        if (rule->suppress) {
            auto n = suppressed_count(x.rule);
            if (n == 0 || (x.count && n != *x.count)) {
                fail("expected " + (x.count ? std::to_string(*x.count) : std::string("some")) +
                     " events suppressed by '" + x.rule + "', got " + std::to_string(n));
            }
            continue;
        }
        bool matched = false;
        std::string closest;
        for (const auto& f : out.findings) {
            if (f.rule_id != x.rule) {
                continue;
            }
            std::string why;
            if (x.level && f.level != *x.level) {
                why = "level " + std::string(level_name(f.level)) + ", expected " +
                      std::string(level_name(*x.level));
            } else if (x.category && f.category != *x.category) {
                why = "category " + f.category + ", expected " + *x.category;
            } else if (x.count && f.count != *x.count) {
                why = "count " + std::to_string(f.count) + ", expected " + std::to_string(*x.count);
            } else if (x.message && f.message.find(*x.message) == std::string::npos) {
                why = "message \"" + f.message + "\" does not contain \"" + *x.message + "\"";
            }
            if (why.empty()) {
                matched = true;
                break;
            }
            closest = why;
        }
        if (!matched) {
            fail("expected a finding from '" + x.rule + "'" +
                 (closest.empty() ? "; findings: " + findings_text() : ": " + closest));
        }
    }
    for (const auto& [id, loc] : fixture.absent) {
        if (rules.find(id) == nullptr) {
            fail("names rule '" + id + "' as absent, which is not loaded");
            continue;
        }
        bool fired = suppressed_count(id) > 0 || std::any_of(out.findings.begin(),
                                                             out.findings.end(),
                                                             [&rule_id = id](const Finding& f) {
                                                                 return f.rule_id == rule_id;
                                                             });
        if (fired) {
            fail("rule '" + id + "' fired, but the fixture says it must not");
        }
    }
    if (fixture.exclusive) {
        for (const auto& f : out.findings) {
            bool expected =
                std::any_of(fixture.expect.begin(),
                            fixture.expect.end(),
                            [&](const ExpectedFinding& x) { return x.rule == f.rule_id; });
            if (!expected) {
                fail("unexpected finding from '" + f.rule_id + "': " + f.message);
            }
        }
    }
    return out;
}

} // namespace netdx::engine
