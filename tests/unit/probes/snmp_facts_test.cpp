// SPDX-License-Identifier: GPL-2.0
// Kernel counters: /proc/net/snmp, netstat and snmp6 and /proc/net/stat/nf_conntrack, parsed from
// text captured on a 6.x kernel (groups abbreviated, never reformatted), the namespace readers on
// fake directories, and malformed or truncated text, which must give an error naming the line.
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "probes/snmp_facts.h"
#include "temp_dir.h"

namespace {

using netdx::probes::Counters;
using netdx::probes::parse_conntrack_stat;
using netdx::probes::parse_snmp;
using netdx::probes::parse_snmp6;

// /proc/net/snmp: Ip, Tcp (MaxConn is -1) and Udp as captured.
constexpr std::string_view snmp_text =
    R"(Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates OutTransmits
Ip: 2 64 776 0 0 0 0 0 776 542 0 0 0 0 0 0 0 0 0 542
Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors
Tcp: 1 200 120000 -1 23 4 1 0 0 712 480 0 0 2 0
Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
Udp: 40 0 0 42 0 0 0 0 0
)";

// /proc/net/netstat: TcpExt cut after TCPHPAcks, IpExt whole.
constexpr std::string_view netstat_text =
    R"(TcpExt: SyncookiesSent SyncookiesRecv SyncookiesFailed EmbryonicRsts PruneCalled RcvPruned OfoPruned OutOfWindowIcmps LockDroppedIcmps ArpFilter TW TWRecycled TWKilled PAWSActive PAWSEstab BeyondWindow TSEcrRejected PAWSOldAck PAWSTimewait DelayedACKs DelayedACKLocked DelayedACKLost ListenOverflows ListenDrops TCPHPHits TCPPureAcks TCPHPAcks
TcpExt: 0 0 0 0 0 0 0 0 0 0 20 0 0 0 0 0 0 0 0 0 0 0 0 0 11 29 12
IpExt: InNoRoutes InTruncatedPkts InMcastPkts OutMcastPkts InBcastPkts OutBcastPkts InOctets OutOctets InMcastOctets OutMcastOctets InBcastOctets OutBcastOctets InCsumErrors InNoECTPkts InECT1Pkts InECT0Pkts InCEPkts ReasmOverlaps
IpExt: 0 0 0 0 0 0 26890669 40427 0 0 0 0 0 776 0 0 0 0
)";

// /proc/net/snmp6: names padded with blanks, then a tab and the value (literal tabs below).
constexpr std::string_view snmp6_text = R"(Ip6InReceives                   	2
Ip6InNoRoutes                   	0
Ip6OutNoRoutes                  	0
Icmp6InErrors                   	1
Icmp6InType1                    	2
Icmp6OutType135                 	5
Udp6InDatagrams                 	0
Udp6RcvbufErrors                	0
UdpLite6InDatagrams             	0
)";

// /proc/net/stat/nf_conntrack of a 2-CPU machine as captured (all zero).
constexpr std::string_view conntrack_idle_text =
    R"(entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart
00000000  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000000
00000000  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000000
)";

// The same layout with traffic: 4 CPUs, values set by hand.
constexpr std::string_view conntrack_busy_text =
    R"(entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart
0000002a  00000000 00000000 00000000 00000003 00000010 00000000 00000000 00000000 00000001 00000002 00000000 00000000  00000000 00000000 00000000 00000004
0000002a  00000001 00000000 00000000 0000000a 00000020 00000000 00000000 00000000 00000000 000000ff 00000001 00000000  00000000 00000000 00000000 00000000
0000002a  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000002 00000001 00000000 00000000  00000000 00000000 00000000 00000001
0000002a  00000000 00000000 00000000 00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000000
)";

template <class R>
std::string error_of(const R& r) {
    return r ? std::string("(no error)") : r.error().message;
}

} // namespace

TEST_SUITE_BEGIN("snmp_facts");

TEST_CASE("snmp: every counter of snmp and netstat is named Group.Name, MaxConn stays -1") {
    const auto snmp = parse_snmp(snmp_text);
    REQUIRE_MESSAGE(snmp.has_value(), error_of(snmp));
    CHECK(snmp->size() == 20 + 15 + 9);
    CHECK(snmp->find("Ip.InReceives") == 776);
    CHECK(snmp->find("Ip.OutNoRoutes") == 0);
    CHECK(snmp->find("Tcp.MaxConn") == -1);
    CHECK(snmp->find("Tcp.OutRsts") == 2);
    CHECK(snmp->find("Udp.RcvbufErrors") == 0);
    CHECK(snmp->find("Udp.OutDatagrams") == 42);
    CHECK_FALSE(snmp->find("Udp.Nope"));
    CHECK_FALSE(snmp->find("Ip"));

    const auto netstat = parse_snmp(netstat_text);
    REQUIRE_MESSAGE(netstat.has_value(), error_of(netstat));
    CHECK(netstat->size() == 27 + 18);
    CHECK(netstat->find("TcpExt.ListenOverflows") == 0);
    CHECK(netstat->find("TcpExt.TW") == 20);
    CHECK(netstat->find("TcpExt.TCPHPAcks") == 12);
    CHECK(netstat->find("IpExt.InOctets") == 26890669);
}

TEST_CASE("snmp: counters are sorted by name") {
    const auto snmp = parse_snmp(snmp_text);
    REQUIRE(snmp.has_value());
    const auto& e = snmp->entries();
    CHECK(std::is_sorted(
        e.begin(), e.end(), [](const auto& a, const auto& b) { return a.name < b.name; }));
}

TEST_CASE("snmp: snmp6 names are split after the group's 6") {
    const auto c = parse_snmp6(snmp6_text);
    REQUIRE_MESSAGE(c.has_value(), error_of(c));
    CHECK(c->size() == 9);
    CHECK(c->find("Ip6.InReceives") == 2);
    CHECK(c->find("Ip6.InNoRoutes") == 0);
    CHECK(c->find("Icmp6.InErrors") == 1);
    CHECK(c->find("Icmp6.InType1") == 2);
    CHECK(c->find("Icmp6.OutType135") == 5);
    CHECK(c->find("Udp6.RcvbufErrors") == 0);
    CHECK(c->find("UdpLite6.InDatagrams") == 0);
}

TEST_CASE("snmp: delta is after - before over common names, 0 when a counter went down") {
    const auto before = parse_snmp("Ip: InReceives OutNoRoutes Gone\nIp: 100 7 1\n"
                                   "Tcp: MaxConn CurrEstab\nTcp: -1 9\n");
    const auto after = parse_snmp("Ip: InReceives OutNoRoutes New\nIp: 250 7 5\n"
                                  "Tcp: MaxConn CurrEstab\nTcp: -1 4\n");
    REQUIRE(before.has_value());
    REQUIRE(after.has_value());
    const Counters d = netdx::probes::delta(*before, *after);
    CHECK(d.size() == 4);
    CHECK(d.find("Ip.InReceives") == 150);
    CHECK(d.find("Ip.OutNoRoutes") == 0);
    CHECK(d.find("Tcp.MaxConn") == 0);
    CHECK(d.find("Tcp.CurrEstab") == 0);
    CHECK_FALSE(d.find("Ip.Gone"));
    CHECK_FALSE(d.find("Ip.New"));

    const auto low = parse_snmp("X: A\nX: -9223372036854775808\n");
    const auto high = parse_snmp("X: A\nX: 9223372036854775807\n");
    REQUIRE(low.has_value());
    REQUIRE(high.has_value());
    CHECK(netdx::probes::delta(*low, *high).find("X.A") ==
          std::numeric_limits<std::int64_t>::max());
}

TEST_CASE("snmp: malformed counters text gives an error naming the line") {
    struct Case {
        std::string_view text;
        std::string_view message;
    };
    const Case snmp_cases[] = {
        {"", "no counters in the text"},
        {" \n\n", "no counters in the text"},
        {"Forwarding DefaultTTL\n2 64\n", "line 1: expected 'Group: Name ...', got 'Forwarding'"},
        {":\n:\n", "line 1: expected 'Group: Name ...', got ':'"},
        {"Ip: Forwarding DefaultTTL\n", "line 1: 'Ip' names have no value line after them"},
        {"Ip: A B\nIp: 1 2\nTcp: C\n", "line 3: 'Tcp' names have no value line after them"},
        {"Ip: A B\nTcp: 1 2\n", "line 2: expected the values of 'Ip', got 'Tcp:'"},
        {"Ip: A B C\nIp: 1 2\n", "line 2: 'Ip' has 3 names but 2 values"},
        {"Ip: A\nIp: 1 2\n", "line 2: 'Ip' has 1 names but 2 values"},
        {"Tcp: RtoMin MaxConn\nTcp: 200 x1\n",
         "line 2: 'Tcp.MaxConn' value 'x1' is not a decimal integer (or is above "
         "9223372036854775807)"},
        {"Tcp: RtoMin\nTcp: 2.5\n",
         "line 2: 'Tcp.RtoMin' value '2.5' is not a decimal integer (or is above "
         "9223372036854775807)"},
        {"IpExt: InOctets\nIpExt: 9223372036854775808\n",
         "line 2: 'IpExt.InOctets' value '9223372036854775808' is not a decimal integer (or is "
         "above 9223372036854775807)"},
        {"Ip: A A\nIp: 1 2\n", "duplicate counter 'Ip.A'"},
        {"Ip: A\nIp: 1\nIp: A\nIp: 2\n", "duplicate counter 'Ip.A'"},
    };
    for (const auto& c : snmp_cases) {
        const auto r = parse_snmp(c.text);
        CHECK_MESSAGE(error_of(r) == c.message, "input: " << c.text);
    }

    const Case snmp6_cases[] = {
        {"", "no counters in the text"},
        {"Ip6InReceives\n", "line 1: expected 'Name value', got 1 fields"},
        {"Ip6InReceives 1\nIp6InDelivers 2 3\n", "line 2: expected 'Name value', got 3 fields"},
        {"InReceives 3\n", "line 1: 'InReceives' has no group prefix such as 'Ip6' or 'Udp6'"},
        {"Ip6 3\n", "line 1: 'Ip6' has no group prefix such as 'Ip6' or 'Udp6'"},
        {"6In 3\n", "line 1: '6In' has no group prefix such as 'Ip6' or 'Udp6'"},
        {"Ip6InReceives 2x\n",
         "line 1: 'Ip6.InReceives' value '2x' is not a decimal integer (or is above "
         "9223372036854775807)"},
        {"Ip6InReceives 1\nIp6InReceives 2\n", "duplicate counter 'Ip6.InReceives'"},
    };
    for (const auto& c : snmp6_cases) {
        const auto r = parse_snmp6(c.text);
        CHECK_MESSAGE(error_of(r) == c.message, "input: " << c.text);
    }
}

TEST_CASE("snmp: text truncated at any byte parses or fails cleanly, never crashes") {
    std::size_t failed = 0;
    for (const std::string_view text : {snmp_text, netstat_text}) {
        for (std::size_t n = 0; n < text.size(); ++n) {
            failed += parse_snmp(text.substr(0, n)) ? 0 : 1;
        }
    }
    for (std::size_t n = 0; n < snmp6_text.size(); ++n) {
        failed += parse_snmp6(snmp6_text.substr(0, n)) ? 0 : 1;
    }
    for (std::size_t n = 0; n < conntrack_busy_text.size(); ++n) {
        failed += parse_conntrack_stat(conntrack_busy_text.substr(0, n)) ? 0 : 1;
    }
    CHECK(failed > 0);
    // A cut in the middle of a value line is a count mismatch, not a shorter group.
    const auto cut = snmp_text.find("Tcp: 1 200") + 8;
    CHECK(error_of(parse_snmp(snmp_text.substr(0, cut))) ==
          "line 4: 'Tcp' has 15 names but 2 values");
}

TEST_CASE("snmp: conntrack statistics are summed over CPUs, entries is taken once") {
    const auto idle = parse_conntrack_stat(conntrack_idle_text);
    REQUIRE_MESSAGE(idle.has_value(), error_of(idle));
    CHECK(idle->size() == 17);
    CHECK(idle->at("drop") == 0);
    CHECK(idle->at("search_restart") == 0);

    const auto busy = parse_conntrack_stat(conntrack_busy_text);
    REQUIRE_MESSAGE(busy.has_value(), error_of(busy));
    CHECK(busy->at("entries") == 42);
    CHECK(busy->at("invalid") == 3 + 10 + 0 + 1);
    CHECK(busy->at("ignore") == 0x10 + 0x20);
    CHECK(busy->at("insert_failed") == 1 + 0 + 2 + 0);
    CHECK(busy->at("drop") == 2 + 255 + 1 + 0);
    CHECK(busy->at("early_drop") == 1);
    CHECK(busy->at("search_restart") == 5);
    CHECK(busy->at("clashres") == 1);
}

TEST_CASE("snmp: malformed conntrack statistics give an error naming the line") {
    struct Case {
        std::string_view text;
        std::string_view message;
    };
    const Case cases[] = {
        {"", "no header line of field names"},
        {"entries drop\n", "line 1: header without any CPU line after it"},
        {"entries drop\n00000001 00000002\n00000001\n", "line 3: 2 field names but 1 values"},
        {"entries drop\n00000001 0000000g\n", "line 2: 'drop' value '0000000g' is not hexadecimal"},
        {"entries drop\n00000001 -0000001\n", "line 2: 'drop' value '-0000001' is not hexadecimal"},
        {"drop drop\n00000001 00000002\n", "line 1: duplicate field name 'drop'"},
    };
    for (const auto& c : cases) {
        CHECK_MESSAGE(error_of(parse_conntrack_stat(c.text)) == c.message, "input: " << c.text);
    }
}

TEST_CASE("snmp: read_counters merges snmp, netstat and snmp6 of one directory") {
    netdx::test::TempDir dir;
    dir.write("snmp", std::string(snmp_text));
    dir.write("netstat", std::string(netstat_text));
    const std::string root = dir.path().string();

    SUBCASE("without snmp6, as with IPv6 disabled") {
        const auto c = netdx::probes::read_counters(root);
        REQUIRE_MESSAGE(c.has_value(), error_of(c));
        CHECK(c->size() == 44 + 45);
        CHECK(c->find("TcpExt.ListenOverflows") == 0);
        CHECK_FALSE(c->find("Ip6.InReceives"));
    }
    SUBCASE("with snmp6") {
        dir.write("snmp6", std::string(snmp6_text));
        const auto c = netdx::probes::read_counters(root);
        REQUIRE_MESSAGE(c.has_value(), error_of(c));
        CHECK(c->size() == 44 + 45 + 9);
        CHECK(c->find("Udp6.RcvbufErrors") == 0);
        CHECK(c->find("Ip.InReceives") == 776);
        const auto j = netdx::probes::to_json(*c);
        CHECK(j.size() == c->size());
        CHECK(j["Tcp.MaxConn"] == -1);
        CHECK(j["Icmp6.InType1"] == 2);
    }
    SUBCASE("a malformed file is named in the error") {
        dir.write("snmp6", "Ip6InReceives\n");
        CHECK(error_of(netdx::probes::read_counters(root)) ==
              root + "/snmp6: line 1: expected 'Name value', got 1 fields");
    }
    SUBCASE("a missing netstat is an error") {
        std::filesystem::remove(dir.path() / "netstat");
        const auto c = netdx::probes::read_counters(root);
        REQUIRE_FALSE(c.has_value());
        CHECK(c.error().message == "cannot open " + root + "/netstat");
        CHECK(c.error().sys_errno == ENOENT);
    }
}

TEST_CASE("snmp: read_conntrack_stats reports conntrack not in use when its files are missing") {
    netdx::test::TempDir dir;
    const std::string net = (dir.path() / "net").string();
    const std::string sys = (dir.path() / "sys").string();

    SUBCASE("no stat file") {
        const auto s = netdx::probes::read_conntrack_stats(net, sys);
        REQUIRE_MESSAGE(s.has_value(), error_of(s));
        CHECK_FALSE(s->available);
        CHECK(s->counts.empty());
        CHECK(netdx::probes::to_json(*s) == nlohmann::json{{"available", false}});
    }
    SUBCASE("stat file, count and max") {
        dir.write("net/stat/nf_conntrack", std::string(conntrack_busy_text));
        dir.write("sys/netfilter/nf_conntrack_count", "42\n");
        dir.write("sys/netfilter/nf_conntrack_max", "262144\n");
        const auto s = netdx::probes::read_conntrack_stats(net, sys);
        REQUIRE_MESSAGE(s.has_value(), error_of(s));
        CHECK(s->available);
        CHECK(s->count == 42);
        CHECK(s->max == 262144);
        CHECK(s->counts.at("drop") == 258);
        const auto j = netdx::probes::to_json(*s);
        CHECK(j["available"] == true);
        CHECK(j["count"] == 42);
        CHECK(j["max"] == 262144);
        CHECK(j["counts"]["insert_failed"] == 3);
    }
    SUBCASE("stat file without the sysctls") {
        dir.write("net/stat/nf_conntrack", std::string(conntrack_idle_text));
        const auto s = netdx::probes::read_conntrack_stats(net, sys);
        REQUIRE_MESSAGE(s.has_value(), error_of(s));
        CHECK(s->available);
        CHECK_FALSE(s->count);
        CHECK_FALSE(s->max);
        CHECK(netdx::probes::to_json(*s)["max"].is_null());
    }
    SUBCASE("a sysctl that is not a number is an error") {
        dir.write("net/stat/nf_conntrack", std::string(conntrack_idle_text));
        dir.write("sys/netfilter/nf_conntrack_count", "lots\n");
        CHECK(error_of(netdx::probes::read_conntrack_stats(net, sys)) ==
              sys + "/netfilter/nf_conntrack_count: expected one integer");
    }
}

TEST_CASE("snmp: the live namespace of this thread has Ip.InReceives") {
    const auto c = netdx::probes::read_counters("/proc/thread-self/net");
    if (!c) {
        MESSAGE("skipped: /proc/thread-self/net not readable: " << c.error().describe());
        return;
    }
    CHECK(c->find("Ip.InReceives").has_value());
    CHECK(c->find("TcpExt.ListenOverflows").has_value());
    const auto ct = netdx::probes::read_conntrack_stats("/proc/thread-self/net", "/proc/sys/net");
    CHECK_MESSAGE(ct.has_value(), error_of(ct));
}

TEST_SUITE_END();
