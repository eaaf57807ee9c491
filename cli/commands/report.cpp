// SPDX-License-Identifier: GPL-2.0
// netdx report diff A.json B.json: what changed between two reports (netdx.report/1), typically
// "before the fix" and "after the fix" attached to one ticket. No root needed.
//
// Matching. A finding of A and one of B are the same problem when they have the same rule id,
// category, network namespace (by name: inodes change when a namespace is recreated), device
// and flow: family, protocol, source and destination addresses and ports, where a port from
// 32768 up (Linux's ephemeral range, a client's source port that changes with every connection)
// matches any such port. The report does not carry the rule's roll-up key; these are the
// members every finding has that the shipped rules' keys are built from (design.md section 7,
// knowledge/*.yaml `key:`). Counts, rates, times, messages (which quote the ephemeral port)
// and evidence may differ. When several findings share an identity, those with equal messages
// pair first, then in report order.
//
// Classes: APPEARED (only in B), GONE (only in A), LEVEL CHANGED (in both, at another level),
// UNCHANGED (in both, at the same level). Notes say when a GONE may mean "not looked at" rather
// than "fixed": B attached fewer probes, filtered differently, lost events, stopped at its first
// ERROR, or either report is redacted (tokens are numbered per report).
//
// --json prints {"schema":"netdx.report-diff/1", "a":{...}, "b":{...}, "identical",
// "counts":{appeared, gone, level_changed, unchanged}, "changes":[{change, identity,
// level:{a,b}, count:{a,b}, a: finding|null, b: finding|null}], "notes":[...]}.
// Exit codes: 0 same findings, 1 they differ, 2 usage (unreadable, not netdx.report/1).
#include "engine/report/report.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "../exit_codes.h"
#include "commands.h"
#include "engine/event_json.h"
#include "engine/report/text_reporter.h"

namespace netdx::cli {
namespace {

using nlohmann::json;

struct ReportArgs {
    std::string a_path;
    std::string b_path;
    bool json = false;
};

constexpr std::size_t line_width = 80;
constexpr std::uint64_t first_ephemeral_port = 32768;
constexpr const char* diff_schema = "netdx.report-diff/1";

std::string string_of(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// j[key] when it is an object (array_at: an array), else an empty one: reports are read leniently
// beyond the members load_report checks.
const json& object_at(const json& j, const char* key) {
    static const json empty = json::object();
    auto it = j.find(key);
    return it != j.end() && it->is_object() ? *it : empty;
}

const json& array_at(const json& j, const char* key) {
    static const json empty = json::array();
    auto it = j.find(key);
    return it != j.end() && it->is_array() ? *it : empty;
}

std::uint64_t count_at(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}

int level_rank(const std::string& level) {
    return level == "ERROR" ? 3 : level == "WARN" ? 2 : level == "INFO" ? 1 : 0;
}

// The file as a checked netdx.report/1 document; every failure is a usage error (exit 2).
Result<json> load_report(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return make_error(ErrorKind::Usage, "cannot read " + path, errno);
    }
    if (S_ISDIR(st.st_mode)) {
        return make_error(ErrorKind::Usage, "cannot read " + path + ": it is a directory");
    }
    std::ifstream in(path);
    if (!in) {
        return make_error(ErrorKind::Usage, "cannot read " + path, errno);
    }
    const std::string hint =
        "netdx report diff compares the files that 'netdx diagnose --json FILE' writes";
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::exception& e) {
        // A recorded trail (NDJSON) is the likeliest wrong file: say so rather than "not JSON".
        auto first = json::parse(text.substr(0, text.find('\n')), nullptr, false);
        if (first.is_object() && string_of(first, "type") == "header") {
            return make_error(ErrorKind::Usage,
                              path + ": not a netdx report: it is a recorded trail (" +
                                  string_of(first, "format") + "), which 'netdx replay' reads",
                              0,
                              hint);
        }
        std::string what = e.what();
        // "[json.exception.parse_error.101] parse error at line 3, column 1: ..." without the tag.
        auto tag_end = what.find("] ");
        return make_error(ErrorKind::Usage,
                          path + ": not JSON: " +
                              (tag_end == std::string::npos ? what : what.substr(tag_end + 2)),
                          0,
                          hint);
    }
    const std::string schema = doc.is_object() ? string_of(doc, "schema") : std::string();
    const std::string wanted = engine::report_schema;
    if (schema != wanted) {
        std::string family = wanted.substr(0, wanted.find('/') + 1); // "netdx.report/"
        if (schema.rfind(family, 0) == 0) {
            return make_error(ErrorKind::Usage,
                              path + ": schema version mismatch: the file is " + schema +
                                  ", this netdx (" + NETDX_VERSION + ") reads " + wanted,
                              0,
                              "compare it with the netdx release that wrote it");
        }
        return make_error(ErrorKind::Usage,
                          path + ": not a netdx report: " +
                              (schema.empty()
                                   ? std::string("it has no \"schema\": \"") + wanted + "\""
                                   : "its schema is " + schema + ", not " + wanted),
                          0,
                          hint);
    }
    auto findings = doc.find("findings");
    if (findings == doc.end() || !findings->is_array()) {
        return make_error(ErrorKind::Usage, path + ": \"findings\" is missing or not a list");
    }
    for (std::size_t i = 0; i < findings->size(); ++i) {
        const json& f = (*findings)[i];
        for (const char* key : {"id", "category", "level"}) {
            if (!f.is_object() || string_of(f, key).empty()) {
                return make_error(ErrorKind::Usage,
                                  path + ": findings[" + std::to_string(i) + "]: \"" + key +
                                      "\" is missing or not a string");
            }
        }
        if (level_rank(string_of(f, "level")) == 0) {
            return make_error(ErrorKind::Usage,
                              path + ": findings[" + std::to_string(i) + "]: level \"" +
                                  string_of(f, "level") + "\" is not INFO, WARN or ERROR");
        }
    }
    return doc;
}

// A flow port for matching: the number, "ephemeral" from 32768 up, null when there is none.
json port_key(const json& flow, const char* key) {
    auto it = flow.find(key);
    if (it == flow.end() || !it->is_number_unsigned()) {
        return {};
    }
    auto port = it->get<std::uint64_t>();
    return port >= first_ephemeral_port ? json("ephemeral") : json(port);
}

json identity(const json& f) {
    const json& flow = object_at(f, "flow");
    auto port = [&](const char* key) { return port_key(flow, key); };
    return {{"id", string_of(f, "id")},
            {"category", string_of(f, "category")},
            {"netns", string_of(f, "netns")},
            {"device", string_of(f, "device")},
            {"flow",
             {{"family", string_of(flow, "family")},
              {"proto", string_of(flow, "proto")},
              {"src", string_of(flow, "src")},
              {"sport", port("sport")},
              {"dst", string_of(flow, "dst")},
              {"dport", port("dport")}}}};
}

enum class Change { Appeared, Gone, LevelChanged, Unchanged };

struct Entry {
    Change change;
    const json* a = nullptr; // the finding in A, null when it appeared
    const json* b = nullptr; // the finding in B, null when it is gone

    const json& shown() const { return b ? *b : *a; }
};

std::string_view change_name(Change c) {
    switch (c) {
    case Change::Appeared:
        return "appeared";
    case Change::Gone:
        return "gone";
    case Change::LevelChanged:
        return "level-changed";
    case Change::Unchanged:
        return "unchanged";
    }
    return "";
}

std::string_view change_title(Change c) {
    switch (c) {
    case Change::Appeared:
        return "APPEARED";
    case Change::Gone:
        return "GONE";
    case Change::LevelChanged:
        return "LEVEL CHANGED";
    case Change::Unchanged:
        return "UNCHANGED";
    }
    return "";
}

std::vector<Entry> compare(const json& a, const json& b) {
    const json& fa = a["findings"];
    const json& fb = b["findings"];
    std::vector<std::string> a_keys;
    for (const auto& f : fa) {
        a_keys.push_back(identity(f).dump());
    }
    std::vector<bool> a_used(fa.size(), false);
    std::vector<Entry> entries;
    for (const auto& f : fb) {
        const std::string key = identity(f).dump();
        std::size_t match = fa.size();
        for (std::size_t i = 0; i < fa.size(); ++i) {
            if (a_used[i] || a_keys[i] != key) {
                continue;
            }
            if (match == fa.size()) {
                match = i; // the first candidate, unless one has the same message
            }
            if (string_of(fa[i], "message") == string_of(f, "message")) {
                match = i;
                break;
            }
        }
        if (match == fa.size()) {
            entries.push_back({Change::Appeared, nullptr, &f});
            continue;
        }
        a_used[match] = true;
        bool same_level = string_of(fa[match], "level") == string_of(f, "level");
        entries.push_back({same_level ? Change::Unchanged : Change::LevelChanged, &fa[match], &f});
    }
    for (std::size_t i = 0; i < fa.size(); ++i) {
        if (!a_used[i]) {
            entries.push_back({Change::Gone, &fa[i], nullptr});
        }
    }
    // Changes first, then the worst level, then by category and rule.
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& x, const Entry& y) {
        auto rank = [](const Entry& e) {
            return std::max(e.a ? level_rank(string_of(*e.a, "level")) : 0,
                            e.b ? level_rank(string_of(*e.b, "level")) : 0);
        };
        if (x.change != y.change) {
            return x.change < y.change;
        }
        if (rank(x) != rank(y)) {
            return rank(x) > rank(y);
        }
        return std::pair(string_of(x.shown(), "category"), string_of(x.shown(), "id")) <
               std::pair(string_of(y.shown(), "category"), string_of(y.shown(), "id"));
    });
    return entries;
}

std::string endpoint(const json& flow, const char* addr, const char* port) {
    std::string a = string_of(flow, addr);
    auto p = flow.find(port);
    if (p == flow.end() || !p->is_number_unsigned()) {
        return a;
    }
    if (a.find(':') != std::string::npos) {
        a = "[" + a + "]";
    }
    return a + ":" + std::to_string(p->get<std::uint64_t>());
}

// "TCP 10.0.0.1:41234 -> 10.0.0.2:80", or "" when the finding has no flow.
std::string flow_text(const json& f) {
    const json& flow = object_at(f, "flow");
    if (string_of(flow, "src").empty() && string_of(flow, "dst").empty()) {
        return {};
    }
    std::string proto = string_of(flow, "proto");
    std::transform(proto.begin(), proto.end(), proto.begin(), [](char c) {
        return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    });
    return (proto.empty() ? "" : proto + " ") + endpoint(flow, "src", "sport") + " -> " +
           endpoint(flow, "dst", "dport");
}

std::string count_text(const json& f) {
    auto it = f.find("count");
    return it != f.end() && it->is_number_unsigned() ? std::to_string(it->get<std::uint64_t>())
                                                     : std::string("?");
}

// `line` then the words of `rest`, wrapped at 80 columns, continuation lines indented.
void wrapped(std::ostream& out,
             const std::string& line,
             const std::string& rest,
             std::size_t indent) {
    const bool only_indent = line.find_first_not_of(' ') == std::string::npos;
    out << engine::wrap_text(rest, only_indent ? line : line + " ", indent, line_width) << "\n";
}

std::string padded(std::string s, std::size_t width) {
    s.resize(std::max(s.size() + 1, width), ' ');
    return s;
}

constexpr std::size_t change_col = 15;
constexpr std::size_t level_col = 16;
constexpr std::size_t detail_indent = 4;

void print_entry(std::ostream& out, const Entry& e) {
    const json& f = e.shown();
    std::string level = e.change == Change::LevelChanged
                            ? string_of(*e.a, "level") + " -> " + string_of(*e.b, "level")
                            : string_of(f, "level");
    out << padded(std::string(change_title(e.change)), change_col) << padded(level, level_col)
        << string_of(f, "category") << "\n";
    const std::string indent(detail_indent, ' ');
    std::string where = "rule " + string_of(f, "id");
    if (!string_of(f, "netns").empty()) {
        where += ", netns " + string_of(f, "netns");
    }
    if (!string_of(f, "device").empty()) {
        where += ", dev " + string_of(f, "device");
    }
    wrapped(out, indent, where, detail_indent);
    std::string counts = e.a && e.b ? count_text(*e.a) + " -> " + count_text(*e.b) + " events"
                                    : count_text(f) + (count_text(f) == "1" ? " event" : " events");
    std::string flow = flow_text(f);
    wrapped(out, indent, flow.empty() ? counts : flow + ", " + counts, detail_indent);
    if (e.change == Change::LevelChanged) {
        if (auto esc = e.b->find("escalated"); esc != e.b->end() && esc->is_object()) {
            wrapped(out,
                    indent,
                    "escalated in B from " + string_of(*esc, "from") + ": " +
                        string_of(*esc, "because"),
                    detail_indent);
        }
    }
    if (e.change != Change::Unchanged) {
        wrapped(out, indent, string_of(f, "message"), detail_indent);
    }
}

std::uint64_t lost_events(const json& report) {
    std::uint64_t total = 0;
    for (const auto& n : object_at(object_at(report, "coverage"), "lost_events")) {
        total += n.is_number_unsigned() ? n.get<std::uint64_t>() : 0;
    }
    return total;
}

// Probes `from` attached and `to` did not, comma-separated.
std::string probes_missing(const json& from, const json& to) {
    std::string names;
    for (const auto& p : array_at(object_at(from, "coverage"), "probes_attached")) {
        const std::string name = string_of(p, "name");
        const json& attached = array_at(object_at(to, "coverage"), "probes_attached");
        if (std::none_of(attached.begin(), attached.end(), [&](const json& q) {
                return string_of(q, "name") == name;
            })) {
            names += (names.empty() ? "" : ", ") + name;
        }
    }
    return names;
}

// Why a finding only one report has may be unobserved in the other rather than absent from it:
// `seen` ("A") has findings `blind` ("B") lacks (GONE for B, APPEARED for A).
void blindness_notes(const json& seen,
                     const json& blind,
                     const char* seen_name,
                     const char* blind_name,
                     std::vector<std::string>& out) {
    const std::string b = blind_name;
    if (auto names = probes_missing(seen, blind); !names.empty()) {
        out.push_back(b + " did not attach probes " + seen_name + " had (" + names +
                      "): what only they see cannot appear in " + b);
    }
    if (auto lost = lost_events(blind)) {
        out.push_back(b + " lost " + std::to_string(lost) +
                      " events (ring buffer full): a finding it lacks may have been lost");
    }
    if (string_of(blind, "stop_reason") == "first-error") {
        out.push_back(b + " stopped at its first ERROR: later findings were not looked for "
                          "(--diag-keep keeps going)");
    }
    if (count_at(object_at(blind, "coverage"), "events") == 0) {
        out.push_back(b + " evaluated no events: without the same traffic as " + seen_name +
                      ", nothing can show");
    }
}

// How to read the diff: what differs between the runs besides the findings.
std::vector<std::string> notes(const json& a, const json& b, const std::vector<Entry>& entries) {
    std::vector<std::string> out;
    auto any = [&](Change c) {
        return std::any_of(
            entries.begin(), entries.end(), [&](const Entry& e) { return e.change == c; });
    };
    const std::string host_a = string_of(object_at(a, "host"), "hostname");
    const std::string host_b = string_of(object_at(b, "host"), "hostname");
    if (host_a != host_b) {
        out.push_back("the reports come from different hosts (" + host_a + ", " + host_b + ")");
    }
    const std::string version_a = string_of(object_at(a, "tool"), "version");
    const std::string version_b = string_of(object_at(b, "tool"), "version");
    if (version_a != version_b) {
        out.push_back("different netdx versions wrote the reports (" + version_a + ", " +
                      version_b + "): their rules may differ");
    }
    if (object_at(a, "filters") != object_at(b, "filters")) {
        out.push_back("the filters differ (A " + object_at(a, "filters").dump() + ", B " +
                      object_at(b, "filters").dump() +
                      "): a finding outside one report's filters cannot appear in it");
    }
    if (any(Change::Gone)) {
        blindness_notes(a, b, "A", "B", out);
    }
    if (any(Change::Appeared)) {
        blindness_notes(b, a, "B", "A", out);
    }
    bool ra = a.contains("redacted") && a["redacted"] == true;
    bool rb = b.contains("redacted") && b["redacted"] == true;
    if (ra != rb) {
        out.push_back(std::string("only ") + (ra ? "A" : "B") +
                      " is redacted: its addresses and names are tokens, which match nothing in " +
                      (ra ? "B" : "A"));
    } else if (ra && rb) {
        out.push_back("both reports are redacted: tokens are numbered per report, so ip-1 in A "
                      "need not be ip-1 in B");
    }
    return out;
}

struct Counts {
    std::size_t n[4] = {0, 0, 0, 0};
    std::size_t of(Change c) const { return n[static_cast<int>(c)]; }
    bool identical() const {
        return of(Change::Appeared) + of(Change::Gone) + of(Change::LevelChanged) == 0;
    }
};

json side_json(const std::string& path, const json& r) {
    return {{"path", path},
            {"hostname", string_of(object_at(r, "host"), "hostname")},
            {"started", string_of(r, "started")},
            {"verdict", string_of(r, "verdict")},
            {"findings", r["findings"].size()}};
}

void print_json(const ReportArgs& args,
                const json& a,
                const json& b,
                const std::vector<Entry>& entries,
                const Counts& counts,
                const std::vector<std::string>& note_list) {
    json changes = json::array();
    for (const auto& e : entries) {
        auto level = [](const json* f) { return f ? json(string_of(*f, "level")) : json(); };
        auto count = [](const json* f) {
            return f && f->contains("count") ? (*f)["count"] : json();
        };
        changes.push_back({{"change", change_name(e.change)},
                           {"identity", identity(e.shown())},
                           {"level", {{"a", level(e.a)}, {"b", level(e.b)}}},
                           {"count", {{"a", count(e.a)}, {"b", count(e.b)}}},
                           {"a", e.a ? *e.a : json()},
                           {"b", e.b ? *e.b : json()}});
    }
    json doc = {{"schema", diff_schema},
                {"a", side_json(args.a_path, a)},
                {"b", side_json(args.b_path, b)},
                {"identical", counts.identical()},
                {"counts",
                 {{"appeared", counts.of(Change::Appeared)},
                  {"gone", counts.of(Change::Gone)},
                  {"level_changed", counts.of(Change::LevelChanged)},
                  {"unchanged", counts.of(Change::Unchanged)}}},
                {"changes", std::move(changes)},
                {"notes", note_list}};
    std::cout << engine::json_text(doc) << "\n";
}

void print_text(const ReportArgs& args,
                const json& a,
                const json& b,
                const std::vector<Entry>& entries,
                const Counts& counts,
                const std::vector<std::string>& note_list) {
    std::ostream& out = std::cout;
    std::size_t differ = entries.size() - counts.of(Change::Unchanged);
    out << "netdx report diff: "
        << (counts.identical()
                ? std::string("the same findings")
                : std::to_string(differ) + (differ == 1 ? " finding differs" : " findings differ"))
        << "\n";
    using Side = std::tuple<const char*, const std::string*, const json*>;
    for (const auto& [side, path, r] : {Side{"A", &args.a_path, &a}, Side{"B", &args.b_path, &b}}) {
        std::size_t n = (*r)["findings"].size();
        wrapped(out,
                std::string("  ") + side + "  " + *path,
                "(" + string_of(*r, "started") + ", verdict " + string_of(*r, "verdict") + ", " +
                    std::to_string(n) + (n == 1 ? " finding)" : " findings)"),
                6);
    }
    out << "\n";
    for (Change c : {Change::Appeared, Change::Gone, Change::LevelChanged, Change::Unchanged}) {
        out << (c == Change::Appeared ? "" : "   ") << change_title(c) << " " << counts.of(c);
    }
    out << "\n";
    if (!entries.empty()) {
        out << "\n" << padded("CHANGE", change_col) << padded("LEVEL", level_col) << "CATEGORY\n";
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (i > 0 && entries[i].change != entries[i - 1].change) {
            out << "\n"; // one block per class
        }
        print_entry(out, entries[i]);
    }
    if (!note_list.empty()) {
        out << "\nNotes:\n";
        for (const auto& n : note_list) {
            wrapped(out, "  -", n, 4);
        }
    }
}

int run_diff(const ReportArgs& args) {
    auto a = load_report(args.a_path);
    if (!a) {
        std::cerr << "netdx: error: " << a.error().describe() << "\n";
        return exit_usage;
    }
    auto b = load_report(args.b_path);
    if (!b) {
        std::cerr << "netdx: error: " << b.error().describe() << "\n";
        return exit_usage;
    }
    auto entries = compare(*a, *b);
    Counts counts;
    for (const auto& e : entries) {
        ++counts.n[static_cast<int>(e.change)];
    }
    auto note_list = notes(*a, *b, entries);
    if (args.json) {
        print_json(args, *a, *b, entries, counts, note_list);
    } else {
        print_text(args, *a, *b, entries, counts, note_list);
    }
    return counts.identical() ? exit_ok : exit_error_found;
}

} // namespace

Command add_report_command(CLI::App& app) {
    auto args = std::make_shared<ReportArgs>();
    CLI::App* report = app.add_subcommand(
        "report",
        "Work with saved reports (netdx.report/1).\n\n"
        "Reports are the files 'netdx diagnose --json FILE' writes. Reading them needs no root.");
    report->require_subcommand(0, 1);
    CLI::App* diff = report->add_subcommand(
        "diff",
        "Compare the findings of two reports, e.g. before and after a fix.\n\n"
        "Lists the findings that appeared in B, are gone from A, changed level, or are unchanged.\n"
        "Findings match when they have the same rule id, category, netns name, device and flow\n"
        "(family, protocol, addresses and ports; ports from 32768 up, a client's ephemeral\n"
        "ports, match each other). Counts, times and messages may differ. Notes say when a GONE\n"
        "finding may be unobserved rather than fixed (fewer probes, other filters, lost events).");
    diff->add_option("A", args->a_path, "The earlier report, e.g. before the fix")
        ->required()
        ->type_name("A.json");
    diff->add_option("B", args->b_path, "The later report, e.g. after the fix")
        ->required()
        ->type_name("B.json");
    diff->add_flag("--json", args->json, "Print the comparison as JSON (netdx.report-diff/1)");
    diff->footer("Examples:\n"
                 "  sudo netdx diagnose --host 10.0.0.2 --duration 30 --json before.json\n"
                 "  sudo netdx diagnose --host 10.0.0.2 --duration 30 --json after.json\n"
                 "  netdx report diff before.json after.json\n"
                 "  netdx report diff --json before.json after.json | jq .counts\n"
                 "Exit codes: 0 the same findings, 1 they differ, 2 a file is unreadable or not\n"
                 "netdx.report/1.");
    report->footer("Examples:\n"
                   "  netdx report diff before.json after.json\n"
                   "  netdx report diff --json before.json after.json");
    return {report, [=](const CommandContext&) {
                if (diff->parsed()) {
                    return run_diff(*args);
                }
                std::cout << report->help();
                return static_cast<int>(exit_usage);
            }};
}

} // namespace netdx::cli
