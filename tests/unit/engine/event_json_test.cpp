// SPDX-License-Identifier: GPL-2.0
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "engine/event_json.h"
#include "test_events.h"

using netdx::engine::event_from_json;
using netdx::engine::to_json;

TEST_CASE("an event survives a JSON round trip with every field rules can read") {
    auto ev =
        netdx::test::tcp_drop("NETFILTER_DROP", {"nft_do_chain", "nf_hook_slow", "ip_output"});
    ev.dev = "veth0";
    ev.ifindex = 7;
    ev.skb = 0xffff888012345678ULL;
    ev.comm = "curl";
    ev.pid = 4242;
    auto back = event_from_json(to_json(ev));
    REQUIRE(back.has_value());
    CHECK(to_json(*back) == to_json(ev));
    CHECK(back->drop.stack.at(1).symbol == "nf_hook_slow");
    CHECK(back->drop.location.offset == 0x10);
    CHECK(back->pkt.daddr.to_string() == "10.0.0.2");
    CHECK(back->pkt.has_ports);
}

TEST_CASE("a tracepoint event keeps its details through a JSON round trip, absent ones absent") {
    auto ev = netdx::test::tcp_drop("", {});
    ev.kind = netdx::engine::EventKind::Route;
    ev.trace.tracepoint = "fib:fib_table_lookup";
    ev.trace.err = -11;
    ev.trace.table = 254;
    ev.trace.gateway = *netdx::engine::IpAddr::parse("10.0.0.254");
    auto json = to_json(ev);
    CHECK_FALSE(json.contains("drop"));
    CHECK_FALSE(json["trace"].contains("state"));
    auto back = event_from_json(json);
    REQUIRE(back.has_value());
    CHECK(to_json(*back) == json);
    CHECK(back->trace.err == -11);
    CHECK(back->trace.gateway.to_string() == "10.0.0.254");
    CHECK_FALSE(back->trace.sent_icmp_type.has_value());

    ev.kind = netdx::engine::EventKind::Xdp;
    ev.trace = {};
    ev.trace.tracepoint = "xdp:xdp_exception";
    ev.trace.xdp_prog_id = 42;
    ev.trace.xdp_prog = "xdp_abort";
    ev.trace.xdp_action = "ABORTED";
    auto xdp = event_from_json(to_json(ev));
    REQUIRE(xdp.has_value());
    CHECK(to_json(*xdp) == to_json(ev));
    CHECK(xdp->trace.xdp_prog == "xdp_abort");
}

TEST_CASE("malformed events are errors, not crashes") {
    CHECK_FALSE(event_from_json(nlohmann::json::object()).has_value());
    CHECK_FALSE(event_from_json({{"kind", "nonsense"}}).has_value());
    CHECK_FALSE(event_from_json({{"kind", "drop"}, {"ts_ns", "not a number"}}).has_value());
    CHECK(event_from_json({{"kind", "drop"}}).has_value());
}

TEST_CASE("times are RFC 3339 UTC with microseconds") {
    CHECK(netdx::engine::rfc3339(1'700'000'000'123'456'789ULL) == "2023-11-14T22:13:20.123456Z");
    CHECK(netdx::engine::rfc3339(0) == "1970-01-01T00:00:00.000000Z");
}
