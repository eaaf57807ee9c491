// SPDX-License-Identifier: GPL-2.0
#include <algorithm>

#include <doctest/doctest.h>

#include "engine/fields.h"
#include "test_events.h"

using netdx::engine::EventFields;
using netdx::engine::EventView;
using netdx::engine::condition::format;

namespace {

std::string read(const netdx::engine::Event& ev, const char* field) {
    const auto* def = EventFields::instance().find(field);
    REQUIRE(def != nullptr);
    EventView view(ev); // values point into the view and the event: both must outlive them
    auto v = view.read(def->id);
    return v.present ? format(v) : "<absent>";
}

} // namespace

TEST_CASE("event fields read the decoded event, and derived fields are computed from it") {
    auto ev = netdx::test::tcp_drop(
        "NETFILTER_DROP", {"nft_do_chain", "nft_do_chain_ipv4", "nf_hook_slow", "__ip_local_out"});
    CHECK(read(ev, "event.kind") == "drop");
    CHECK(read(ev, "event.reason") == "NETFILTER_DROP");
    CHECK(read(ev, "event.location") == "nft_do_chain");
    CHECK(read(ev, "event.nf_hook") == "OUTPUT");
    CHECK(read(ev, "event.nf_engine") == "nftables");
    CHECK(read(ev, "event.nf_family") == "ip");
    CHECK(read(ev, "event.iptables_cmd") == "iptables");
    CHECK(read(ev, "event.flow") == "TCP 10.0.0.1:41234 -> 10.0.0.2:80");
    CHECK(read(ev, "event.proto") == "tcp");
    CHECK(read(ev, "event.tcp_flags") == "SYN");
    CHECK(read(ev, "event.saddr") == "10.0.0.1");
    CHECK(read(ev, "event.dport") == "80");
    CHECK(read(ev, "event.dev") == "<absent>");
    CHECK(read(ev, "event.icmp_type") == "<absent>");
    CHECK(read(ev, "event.netns_exec") == "ip netns exec blue ");
}

TEST_CASE("fields an event does not have are absent, not zero or empty") {
    netdx::engine::Event ev;
    CHECK(read(ev, "event.reason") == "<absent>");
    CHECK(read(ev, "event.sport") == "<absent>");
    CHECK(read(ev, "event.saddr") == "<absent>");
    CHECK(read(ev, "event.flow") == "<absent>");
    CHECK(read(ev, "event.nf_hook") == "<absent>");
    CHECK(read(ev, "event.netns_label") == "an unknown namespace");
    CHECK(read(ev, "event.netns_exec") == "");
}

TEST_CASE("every field has a unique name and a description") {
    auto names = EventFields::instance().names();
    for (const auto& def : EventFields::instance().all()) {
        CHECK((def.name.starts_with("event.") || def.name.starts_with("trail.") ||
               def.name.starts_with("flow.") || def.name.starts_with("reason.") ||
               def.name.starts_with("fact.")));
        CHECK_FALSE(def.description.empty());
        CHECK(std::count(names.begin(), names.end(), def.name) == 1);
    }
}
