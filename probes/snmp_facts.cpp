// SPDX-License-Identifier: GPL-2.0
#include "snmp_facts.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <limits>
#include <tuple>

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "unique_fd.h"

namespace netdx::probes {
namespace {

struct Line {
    std::size_t no = 0; // 1-based
    std::vector<std::string_view> fields;
};

// The lines of `text` that hold anything, split on blanks and tabs.
std::vector<Line> split_lines(std::string_view text) {
    std::vector<Line> lines;
    std::size_t no = 0;
    while (!text.empty()) {
        const auto eol = text.find('\n');
        std::string_view rest = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
        Line line{++no, {}};
        while (!rest.empty()) {
            const auto start = rest.find_first_not_of(" \t\r");
            if (start == std::string_view::npos) {
                break;
            }
            rest.remove_prefix(start);
            const auto end = std::min(rest.find_first_of(" \t\r"), rest.size());
            line.fields.push_back(rest.substr(0, end));
            rest.remove_prefix(end);
        }
        if (!line.fields.empty()) {
            lines.push_back(std::move(line));
        }
    }
    return lines;
}

Error at(std::size_t line, const std::string& what) {
    return make_error(ErrorKind::Io, "line " + std::to_string(line) + ": " + what);
}

std::string in_quotes(std::string_view s) {
    return "'" + std::string(s) + "'";
}

// A whole-token decimal (possibly negative) or hexadecimal number; nullopt names the problem.
template <class T>
std::optional<T> to_number(std::string_view s, int base) {
    T v{};
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (ec != std::errc() || p != s.data() + s.size()) {
        return std::nullopt;
    }
    return v;
}

Result<std::int64_t> counter_value(const Line& line, std::string_view name, std::string_view v) {
    if (auto n = to_number<std::int64_t>(v, 10)) {
        return *n;
    }
    return at(line.no,
              in_quotes(name) + " value " + in_quotes(v) +
                  " is not a decimal integer (or is above " +
                  std::to_string(std::numeric_limits<std::int64_t>::max()) + ")");
}

Result<void> parse_snmp_into(std::string_view text, std::vector<Counter>& out) {
    const auto lines = split_lines(text);
    if (lines.empty()) {
        return make_error(ErrorKind::Io, "no counters in the text");
    }
    for (std::size_t i = 0; i < lines.size(); i += 2) {
        const Line& names = lines[i];
        const std::string_view tag = names.fields[0];
        if (tag.size() < 2 || tag.back() != ':') {
            return at(names.no, "expected 'Group: Name ...', got " + in_quotes(tag));
        }
        const std::string group(tag.substr(0, tag.size() - 1));
        if (i + 1 == lines.size()) {
            return at(names.no, in_quotes(group) + " names have no value line after them");
        }
        const Line& values = lines[i + 1];
        if (values.fields[0] != tag) {
            return at(values.no,
                      "expected the values of " + in_quotes(group) + ", got " +
                          in_quotes(values.fields[0]));
        }
        if (values.fields.size() != names.fields.size()) {
            return at(values.no,
                      in_quotes(group) + " has " + std::to_string(names.fields.size() - 1) +
                          " names but " + std::to_string(values.fields.size() - 1) + " values");
        }
        for (std::size_t k = 1; k < names.fields.size(); ++k) {
            std::string name = group + "." + std::string(names.fields[k]);
            auto v = counter_value(values, name, values.fields[k]);
            if (!v) {
                return v.error();
            }
            out.push_back({std::move(name), *v});
        }
    }
    return {};
}

Result<void> parse_snmp6_into(std::string_view text, std::vector<Counter>& out) {
    const auto lines = split_lines(text);
    if (lines.empty()) {
        return make_error(ErrorKind::Io, "no counters in the text");
    }
    for (const Line& line : lines) {
        if (line.fields.size() != 2) {
            return at(line.no,
                      "expected 'Name value', got " + std::to_string(line.fields.size()) +
                          " fields");
        }
        const std::string_view name = line.fields[0];
        const auto six = name.find('6');
        if (six == 0 || six == std::string_view::npos || six + 1 == name.size()) {
            return at(line.no, in_quotes(name) + " has no group prefix such as 'Ip6' or 'Udp6'");
        }
        std::string full =
            std::string(name.substr(0, six + 1)) + "." + std::string(name.substr(six + 1));
        auto v = counter_value(line, full, line.fields[1]);
        if (!v) {
            return v.error();
        }
        out.push_back({std::move(full), *v});
    }
    return {};
}

// Reads the whole file; /proc files report size 0, so this reads until EOF.
Result<std::string> read_text(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
        return make_error(ErrorKind::Io, "cannot open " + path, errno);
    }
    std::string text;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return make_error(ErrorKind::Io, "cannot read " + path, errno);
        }
        if (n == 0) {
            return text;
        }
        text.append(buf, static_cast<std::size_t>(n));
    }
}

Error in_file(const std::string& path, Error e) {
    e.message = path + ": " + e.message;
    return e;
}

// Parses the file at `path` with `parse` into `out`. A missing file is skipped when `optional`.
template <class Parse>
Result<void>
read_into(const std::string& path, bool optional, Parse parse, std::vector<Counter>& out) {
    auto text = read_text(path);
    if (!text) {
        if (optional && text.error().sys_errno == ENOENT) {
            return {};
        }
        return text.error();
    }
    if (auto ok = parse(*text, out); !ok) {
        return in_file(path, ok.error());
    }
    return {};
}

// An integer sysctl; nullopt when the file does not exist.
Result<std::optional<std::int64_t>> read_sysctl(const std::string& path) {
    auto text = read_text(path);
    if (!text) {
        if (text.error().sys_errno == ENOENT) {
            return std::optional<std::int64_t>{};
        }
        return text.error();
    }
    const auto lines = split_lines(*text);
    std::optional<std::int64_t> v;
    if (lines.size() == 1 && lines[0].fields.size() == 1) {
        v = to_number<std::int64_t>(lines[0].fields[0], 10);
    }
    if (!v) {
        return make_error(ErrorKind::Io, path + ": expected one integer");
    }
    return v;
}

} // namespace

Result<Counters> Counters::make(std::vector<Counter> counters) {
    std::sort(counters.begin(), counters.end(), [](const Counter& a, const Counter& b) {
        return a.name < b.name;
    });
    const auto dup =
        std::adjacent_find(counters.begin(),
                           counters.end(),
                           [](const Counter& a, const Counter& b) { return a.name == b.name; });
    if (dup != counters.end()) {
        return make_error(ErrorKind::Io, "duplicate counter " + in_quotes(dup->name));
    }
    Counters out;
    out.entries_ = std::move(counters);
    return out;
}

std::optional<std::int64_t> Counters::find(std::string_view name) const {
    const auto it = std::lower_bound(
        entries_.begin(), entries_.end(), name, [](const Counter& c, std::string_view n) {
            return c.name < n;
        });
    if (it == entries_.end() || it->name != name) {
        return std::nullopt;
    }
    return it->value;
}

Result<Counters> parse_snmp(std::string_view text) {
    std::vector<Counter> out;
    if (auto ok = parse_snmp_into(text, out); !ok) {
        return ok.error();
    }
    return Counters::make(std::move(out));
}

Result<Counters> parse_snmp6(std::string_view text) {
    std::vector<Counter> out;
    if (auto ok = parse_snmp6_into(text, out); !ok) {
        return ok.error();
    }
    return Counters::make(std::move(out));
}

Result<Counters> read_counters(const std::string& proc_net_dir) {
    std::vector<Counter> out;
    for (const auto& [file, optional, parse] : {
             std::tuple{"/snmp", false, &parse_snmp_into},
             std::tuple{"/netstat", false, &parse_snmp_into},
             std::tuple{"/snmp6", true, &parse_snmp6_into},
         }) {
        if (auto ok = read_into(proc_net_dir + file, optional, parse, out); !ok) {
            return ok.error();
        }
    }
    return Counters::make(std::move(out));
}

Counters delta(const Counters& before, const Counters& after) {
    constexpr auto max = std::numeric_limits<std::int64_t>::max();
    Counters out;
    for (const auto& c : after.entries_) {
        const auto old = before.find(c.name);
        if (!old) {
            continue;
        }
        std::int64_t d = 0;
        if (c.value > *old) {
            const auto diff =
                static_cast<std::uint64_t>(c.value) - static_cast<std::uint64_t>(*old);
            d = diff > static_cast<std::uint64_t>(max) ? max : static_cast<std::int64_t>(diff);
        }
        out.entries_.push_back({c.name, d});
    }
    return out;
}

Result<ConntrackCounts> parse_conntrack_stat(std::string_view text) {
    const auto lines = split_lines(text);
    if (lines.empty()) {
        return make_error(ErrorKind::Io, "no header line of field names");
    }
    const auto& names = lines[0].fields;
    if (lines.size() == 1) {
        return at(lines[0].no, "header without any CPU line after it");
    }
    std::vector<std::uint64_t> sums(names.size(), 0);
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const Line& cpu = lines[i];
        if (cpu.fields.size() != names.size()) {
            return at(cpu.no,
                      std::to_string(names.size()) + " field names but " +
                          std::to_string(cpu.fields.size()) + " values");
        }
        for (std::size_t k = 0; k < names.size(); ++k) {
            const auto v = to_number<std::uint64_t>(cpu.fields[k], 16);
            if (!v) {
                return at(cpu.no,
                          in_quotes(names[k]) + " value " + in_quotes(cpu.fields[k]) +
                              " is not hexadecimal");
            }
            // "entries" is the namespace's count, repeated on every CPU line.
            sums[k] = names[k] == "entries" ? *v : sums[k] + *v;
        }
    }
    ConntrackCounts out;
    for (std::size_t k = 0; k < names.size(); ++k) {
        if (!out.emplace(std::string(names[k]), sums[k]).second) {
            return at(lines[0].no, "duplicate field name " + in_quotes(names[k]));
        }
    }
    return out;
}

Result<ConntrackStats> read_conntrack_stats(const std::string& proc_net_dir,
                                            const std::string& sysctl_net_dir) {
    const std::string path = proc_net_dir + "/stat/nf_conntrack";
    auto text = read_text(path);
    if (!text) {
        if (text.error().sys_errno == ENOENT) {
            return ConntrackStats{};
        }
        return text.error();
    }
    auto counts = parse_conntrack_stat(*text);
    if (!counts) {
        return in_file(path, counts.error());
    }
    ConntrackStats out{true, std::move(*counts), std::nullopt, std::nullopt};
    auto count = read_sysctl(sysctl_net_dir + "/netfilter/nf_conntrack_count");
    if (!count) {
        return count.error();
    }
    auto max = read_sysctl(sysctl_net_dir + "/netfilter/nf_conntrack_max");
    if (!max) {
        return max.error();
    }
    out.count = *count;
    out.max = *max;
    return out;
}

nlohmann::json to_json(const Counters& counters) {
    auto out = nlohmann::json::object();
    for (const auto& c : counters.entries()) {
        out[c.name] = c.value;
    }
    return out;
}

nlohmann::json to_json(const ConntrackStats& stats) {
    if (!stats.available) {
        return {{"available", false}};
    }
    auto counts = nlohmann::json::object();
    for (const auto& [name, value] : stats.counts) {
        counts[name] = value;
    }
    auto or_null = [](const std::optional<std::int64_t>& v) {
        return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
    };
    return {{"available", true},
            {"count", or_null(stats.count)},
            {"max", or_null(stats.max)},
            {"counts", std::move(counts)}};
}

} // namespace netdx::probes
