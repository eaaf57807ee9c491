// SPDX-License-Identifier: GPL-2.0
#include <cstdio>
#include <fstream>
#include <sstream>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "engine/report/json_report.h"
#include "test_events.h"

using namespace netdx::engine;

namespace {

Finding sample_finding() {
    Finding f;
    f.rule_id = "netfilter-drop-nftables";
    f.category = "netfilter-drop";
    f.level = Level::Error;
    f.message = "TCP 10.0.0.1:41234 -> 10.0.0.2:80 was dropped at the OUTPUT hook.";
    f.advice = {{AdviceKind::Check, "iptables-nft-save -c"},
                {AdviceKind::Change, "iptables -D OUTPUT 1"}};
    f.count = 3;
    f.evidence.push_back(netdx::test::tcp_drop(
        "NETFILTER_DROP", {"nft_do_chain", "nft_do_chain_ipv4", "nf_hook_slow", "__ip_local_out"}));
    f.first_seen_ns = f.last_seen_ns = f.evidence[0].ts_ns;
    f.flow = f.evidence[0].pkt;
    f.netns = "blue";
    return f;
}

Report sample_report() {
    Report r;
    r.started_ns = 1'700'000'000'000'000'000ULL;
    r.ended_ns = r.started_ns + 2'500'000'000ULL;
    r.stop_reason = StopReason::FirstError;
    r.probes = {{"drop", "skb:kfree_skb", true, "", 0},
                {"route", "fib:fib_table_lookup", false, "not built", 0}};
    r.events = 7;
    r.suppressed = 2;
    r.findings.push_back(sample_finding());
    return r;
}

} // namespace

TEST_CASE("the JSON report has the design.md section 7 shape") {
    auto j = to_json(sample_report());
    CHECK(j["schema"] == "netdx.report/1");
    CHECK(j["verdict"] == "ERROR");
    CHECK(j["stop_reason"] == "first-error");
    CHECK(j["coverage"]["probes_attached"].size() == 1);
    CHECK(j["coverage"]["probes_unavailable"][0]["reason"] == "not built");
    CHECK(j["coverage"]["lost_events"]["drop"] == 0);
    const auto& f = j["findings"][0];
    CHECK(f["id"] == "netfilter-drop-nftables");
    CHECK(f["advice"][1]["kind"] == "change");
    CHECK(f["flow"]["dport"] == 80);
    CHECK(f["flow"]["proto"] == "tcp");
    CHECK(f["evidence"][0]["drop"]["stack"][2] == "nf_hook_slow+0x10");
    Report empty;
    CHECK(to_json(empty)["verdict"] == "OK");
}

TEST_CASE("reports are written atomically and failures are errors") {
    auto path = std::string("/tmp/netdx-report-test-") + std::to_string(::getpid()) + ".json";
    REQUIRE(write_json_atomically(path, to_json(sample_report())).has_value());
    std::ifstream in(path);
    CHECK(nlohmann::json::parse(in)["schema"] == "netdx.report/1");
    std::remove(path.c_str());
    auto bad = write_json_atomically("/nonexistent-dir/x.json", nlohmann::json::object());
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().kind == netdx::ErrorKind::Io);
}
