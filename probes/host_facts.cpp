// SPDX-License-Identifier: GPL-2.0
#include "host_facts.h"

#include <cerrno>
#include <chrono>

#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "firewall_reader.h"
#include "netns_worker.h"

namespace netdx::probes {
namespace {

// Runs on the worker thread, inside the namespace.
Result<HostFacts> read_here(const NetnsId& id, bool rule_texts) {
    auto netlink = read_rtnl_facts(id);
    if (!netlink) {
        return netlink.error();
    }
    HostFacts out;
    out.netlink = std::move(*netlink);
    if (auto sockets = read_sockets(); sockets) {
        out.sockets = std::move(*sockets);
    } else {
        out.gaps.push_back("sockets: " + sockets.error().describe());
    }
    out.sysctls = read_sysctls();
    if (auto counters = read_counters(); counters) {
        out.counters = std::move(*counters);
    } else {
        out.gaps.push_back("SNMP counters: " + counters.error().describe());
    }
    if (auto conntrack = read_conntrack_stats(); conntrack) {
        out.conntrack = std::move(*conntrack);
    } else {
        out.gaps.push_back("conntrack statistics: " + conntrack.error().describe());
    }
    FirewallReadOptions firewall;
    firewall.rule_texts = rule_texts;
    out.firewall = read_firewall(firewall);
    for (const auto& gap : out.firewall.gaps) {
        out.gaps.push_back("firewall: " + gap);
    }
    return out;
}

} // namespace

Result<HostFacts> read_host_facts(const NetnsTarget& target, bool rule_texts) {
    NetnsId id = target.id;
    auto fd = open_netns(target.path, target.id.inode, &id.inode);
    if (!fd) {
        return fd.error();
    }
    NetnsWorker worker;
    auto facts = worker.run_result<HostFacts>(
        std::move(*fd),
        [id, rule_texts] { return read_here(id, rule_texts); },
        std::chrono::seconds(30));
    return facts;
}

nlohmann::json to_json(const SocketEntry& s) {
    nlohmann::json j{{"proto", s.proto == IPPROTO_TCP ? "tcp" : "udp"},
                     {"local", s.address_text()},
                     {"port", s.port}};
    if (s.proto == IPPROTO_TCP && s.state == tcp_state_listen) {
        j["state"] = "listen";
        j["accept_queue"] = s.rqueue;
        j["backlog"] = s.wqueue;
    } else {
        j["state"] = s.state == tcp_state_close ? "unconnected" : "connected";
        j["recv_queue_bytes"] = s.rqueue;
        j["send_queue_bytes"] = s.wqueue;
    }
    if (s.v6only) {
        j["v6only"] = true;
    }
    j["uid"] = s.uid;
    j["inode"] = s.inode;
    return j;
}

nlohmann::json to_json(const HostFacts& f) {
    nlohmann::json j = to_json(f.netlink);
    nlohmann::json sockets = nlohmann::json::array();
    if (f.sockets) {
        for (const auto& s : *f.sockets) {
            sockets.push_back(to_json(s));
        }
    }
    j["sockets"] = f.sockets ? std::move(sockets) : nlohmann::json();
    nlohmann::json sysctls = nlohmann::json::object();
    for (const auto& [key, value] : f.sysctls.values) {
        std::string name = "net." + key;
        for (auto& c : name) {
            c = c == '/' ? '.' : c;
        }
        sysctls[name] = value;
    }
    j["sysctls"] = std::move(sysctls);
    j["counters"] = f.counters ? to_json(*f.counters) : nlohmann::json();
    j["conntrack"] = f.conntrack ? to_json(*f.conntrack) : nlohmann::json();
    j["firewall"] = to_json(f.firewall);
    nlohmann::json gaps = j.value("gaps", nlohmann::json::array()); // rtnetlink's own
    for (const auto& gap : f.gaps) {
        gaps.push_back(gap);
    }
    j["gaps"] = std::move(gaps);
    return j;
}

} // namespace netdx::probes
