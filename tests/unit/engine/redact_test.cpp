// SPDX-License-Identifier: GPL-2.0
// Redaction of reports (issue 8): consistent tokens for addresses and names, no false positives.
#include <string>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "engine/report/json_report.h"
#include "engine/report/redact.h"
#include "test_events.h"

using netdx::engine::Redactor;

namespace {

// A report as diagnose writes it: a drop in netns "blue" on host "web-01.example.com", with an
// IPv6 flow and a gateway in a second finding, and addresses inside the message and advice.
nlohmann::json sample_report() {
    using namespace netdx::engine;
    Report r;
    r.host = {"web-01.example.com", "6.18.44-netdx", true};
    r.command = "netdx diagnose --netns blue --host 10.0.0.2 --port 80";
    r.started_ns = 1'700'000'000'000'000'000ULL;
    r.ended_ns = r.started_ns + 1'000'000'000ULL;
    r.filters.host = IpAddr::parse("10.0.0.2");
    r.filters.netns = "blue";
    r.probes = {{"drop", "skb:kfree_skb", true, "", 0}};

    Finding f;
    f.rule_id = "netfilter-drop-nftables";
    f.category = "netfilter-drop";
    f.level = Level::Error;
    f.message = "TCP 10.0.0.1:41234 -> 10.0.0.2:80 was dropped in netns blue on web-01.";
    f.advice = {{AdviceKind::Check, "ip netns exec blue nft list ruleset"},
                {AdviceKind::Check, "ip -n blue route get 10.0.0.2 from 10.0.0.1"}};
    f.count = 3;
    f.evidence.push_back(netdx::test::tcp_drop("NETFILTER_DROP", {"nft_do_chain", "nf_hook_slow"}));
    f.first_seen_ns = f.last_seen_ns = f.evidence[0].ts_ns;
    f.flow = f.evidence[0].pkt;
    f.netns = "blue";
    f.device = "veth0";
    r.findings.push_back(f);

    Finding g;
    g.rule_id = "no-route";
    g.category = "no-route";
    g.level = Level::Warn;
    g.message = "No route from fd00::1 to [fd00:0:0::2]:443 in netns red (gateway fe80::1%veth0).";
    g.count = 1;
    Event ev;
    ev.kind = EventKind::Route;
    ev.netns_name = "red";
    ev.pkt.family = PacketFamily::Ipv6;
    ev.pkt.saddr = *IpAddr::parse("fd00::1");
    ev.pkt.daddr = *IpAddr::parse("fd00::2");
    ev.trace.tracepoint = "fib6:fib6_table_lookup";
    ev.trace.gateway = *IpAddr::parse("fe80::1");
    g.evidence.push_back(ev);
    g.flow = ev.pkt;
    g.netns = "red";
    r.findings.push_back(g);
    return to_json(r);
}

} // namespace

TEST_CASE("the same address gets the same token in every field and in prose") {
    auto doc = sample_report();
    Redactor redactor;
    redactor.report(doc);
    const auto& f = doc["findings"][0];
    // Tokens are numbered in the order they are first met (keys in alphabetical order: command
    // comes first, so the --host target is ip-1).
    CHECK(doc["command"] == "netdx diagnose --netns ns-1 --host ip-1 --port 80");
    CHECK(doc["filters"]["host"] == "ip-1");
    CHECK(doc["filters"]["netns"] == "ns-1");
    CHECK(f["flow"]["dst"] == "ip-1");
    CHECK(f["flow"]["src"] == "ip-2");
    CHECK(f["flow"]["dport"] == 80);
    CHECK(f["message"] == "TCP ip-2:41234 -> ip-1:80 was dropped in netns ns-1 on host-1.");
    CHECK(f["advice"][0]["text"] == "ip netns exec ns-1 nft list ruleset");
    CHECK(f["advice"][1]["text"] == "ip -n ns-1 route get ip-1 from ip-2");
    CHECK(f["netns"] == "ns-1");
    CHECK(f["evidence"][0]["netns_name"] == "ns-1");
    CHECK(f["evidence"][0]["pkt"]["saddr"] == "ip-2");
    CHECK(f["evidence"][0]["pkt"]["daddr"] == "ip-1");
    CHECK(doc["host"]["hostname"] == "host-1");
    CHECK(doc["redacted"] == true);
}

TEST_CASE("IPv6 addresses are tokens in every textual form, zones and ports stay") {
    auto doc = sample_report();
    Redactor redactor;
    redactor.report(doc);
    const auto& g = doc["findings"][1];
    // The evidence comes first (alphabetical keys), and its daddr before its saddr.
    CHECK(g["evidence"][0]["pkt"]["daddr"] == "ip6-1");
    CHECK(g["flow"]["dst"] == "ip6-1");
    CHECK(g["flow"]["src"] == "ip6-2");
    CHECK(g["evidence"][0]["trace"]["gateway"] == "ip6-3");
    // fd00:0:0::2 is fd00::2; fe80::1%veth0 keeps its zone.
    CHECK(g["message"] ==
          "No route from ip6-2 to [ip6-1]:443 in netns ns-2 (gateway ip6-3%veth0).");
    CHECK(g["netns"] == "ns-2");
}

TEST_CASE("what identifies no machine stays: versions, kernel symbols, times, rule ids") {
    auto doc = sample_report();
    auto before = doc;
    Redactor redactor;
    redactor.report(doc);
    CHECK(doc["host"]["kernel"] == "6.18.44-netdx");
    CHECK(doc["tool"] == before["tool"]);
    CHECK(doc["schema"] == "netdx.report/1");
    CHECK(doc["started"] == before["started"]);
    const auto& f = doc["findings"][0];
    CHECK(f["id"] == "netfilter-drop-nftables");
    CHECK(f["device"] == "veth0");
    CHECK(f["evidence"][0]["drop"] == before["findings"][0]["evidence"][0]["drop"]);
    CHECK(f["evidence"][0]["skb"] == before["findings"][0]["evidence"][0]["skb"]);
    CHECK(f["evidence"][0]["time"] == before["findings"][0]["evidence"][0]["time"]);
}

TEST_CASE("text() replaces addresses inside prose and leaves look-alikes alone") {
    Redactor r;
    struct Case {
        const char* in;
        const char* out;
    };
    const Case cases[] = {
        // Addresses, endpoints, CIDRs, punctuation after them.
        {"10.0.0.2", "ip-1"},
        {"to 10.0.0.2.", "to ip-1."},
        {"from 10.0.0.2: refused", "from ip-1: refused"},
        {"10.0.0.2:8080, 10.0.0.3:80", "ip-1:8080, ip-2:80"},
        {"route 10.0.0.0/24 via 10.0.0.254", "route ip-3/24 via ip-4"},
        {"(10.0.0.2)", "(ip-1)"},
        {"dst=10.0.0.2", "dst=ip-1"},
        {"10.0.0.1->10.0.0.2", "ip-5->ip-1"},
        {"fd00::2 [fd00::2]:443 fd00::/64", "ip6-1 [ip6-1]:443 ip6-2/64"},
        {"FD00:0000::2", "ip6-1"},
        {"fe80::1%eth0", "ip6-3%eth0"},
        {"::ffff:10.0.0.2", "::ffff:ip-1"},
        {"2001:db8:1:2:3:4:5:6", "ip6-4"},
        {"lladdr 52:54:00:AB:cd:01 and 52:54:00:ab:cd:01", "lladdr mac-1 and mac-1"},
        // Kept: loopback, unspecified, broadcast.
        {"127.0.0.1:80 ::1 0.0.0.0/0 :: [::1]:53 255.255.255.255",
         "127.0.0.1:80 ::1 0.0.0.0/0 :: "
         "[::1]:53 255.255.255.255"},
        {"127.1.2.3 ::ffff:127.0.0.1", "127.1.2.3 ::ffff:127.0.0.1"},
        {"00:00:00:00:00:00 ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00 ff:ff:ff:ff:ff:ff"},
        // Not addresses.
        {"kernel 6.18.44, iptables v1.8.7", "kernel 6.18.44, iptables v1.8.7"},
        {"at 21:50:07 and 2026-11-22T05:12:03.123456Z",
         "at 21:50:07 and 2026-11-22T05:12:03.123456Z"},
        {"nft_do_chain+0x3e8 skb 0xffff888012345678", "nft_do_chain+0x3e8 skb 0xffff888012345678"},
        {"1.2.3.4.5 256.1.1.1 10.0.0 1.2.3.4a a1.2.3.4",
         "1.2.3.4.5 256.1.1.1 10.0.0 1.2.3.4a a1.2.3.4"},
        {"10.0.0.2:99999 ab:cd:ef std::string dead:beef",
         "10.0.0.2:99999 ab:cd:ef std::string "
         "dead:beef"},
        {"rate 12.5/s, 3 events, TcpExt.ListenOverflows",
         "rate 12.5/s, 3 events, TcpExt.ListenOverflows"},
        {"", ""},
    };
    for (const auto& c : cases) {
        CAPTURE(c.in);
        CHECK(r.text(c.in) == c.out);
    }
}

TEST_CASE("names are replaced as whole words, longest first, in fields and prose") {
    Redactor r;
    r.add_netns("blue");
    r.add_netns("blue-2");
    r.add_netns("a");
    r.add_netns("host"); // netdx's name for the initial namespace: kept
    r.add_hostname("db.example.com");
    CHECK(r.text("netns blue, blue-2 and blue.") == "netns ns-1, ns-2 and ns-1.");
    CHECK(r.text("blueprint true-blue blue_x") == "blueprint true-blue blue_x");
    CHECK(r.text("on db.example.com (db)") == "on host-1 (host-1)");
    CHECK(r.text("netns host") == "netns host");
    // A one-letter name is only replaced where the report says it is a name (its field).
    CHECK(r.text("a packet") == "a packet");
    nlohmann::json doc = {{"findings", {{{"netns", "a"}, {"message", "a drop in blue"}}}}};
    r.report(doc);
    CHECK(doc["findings"][0]["netns"] == "ns-3");
    CHECK(doc["findings"][0]["message"] == "a drop in ns-1");
}

TEST_CASE("two redactors are independent; one redactor is consistent across calls") {
    Redactor a, b;
    CHECK(a.text("10.0.0.9") == "ip-1");
    CHECK(a.text("10.0.0.8") == "ip-2");
    CHECK(a.text("x 10.0.0.9") == "x ip-1");
    CHECK(b.text("10.0.0.8") == "ip-1");
    CHECK(a.size() == 2);
}

TEST_CASE("a redacted report still matches the report's shape (object keys are not touched)") {
    auto doc = sample_report();
    auto before = doc;
    Redactor().report(doc);
    for (auto it = before.begin(); it != before.end(); ++it) {
        CHECK(doc.contains(it.key()));
    }
    CHECK(doc["coverage"]["lost_events"].contains("drop"));
    CHECK(doc["findings"].size() == before["findings"].size());
}
