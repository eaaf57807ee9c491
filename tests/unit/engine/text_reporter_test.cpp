// SPDX-License-Identifier: GPL-2.0
// What an operator reads at a terminal: finding blocks, the closing diagnosis, --quiet,
// colours, escalations, wrapping at 80 columns and the live status line.
#include <sstream>
#include <string>

#include <doctest/doctest.h>

#include "engine/report/text_reporter.h"
#include "test_events.h"

using namespace netdx::engine;

namespace {

Finding finding(const std::string& rule,
                const std::string& category,
                Level level,
                const std::string& message,
                std::uint64_t count = 1) {
    Finding f;
    f.rule_id = rule;
    f.category = category;
    f.level = f.initial_level = level;
    f.message = message;
    f.count = count;
    f.evidence.push_back(netdx::test::tcp_drop(
        "NETFILTER_DROP", {"nft_do_chain", "nft_do_chain_ipv4", "nf_hook_slow", "__ip_local_out"}));
    f.first_seen_ns = f.last_seen_ns = f.evidence[0].ts_ns;
    f.netns = "blue";
    return f;
}

Finding netfilter_drop() {
    Finding f = finding("netfilter-drop-nftables",
                        "netfilter-drop",
                        Level::Error,
                        "TCP 10.0.0.1:41234 -> 10.0.0.2:80 was dropped at the OUTPUT hook.",
                        3);
    f.advice = {{AdviceKind::Check, "iptables-nft-save -c"},
                {AdviceKind::Change, "iptables -D OUTPUT 1"}};
    return f;
}

Report report_of(std::vector<Finding> findings) {
    Report r;
    r.started_ns = 1'700'000'000'000'000'000ULL;
    r.ended_ns = r.started_ns + 2'500'000'000ULL;
    r.stop_reason = StopReason::Duration;
    r.probes = {{"drop", "skb:kfree_skb", true, "", 0},
                {"route", "fib:fib_table_lookup", false, "not built", 0}};
    r.events = 7;
    r.suppressed = 2;
    r.findings = std::move(findings);
    return r;
}

bool every_line_fits(const std::string& text, std::size_t width) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.size() > width) {
            return false;
        }
    }
    return true;
}

} // namespace

TEST_CASE("a finding prints as one block with evidence, stack and advice") {
    std::ostringstream out, status;
    TextReporter(out, status).finding(netfilter_drop());
    CHECK(out.str() ==
          "ERROR  netfilter-drop  (rule netfilter-drop-nftables)\n"
          "  TCP 10.0.0.1:41234 -> 10.0.0.2:80 was dropped at the OUTPUT hook.\n"
          "  evidence: drop reason NETFILTER_DROP at nft_do_chain+0x10 in netns blue\n"
          "  stack:    nft_do_chain <- nft_do_chain_ipv4 <- nf_hook_slow <- __ip_local_out\n"
          "  check:    iptables-nft-save -c\n"
          "  change:   iptables -D OUTPUT 1\n"
          "\n");
    CHECK(status.str().empty());
}

TEST_CASE("prose wraps at 80 columns; a command keeps its own line to be copied") {
    std::ostringstream out, status;
    Finding f = finding("kernel-drop",
                        "kernel-drop",
                        Level::Warn,
                        std::string(30, 'a') + " " + std::string(300, 'b').replace(50, 1, " ") +
                            " end of a long message that must wrap onto several lines");
    const std::string command =
        "ip netns exec blue iptables-nft -t filter -nvL OUTPUT --line-numbers --exact";
    f.advice = {{AdviceKind::Check, "Show the rule with its packet counters: " + command}};
    TextReporter(out, status).finding(f);
    const std::string text = out.str();
    CHECK(text.find("\n  check:    Show the rule with its packet counters:\n              " +
                    command + "\n") != std::string::npos);
    // Only the unbreakable 250-character word may exceed the width.
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.find(command) == 14) {
            continue;
        }
        if (line.find(std::string(100, 'b')) == std::string::npos) {
            CHECK(line.size() <= 80);
        }
    }
}

TEST_CASE("an escalated finding already shown gets one line, not its block again") {
    std::ostringstream out, status;
    TextReporter reporter(out, status);
    Finding f = finding("no-listener-udp", "no-listener", Level::Info, "UDP port 53 is closed.");
    reporter.finding(f);
    f.level = Level::Error;
    f.escalated_because = "3 events";
    reporter.finding(f);
    const std::string text = out.str();
    CHECK(text.find("UDP port 53 is closed.") == text.rfind("UDP port 53 is closed."));
    CHECK(text.find("ERROR  no-listener  (rule no-listener-udp): escalated from INFO after 3 "
                    "events\n") != std::string::npos);
}

TEST_CASE("--quiet prints WARN and ERROR only, and nothing for a clean run") {
    std::ostringstream out, status;
    TextStyle quiet;
    quiet.quiet = true;
    TextReporter reporter(out, status, quiet);
    reporter.finding(finding("kernel-drop-info", "kernel-drop", Level::Info, "housekeeping"));
    CHECK(out.str().empty());
    reporter.summary(report_of({finding("kernel-drop-info", "kernel-drop", Level::Info, "x")}));
    CHECK(out.str().empty());
    reporter.finding(netfilter_drop());
    CHECK(out.str().find("ERROR  netfilter-drop") != std::string::npos);
    // An INFO finding that escalates is shown in full the first time it qualifies.
    Finding rising = finding("no-listener-udp", "no-listener", Level::Info, "UDP port 53 closed.");
    reporter.finding(rising);
    rising.level = Level::Warn;
    rising.escalated_because = "3 events";
    reporter.finding(rising);
    CHECK(out.str().find("(escalated from INFO after 3 events)\nWARN  no-listener") !=
          std::string::npos);
}

TEST_CASE("the diagnosis ranks root causes with evidence and fix, then coverage") {
    std::ostringstream out, status;
    Finding closed = finding("no-listener-tcp", "no-listener", Level::Warn, "port 81 closed", 9);
    Finding closed2 = finding("no-listener-tcp", "no-listener", Level::Warn, "port 82 closed", 2);
    Finding info = finding("kernel-drop-info", "kernel-drop", Level::Info, "old data", 4);
    TextReporter(out, status).summary(report_of({closed2, info, netfilter_drop(), closed}));
    CHECK(out.str() ==
          "Diagnosis: ERROR - 2 root causes\n"
          "  1. ERROR netfilter-drop (3 events)\n"
          "     TCP 10.0.0.1:41234 -> 10.0.0.2:80 was dropped at the OUTPUT hook.\n"
          "     evidence: drop reason NETFILTER_DROP at nft_do_chain+0x10 in netns blue\n"
          "     fix:      iptables -D OUTPUT 1\n"
          "  2. WARN no-listener (2 findings, 11 events)\n"
          "     - port 81 closed (9 events)\n"
          "     - port 82 closed (2 events)\n"
          "  Also seen (INFO): kernel-drop (4 events)\n"
          "Coverage: 1 probe attached; route unavailable (not built); 7 events in 2.5 s, 2\n"
          "  benign, 0 lost.\n");
}

TEST_CASE("a neighbour failure next to a drop of ARP ranks as its consequence") {
    std::ostringstream out, status;
    Finding xdp = finding("xdp-drop", "xdp-drop", Level::Error, "XDP dropped it", 2);
    Finding neigh = finding("neighbor-failure", "neighbor-failure", Level::Error, "no ARP", 5);
    TextReporter(out, status).summary(report_of({neigh, xdp}));
    const std::string text = out.str();
    INFO(text);
    CHECK(text.find("Diagnosis: ERROR - 1 root cause\n  1. ERROR xdp-drop (2 events)") !=
          std::string::npos);
    CHECK(text.find("  2. ERROR neighbor-failure (5 events) - probably a consequence of 1\n") !=
          std::string::npos);
}

TEST_CASE("colours mark levels only when asked; NO_COLOR and dumb terminals turn auto off") {
    std::ostringstream out, status;
    TextStyle style;
    style.color = true;
    TextReporter(out, status, style).finding(netfilter_drop());
    CHECK(out.str().starts_with("\033[1;31mERROR\033[0m  \033[1mnetfilter-drop\033[0m"));
    CHECK(use_color("auto", true, nullptr, "xterm"));
    CHECK_FALSE(use_color("auto", false, nullptr, "xterm"));
    CHECK_FALSE(use_color("auto", true, "1", "xterm"));
    CHECK_FALSE(use_color("auto", true, nullptr, "dumb"));
    CHECK(use_color("auto", true, "", "xterm")); // NO_COLOR set but empty does not count
    CHECK(use_color("always", false, "1", "dumb"));
    CHECK_FALSE(use_color("never", true, nullptr, "xterm"));
}

TEST_CASE("the live status line is drawn in place and cleared before output") {
    std::ostringstream out, status;
    TextStyle style;
    style.live_status = true;
    TextReporter reporter(out, status, style);
    Progress p;
    p.elapsed_ns = 3'000'000'000ULL;
    p.events = 1204;
    p.matched = 40;
    p.findings = 1;
    reporter.progress(p);
    CHECK(status.str() ==
          "\r\033[Knetdx: 3.0 s | 1 finding | 40 of 1204 events matched | 0 lost | Ctrl-C stops");
    reporter.finding(netfilter_drop());
    CHECK(status.str().ends_with("Ctrl-C stops\r\033[K"));
    TextReporter plain(out, status); // not a terminal: no status line at all
    const auto before = status.str().size();
    plain.progress(p);
    CHECK(status.str().size() == before);
}

TEST_CASE("redaction applies to every line that carries data") {
    std::ostringstream out, status;
    Redactor redactor;
    TextStyle style;
    style.redactor = &redactor;
    TextReporter(out, status, style).summary(report_of({netfilter_drop()}));
    const std::string text = out.str();
    INFO(text);
    CHECK(text.find("10.0.0.") == std::string::npos);
    CHECK(text.find("ip-1:41234 -> ip-2:80") != std::string::npos);
    CHECK(text.find("blue") == std::string::npos); // the finding's namespace, in the evidence
    CHECK(text.find("in netns ns-1") != std::string::npos);
    CHECK(every_line_fits(text, 80));
}

TEST_CASE("wrap_text breaks after a long head, never before the first word of an indented line") {
    CHECK(wrap_text("alpha beta", "  A  " + std::string(68, 'p') + " ", 6, 80) ==
          "  A  " + std::string(68, 'p') + " alpha\n      beta");
    // A head so long that not even the first word fits: that word starts the next line.
    CHECK(wrap_text("alpha", "  A  " + std::string(72, 'p') + " ", 6, 80) ==
          "  A  " + std::string(72, 'p') + "\n      alpha");
    CHECK(wrap_text(std::string(90, 'x'), "  check:    ", 12, 80) ==
          "  check:    " + std::string(90, 'x'));
    CHECK(wrap_text("one two three", "", 0, 7) == "one two\nthree");
}
