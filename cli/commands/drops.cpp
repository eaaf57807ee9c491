// SPDX-License-Identifier: GPL-2.0
// netdx drops: a drop monitor (what dropwatch and `nettrace --drop` do). Per packet: one line per
// dropped packet with its netns, device, flow, drop reason and location (and --stack). With
// --summary: the kernel counts drops by (reason, location, netns) and a top table is printed
// every interval. The filters are the ones of diagnose and apply in the kernel in both modes.
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <tuple>

#include <nlohmann/json.hpp>

#include "../exit_codes.h"
#include "../filter_args.h"
#include "../recording.h"
#include "../session.h"
#include "../signals.h"
#include "commands.h"
#include "engine/event_json.h"
#include "engine/record.h"
#include "probes/drop_summary.h"
#include "probes/tracer.h"

namespace netdx::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct DropsArgs {
    FilterArgs filter;
    double duration_s = 0;
    bool json = false;
    bool stack = false;
    bool summary = false;
    double interval_s = 1;
    unsigned top = 10;
    std::string record_path;
    std::string command_line; // for the --record header
};

double seconds_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}

std::optional<Clock::duration> duration_of(const DropsArgs& args) {
    if (args.duration_s <= 0) {
        return std::nullopt;
    }
    return std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(args.duration_s));
}

// "14:02:03" (local time) of a wall-clock time; with microseconds when `micros`.
std::string clock_text(std::uint64_t unix_ns, bool micros) {
    const auto secs = static_cast<std::time_t>(unix_ns / 1000000000ULL);
    std::tm tm{};
    localtime_r(&secs, &tm);
    char buf[32];
    std::size_t n = std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
    if (micros) {
        std::snprintf(
            buf + n, sizeof buf - n, ".%06u", static_cast<unsigned>((unix_ns / 1000U) % 1000000U));
    }
    return buf;
}

std::string netns_text(std::uint32_t inode, const std::string& name) {
    if (!name.empty()) {
        return name;
    }
    return inode ? "netns:" + std::to_string(inode) : std::string("-");
}

std::string flow_of(const engine::Packet& pkt) {
    std::string flow = engine::flow_text(pkt);
    if (flow.empty()) {
        if (pkt.ethertype == 0) {
            return "-";
        }
        char buf[32];
        std::snprintf(buf, sizeof buf, "ethertype 0x%04x", pkt.ethertype);
        return buf;
    }
    if (pkt.l4_proto == 6 && pkt.tcp_flags != 0) {
        flow += " [" + engine::tcp_flags_text(pkt.tcp_flags) + "]";
    }
    return flow;
}

// One NDJSON line with "type" first: {"type":"<type>", <the members of body>}.
std::string typed_line(const char* type, const nlohmann::json& body) {
    std::string line = std::string(R"({"type":")") + type + "\"";
    if (!body.empty()) {
        line += "," + engine::json_text(body, -1).substr(1);
    } else {
        line += "}";
    }
    return line;
}

void print_lost(bool json, std::uint64_t lost) {
    if (json) {
        std::cout << typed_line("lost", {{"probe", "drop"}, {"count", lost}}) << std::endl;
    }
    std::cerr << "netdx: warning: " << lost
              << " drop events lost (ring buffer full); --summary counts every drop in the kernel"
              << std::endl;
}

// ---- per packet -----------------------------------------------------------------------------

// Records (--record) and prints each drop: a text line (plus the stack), or an NDJSON line.
class DropPrinter final : public probes::EventSink {
public:
    DropPrinter(const DropsArgs& args, Recording* recording) : args_(args), recording_(recording) {}

    void on_event(engine::Event&& ev) override {
        if (recording_) {
            recording_->record(ev);
        }
        ++events_;
        if (args_.json) {
            std::cout << engine::record_event_line(ev) << '\n';
            return;
        }
        std::cout << clock_text(ev.ts_ns, true) << "  " << netns_text(ev.netns, ev.netns_name)
                  << "  " << (ev.dev.empty() ? "-" : ev.dev) << "  " << flow_of(ev.pkt) << "  "
                  << ev.drop.reason << "  " << ev.drop.location.text() << '\n';
        if (args_.stack) {
            for (const auto& frame : ev.drop.stack) {
                std::cout << "    " << frame.text() << '\n';
            }
        }
    }

    std::uint64_t events() const { return events_; }

private:
    const DropsArgs& args_;
    Recording* recording_;
    std::uint64_t events_ = 0;
};

int run_packets(const DropsArgs& args, const engine::Filter& filter) {
    auto tracer = probes::Tracer::make();
    if (!tracer) {
        std::cerr << "netdx: error: " << tracer.error().describe() << "\n";
        return exit_code_for(tracer.error());
    }
    std::optional<Recording> recording;
    if (!args.record_path.empty()) {
        auto opened = Recording::open(args.record_path, args.command_line);
        if (!opened) {
            std::cerr << "netdx: error: " << opened.error().describe() << "\n";
            return exit_code_for(opened.error());
        }
        recording.emplace(std::move(*opened));
    }
    DropPrinter printer(args, recording ? &*recording : nullptr);
    probes::ProbeOptions options;
    options.filter = filter;

    StopSignals signals;
    if (auto started = tracer->start({engine::EventKind::Drop}, options, printer); !started) {
        std::cerr << "netdx: error: " << started.error().describe() << "\n";
        return exit_code_for(started.error());
    }
    std::string tracepoints;
    for (const auto& st : tracer->probe_status()) {
        if (st.attached) {
            tracepoints += (tracepoints.empty() ? "" : ", ") + st.tracepoint;
        }
    }
    std::cerr << "netdx: ready: tracing " << tracepoints << " for " << filter.describe()
              << "; Ctrl-C stops" << std::endl;

    const auto start = Clock::now();
    const auto duration = duration_of(args);
    std::uint64_t lost_seen = 0;
    std::optional<Error> failure;
    auto check_losses = [&] {
        std::uint64_t lost = 0;
        for (const auto& loss : tracer->lost_events()) {
            lost += loss.lost;
        }
        if (lost > lost_seen) {
            print_lost(args.json, lost - lost_seen);
            lost_seen = lost;
        }
    };
    for (;;) {
        const int rc = tracer->poll(100);
        if (rc < 0 && rc != -EINTR) {
            failure = make_error(ErrorKind::Environment, "polling the ring buffer failed", -rc);
            break;
        }
        std::cout.flush();
        if (recording) {
            recording->tick();
        }
        check_losses();
        if (StopSignals::requested() || (duration && Clock::now() - start >= *duration)) {
            break;
        }
    }
    // What is still in the ring (bounded: a drop storm refills it), then the final loss count
    // while the probe is loaded.
    for (int i = 0; i < 8 && !failure && tracer->poll(0) > 0; ++i) {
    }
    std::cout.flush();
    check_losses();
    const auto decode_errors = tracer->decode_errors();
    tracer->stop();
    if (recording) {
        recording->finish();
    }
    if (failure) {
        std::cerr << "netdx: error: " << failure->describe() << "\n";
        return exit_code_for(*failure);
    }
    char elapsed[32];
    std::snprintf(elapsed, sizeof elapsed, "%.1f", seconds_between(start, Clock::now()));
    std::cerr << "netdx: " << printer.events() << " drops in " << elapsed << " s";
    if (lost_seen > 0) {
        std::cerr << ", " << lost_seen << " lost";
    }
    if (decode_errors > 0) {
        std::cerr << ", " << decode_errors << " undecodable";
    }
    std::cerr << std::endl;
    return exit_ok;
}

// ---- summary --------------------------------------------------------------------------------

struct Table {
    std::string title; // "14:02:03 last 1.0 s" or "total over 12.3 s"
    double seconds = 0;
    std::vector<probes::DropCount> rows; // most first
    std::uint64_t uncounted = 0;         // map-full drops in this period
};

std::string cell(std::string text, std::size_t width) {
    if (text.size() > width) {
        text.resize(width - 1);
        text += '~';
    }
    return text;
}

std::string rate_text(double rate) {
    char buf[32];
    std::snprintf(buf, sizeof buf, rate >= 100 ? "%.0f" : "%.1f", rate);
    return buf;
}

// A top table that fits 80 columns for usual names: widths follow the rows shown, capped.
void print_table(const Table& t, unsigned top) {
    std::uint64_t total = 0;
    for (const auto& r : t.rows) {
        total += r.count;
    }
    const double secs = t.seconds > 0 ? t.seconds : 1;
    std::cout << t.title << ": ";
    if (total == 0) {
        std::cout << "no drops";
    } else {
        std::cout << total << (total == 1 ? " drop" : " drops") << " (" << rate_text(total / secs)
                  << "/s)";
    }
    if (t.uncounted > 0) {
        std::cout << "; " << t.uncounted << " more not counted (key map full)";
    }
    std::cout << "\n";
    if (total == 0) {
        std::cout << std::endl;
        return;
    }
    const std::size_t shown = std::min<std::size_t>(t.rows.size(), top);
    std::size_t reason_w = 6;
    std::size_t location_w = 8;
    for (std::size_t i = 0; i < shown; ++i) {
        reason_w = std::max(reason_w, t.rows[i].reason.size());
        location_w = std::max(location_w, t.rows[i].location.text().size());
    }
    reason_w = std::min<std::size_t>(reason_w, 24);
    location_w = std::min<std::size_t>(location_w, 30);
    char line[256];
    std::snprintf(line,
                  sizeof line,
                  "%8s %8s  %-*s  %-*s  %s",
                  "COUNT",
                  "RATE/s",
                  static_cast<int>(reason_w),
                  "REASON",
                  static_cast<int>(location_w),
                  "LOCATION",
                  "NETNS");
    std::cout << line << "\n";
    for (std::size_t i = 0; i < shown; ++i) {
        const auto& r = t.rows[i];
        std::snprintf(line,
                      sizeof line,
                      "%8" PRIu64 " %8s  %-*s  %-*s  %s",
                      r.count,
                      rate_text(static_cast<double>(r.count) / secs).c_str(),
                      static_cast<int>(reason_w),
                      cell(r.reason, reason_w).c_str(),
                      static_cast<int>(location_w),
                      cell(r.location.text(), location_w).c_str(),
                      cell(netns_text(r.netns, r.netns_name), 24).c_str());
        std::cout << line << "\n";
    }
    if (t.rows.size() > shown) {
        std::uint64_t rest = 0;
        for (std::size_t i = shown; i < t.rows.size(); ++i) {
            rest += t.rows[i].count;
        }
        std::cout << "  ... " << t.rows.size() - shown << " more rows with " << rest
                  << " drops (--top shows more)\n";
    }
    std::cout << std::endl;
}

// Three decimals are plenty for rates and durations, and keep the lines short.
double rounded(double x) {
    return std::round(x * 1000) / 1000;
}

void print_table_json(const char* type, const Table& t, unsigned top) {
    const double secs = t.seconds > 0 ? t.seconds : 1;
    std::uint64_t total = 0;
    nlohmann::json rows = nlohmann::json::array();
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
        const auto& r = t.rows[i];
        total += r.count;
        if (i < top) {
            rows.push_back({{"reason", r.reason},
                            {"reason_code", r.reason_code},
                            {"location", r.location.text()},
                            {"netns", r.netns},
                            {"netns_name", r.netns_name},
                            {"count", r.count},
                            {"rate", rounded(static_cast<double>(r.count) / secs)}});
        }
    }
    nlohmann::json line = {{"time", engine::rfc3339(wall_clock_ns())},
                           {"seconds", rounded(t.seconds)},
                           {"total", total},
                           {"rate", rounded(static_cast<double>(total) / secs)},
                           {"rows", std::move(rows)},
                           {"more_rows", t.rows.size() > top ? t.rows.size() - top : 0},
                           {"uncounted", t.uncounted}};
    std::cout << typed_line(type, line) << std::endl;
}

int run_summary(const DropsArgs& args, const engine::Filter& filter) {
    auto summary = probes::DropSummary::start(filter);
    if (!summary) {
        std::cerr << "netdx: error: " << summary.error().describe() << "\n";
        return exit_code_for(summary.error());
    }
    StopSignals signals;
    char interval[32];
    std::snprintf(interval, sizeof interval, "%g", args.interval_s);
    std::cerr << "netdx: ready: counting skb:kfree_skb by reason, location and netns for "
              << filter.describe() << "; a table every " << interval << " s; Ctrl-C stops"
              << std::endl;

    using Key = std::tuple<std::uint32_t, std::uint64_t, std::uint32_t>;
    std::map<Key, probes::DropCount> totals;
    std::uint64_t uncounted_seen = 0;
    unsigned tables = 0;
    const auto start = Clock::now();
    const auto duration = duration_of(args);
    const auto step =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(args.interval_s));
    auto last = start;
    auto next = start + step;
    std::optional<Error> failure;

    // Reads the counts since `last` and prints them as one table.
    auto emit = [&](Clock::time_point now) {
        auto rows = summary->read();
        if (!rows) {
            failure = rows.error();
            return;
        }
        Table t;
        t.title = clock_text(wall_clock_ns(), false) + "  last " +
                  rate_text(seconds_between(last, now)) + " s";
        t.seconds = seconds_between(last, now);
        t.rows = std::move(*rows);
        const auto uncounted = summary->uncounted();
        t.uncounted = uncounted - uncounted_seen;
        uncounted_seen = uncounted;
        for (const auto& r : t.rows) {
            auto [it, inserted] =
                totals.try_emplace(Key{r.reason_code, r.location.addr, r.netns}, r);
            if (!inserted) {
                it->second.count += r.count;
            }
        }
        if (args.json) {
            print_table_json("summary", t, args.top);
        } else {
            print_table(t, args.top);
        }
        if (t.uncounted > 0) {
            std::cerr << "netdx: warning: " << t.uncounted
                      << " drops not counted: the kernel key map is full" << std::endl;
        }
        ++tables;
        last = now;
    };

    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        const auto now = Clock::now();
        const bool stop = StopSignals::requested() || (duration && now - start >= *duration);
        // At the end, also the part of an interval since the last table (Ctrl-C).
        if (now >= next || stop) {
            emit(now);
            next = std::max(next + step, now + step / 2);
        }
        if (stop || failure) {
            break;
        }
    }
    summary->stop();
    if (failure) {
        std::cerr << "netdx: error: " << failure->describe() << "\n";
        return exit_code_for(*failure);
    }
    if (tables > 1) {
        Table t;
        t.seconds = seconds_between(start, last);
        t.title = "total over " + rate_text(t.seconds) + " s";
        for (auto& [key, row] : totals) {
            t.rows.push_back(std::move(row));
        }
        std::stable_sort(t.rows.begin(), t.rows.end(), [](const auto& a, const auto& b) {
            return a.count > b.count;
        });
        t.uncounted = uncounted_seen;
        if (args.json) {
            print_table_json("total", t, args.top);
        } else {
            print_table(t, args.top);
        }
    }
    return exit_ok;
}

int run_drops(DropsArgs args, const CommandContext& ctx) {
    auto filter = build_filter(args.filter);
    if (!filter) {
        std::cerr << "netdx: error: " << filter.error().describe() << "\n";
        return exit_usage;
    }
    args.command_line = ctx.command_line;
    return args.summary ? run_summary(args, *filter) : run_packets(args, *filter);
}

} // namespace

Command add_drops_command(CLI::App& app) {
    auto args = std::make_shared<DropsArgs>();
    CLI::App* cmd = app.add_subcommand(
        "drops",
        "Show dropped packets as they happen, or a table of the top drop reasons.\n\n"
        "One line per dropped packet: time, netns, device, flow, drop reason and the kernel\n"
        "function that dropped it (like dropwatch or 'nettrace --drop'). With --summary the\n"
        "kernel counts drops by reason, location and netns, and a top table is printed every\n"
        "interval (cheap even under a drop storm). Runs until Ctrl-C or --duration; the filters\n"
        "apply in the kernel.");
    add_filter_options(*cmd, args->filter);
    cmd->add_option(
           "--duration", args->duration_s, "Stop after this many seconds (default: Ctrl-C)")
        ->type_name("SECONDS")
        ->check(CLI::PositiveNumber);
    cmd->add_flag("--json",
                  args->json,
                  "NDJSON on stdout: {\"type\":\"event\",\"event\":{...}} per drop, or "
                  "{\"type\":\"summary\",...} per interval");
    CLI::Option* summary =
        cmd->add_flag("--summary",
                      args->summary,
                      "Count drops in the kernel and print the top (reason, location, netns) "
                      "every interval instead of one line per packet");
    cmd->add_option("--interval", args->interval_s, "Seconds between tables (default 1)")
        ->type_name("SECONDS")
        ->check(CLI::Range(0.1, 3600.0))
        ->needs(summary);
    cmd->add_option("--top", args->top, "Rows per table (default 10)")
        ->type_name("N")
        ->check(CLI::Range(1, 10000))
        ->needs(summary);
    cmd->add_flag("--stack", args->stack, "Print the kernel stack under each drop")
        ->excludes(summary);
    cmd->add_option("--record",
                    args->record_path,
                    "Also write every drop to FILE (NDJSON, netdx.record/1) for netdx replay")
        ->type_name("FILE")
        ->excludes(summary);
    cmd->footer("Examples:\n"
                "  sudo netdx drops\n"
                "  sudo netdx drops --netns blue --port 80 --stack\n"
                "  sudo netdx drops --host 10.0.0.2 --json --duration 10 --record drops.ndjson\n"
                "  sudo netdx drops --summary --interval 5 --top 20\n"
                "Lines: TIME  NETNS  DEVICE  FLOW [TCP FLAGS]  REASON  LOCATION ('-' = unknown).\n"
                "Exit codes: 0 stopped normally, 2 usage, 3 environment (privileges, BTF,\n"
                "kernel).");
    return {cmd, [args](const CommandContext& ctx) { return run_drops(*args, ctx); }};
}

} // namespace netdx::cli
