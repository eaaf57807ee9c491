// SPDX-License-Identifier: GPL-2.0
// Everything netdx can read about one network namespace, in one pass inside it: rtnetlink
// (links with their XDP and tc programs, addresses, routes, neighbours, policy rules), sockets,
// sysctls, SNMP counters, conntrack statistics and the firewall with rule texts. What
// `netdx facts` prints and support bundles keep. Read-only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "engine/result.h"
#include "firewall.h"
#include "netlink_facts.h"
#include "snmp_facts.h"
#include "socket_facts.h"
#include "sysctl_facts.h"

namespace netdx::probes {

struct HostFacts {
    FactsSnapshot netlink;
    std::optional<std::vector<SocketEntry>> sockets;
    Sysctls sysctls;
    std::optional<Counters> counters;
    std::optional<ConntrackStats> conntrack;
    FirewallSnapshot firewall;
    // Parts other than rtnetlink's (those are netlink.gaps) that could not be read, with why.
    std::vector<std::string> gaps;
};

// Reads the namespace `target` names. An error only when the namespace cannot be entered or its
// links and routes cannot be read; any other part that fails is a gap.
Result<HostFacts> read_host_facts(const NetnsTarget& target, bool rule_texts = true);

nlohmann::json to_json(const HostFacts& facts);
nlohmann::json to_json(const SocketEntry& socket);

} // namespace netdx::probes
