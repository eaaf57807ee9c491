// SPDX-License-Identifier: GPL-2.0
// Reads one network namespace's links, addresses, routes (every table), neighbours and policy
// rules over rtnetlink (libmnl), plus the BPF programs on each link (XDP; tc filters of the
// clsact/ingress qdisc; tcx, queried with bpf(BPF_PROG_QUERY)) with their kernel names, without
// changing anything. The dumps run on a helper thread that enters the namespace with
// setns(CLONE_NEWNET); the caller's thread never leaves its own.
#pragma once

#include <string>
#include <string_view>

#include "engine/result.h"
#include "netlink_parse.h"
#include "netns.h"

namespace netdx::probes {

// Which namespace to read, and the file that refers to it (/run/netns/NAME, /proc/PID/ns/net).
struct NetnsTarget {
    NetnsId id;
    std::string path;
};

// For --netns: "host" (the init namespace) or a /run/netns name. Unknown names give the
// registry's Usage error, which lists the names that exist.
Result<NetnsTarget> resolve_netns(NetnsRegistry& registry, std::string_view name);

// Reads the namespace the calling thread is in (what the NetnsWorker runs inside a namespace).
Result<FactsSnapshot> read_rtnl_facts(const NetnsId& id);

// Reads the namespace at `target.path`. When target.id.inode is set, the file must still refer
// to that namespace (it is checked after opening, so a namespace renamed meanwhile is refused).
Result<FactsSnapshot> read_netns_facts(const NetnsTarget& target);

} // namespace netdx::probes
