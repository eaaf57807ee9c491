// SPDX-License-Identifier: GPL-2.0
// The values of fact.* fields, computed from what was read in the event's namespace (sockets,
// sysctls, rtnetlink, firewall attribution). Pure functions: LiveFacts reads, these answer, and
// the unit tests call them on hand-made facts.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event.h"
#include "engine/facts.h"
#include "firewall.h"
#include "netlink_parse.h"
#include "socket_facts.h"
#include "sysctl_facts.h"

namespace netdx::probes {

// What one read of a namespace found. A part that failed is nullopt with its reason.
struct NamespaceFacts {
    std::optional<std::vector<SocketEntry>> sockets;
    std::string sockets_error;
    Sysctls sysctls;
    std::string namespace_error; // the namespace itself could not be entered; nothing was read
};

// The value of fact `name` ("listening", "listener_address", "ip_forward") for `ev` from one
// namespace's facts; monostate when the event lacks what the fact needs or the part is missing.
engine::FactValue
answer_fact(std::string_view name, const engine::Event& ev, const NamespaceFacts& facts);

// A NETFILTER_DROP's attribution, as the fact.nf_* fields read it.
struct FirewallAnswer {
    std::string summary; // fact.nf_attribution: always set
    std::optional<Attribution> attribution;
    std::shared_ptr<const FirewallSnapshot> after; // what the candidates point into
};

// The value of fact `name` ("nf_attribution", "nf_rule", "nf_rule_show", ...) from an answer.
engine::FactValue answer_firewall_fact(std::string_view name, const FirewallAnswer& answer);

// The value of a fact about the event's device ("xdp_prog", "xdp_prog_id", "xdp_mode",
// "tc_ingress_prog", "tc_ingress_prog_id", "link_up", "link_carrier") from one namespace's
// rtnetlink read; monostate when the device or the part is missing.
engine::FactValue
answer_link_fact(std::string_view name, const engine::Event& ev, const FactsSnapshot& links);
bool is_link_fact(std::string_view name);

// Where the stack says `ev` was dropped by netfilter; nullopt when it was not.
std::optional<DropSite> drop_site(const engine::Event& ev);

// fact.nf_* fields: answered from firewall attribution (firewall_for in LiveFacts).
bool is_firewall_fact(std::string_view name);

} // namespace netdx::probes
