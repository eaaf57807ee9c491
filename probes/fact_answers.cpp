// SPDX-License-Identifier: GPL-2.0
#include "fact_answers.h"

#include <algorithm>

#include <net/if.h>
#include <netinet/in.h>

#include <linux/rtnetlink.h>

#include "engine/kernel_paths.h"

namespace netdx::probes {
namespace {

bool has_flow_ports(const engine::Event& ev) {
    const auto& pkt = ev.pkt;
    return pkt.has_ports && pkt.daddr.is_set() &&
           (pkt.l4_proto == IPPROTO_TCP || pkt.l4_proto == IPPROTO_UDP);
}

} // namespace

bool is_firewall_fact(std::string_view name) {
    return name.starts_with("nf_");
}

engine::FactValue
answer_fact(std::string_view name, const engine::Event& ev, const NamespaceFacts& facts) {
    if (name == "listening" || name == "listener_address") {
        if (!has_flow_ports(ev) || !facts.sockets) {
            return {};
        }
        const auto& pkt = ev.pkt;
        if (name == "listening") {
            return listening(*facts.sockets, pkt.l4_proto, pkt.daddr, pkt.dport);
        }
        auto other = listener_address(*facts.sockets, pkt.l4_proto, pkt.daddr, pkt.dport);
        return other ? engine::FactValue(std::move(*other)) : engine::FactValue{};
    }
    if (name == "full_listeners") {
        // Listeners whose accept queue is over its backlog: the kernel refuses new connections
        // there (ListenOverflows) until the application accepts.
        if (!facts.sockets) {
            return {};
        }
        std::string full;
        for (const auto& s : *facts.sockets) {
            if (s.proto == IPPROTO_TCP && s.state == tcp_state_listen && s.rqueue > s.wqueue) {
                full += (full.empty() ? "" : ", ") + s.address_text() + " (accept queue " +
                        std::to_string(s.rqueue) + ", backlog " + std::to_string(s.wqueue) + ")";
            }
        }
        return full.empty() ? engine::FactValue{} : engine::FactValue(full);
    }
    if (name == "rp_filter") {
        // The kernel applies the larger of conf/all and conf/<device>.
        const std::int64_t* all = facts.sysctls.find("ipv4/conf/all/rp_filter");
        const std::int64_t* dev =
            ev.dev.empty() ? nullptr : facts.sysctls.find("ipv4/conf/" + ev.dev + "/rp_filter");
        if (all == nullptr && dev == nullptr) {
            return {};
        }
        return std::max(all ? *all : 0, dev ? *dev : 0);
    }
    if (name == "ip_forward") {
        const char* key = nullptr;
        if (ev.pkt.family == engine::PacketFamily::Ipv4) {
            key = "ipv4/ip_forward";
        } else if (ev.pkt.family == engine::PacketFamily::Ipv6) {
            key = "ipv6/conf/all/forwarding";
        }
        const std::int64_t* v = key ? facts.sysctls.find(key) : nullptr;
        return v ? engine::FactValue(*v) : engine::FactValue{};
    }
    return {};
}

bool is_link_fact(std::string_view name) {
    return name.starts_with("xdp_") || name.starts_with("tc_ingress_") ||
           name.starts_with("link_") || name.starts_with("egress_") || name == "links_down" ||
           name == "next_hop" || name == "linkdown_routes";
}

namespace {

// The unicast route of the main table that the destination would take (longest prefix, then the
// lowest metric). Policy rules and other tables are not consulted: an approximation that is
// right for the common single-table host and router.
const RouteFact* main_route_to(const FactsSnapshot& links, const engine::IpAddr& dst) {
    const RouteFact* best = nullptr;
    for (const auto& r : links.routes) {
        if (r.table != RT_TABLE_MAIN || r.type != "unicast" || r.oif == 0) {
            continue;
        }
        const bool v4 = dst.family() == engine::IpFamily::V4;
        if ((r.family == "inet") != v4) {
            continue;
        }
        bool matches = r.dst == "default";
        if (!matches) {
            const auto prefix = engine::Cidr::parse(r.dst);
            matches = prefix && prefix->contains(dst);
        }
        if (!matches) {
            continue;
        }
        const int len = r.dst == "default" ? 0 : r.dst_len;
        const int best_len = best == nullptr ? -1 : (best->dst == "default" ? 0 : best->dst_len);
        if (len > best_len ||
            (len == best_len && r.priority.value_or(0) < best->priority.value_or(0))) {
            best = &r;
        }
    }
    return best;
}

const LinkFact* link_by_index(const FactsSnapshot& links, int ifindex) {
    for (const auto& l : links.links) {
        if (l.ifindex == ifindex) {
            return &l;
        }
    }
    return nullptr;
}

} // namespace

engine::FactValue
answer_link_fact(std::string_view name, const engine::Event& ev, const FactsSnapshot& links) {
    const LinkFact* link = nullptr;
    for (const auto& l : links.links) {
        if ((ev.ifindex != 0 && l.ifindex == static_cast<int>(ev.ifindex)) ||
            (ev.ifindex == 0 && !ev.dev.empty() && l.name == ev.dev)) {
            link = &l;
            break;
        }
    }
    if (name == "links_down") {
        // Devices set down lose their routes: the usual reason a lookup suddenly finds none.
        std::string down;
        for (const auto& l : links.links) {
            if (!l.admin_up && (l.flags & IFF_LOOPBACK) == 0) {
                down += (down.empty() ? "" : ", ") + l.name;
            }
        }
        return down.empty() ? engine::FactValue{} : engine::FactValue(down);
    }
    if (name == "next_hop") {
        // The neighbour a packet to the destination needs: the main route's gateway, or the
        // destination itself on a directly connected prefix.
        const RouteFact* route =
            ev.pkt.daddr.is_set() ? main_route_to(links, ev.pkt.daddr) : nullptr;
        if (route == nullptr) {
            return {};
        }
        return route->gateway.empty() ? ev.pkt.daddr.to_string() : route->gateway;
    }
    if (name.starts_with("egress_")) {
        const RouteFact* route =
            ev.pkt.daddr.is_set() ? main_route_to(links, ev.pkt.daddr) : nullptr;
        const LinkFact* out = route != nullptr ? link_by_index(links, route->oif) : nullptr;
        if (out == nullptr) {
            return {};
        }
        if (name == "egress_dev") {
            return out->name;
        }
        if (name == "egress_mtu") {
            return std::int64_t{out->mtu};
        }
        return {};
    }
    if (link == nullptr) {
        return {};
    }
    if (name == "linkdown_routes") {
        // Of the packet's family (ARP asks for IPv4 routes).
        const std::string family = ev.pkt.family == engine::PacketFamily::Ipv6 ? "inet6" : "inet";
        std::string routes;
        for (const auto& r : links.routes) {
            if (r.oif == link->ifindex && r.linkdown() && r.type == "unicast" &&
                r.family == family) {
                routes += (routes.empty() ? "" : ", ") + r.dst +
                          (r.gateway.empty() ? "" : " via " + r.gateway) +
                          (r.table == RT_TABLE_MAIN ? "" : " table " + route_table_name(r.table));
            }
        }
        return routes.empty() ? engine::FactValue{} : engine::FactValue(routes);
    }
    if (name == "link_mtu") {
        return std::int64_t{link->mtu};
    }
    if (name == "link_up") {
        return link->admin_up;
    }
    if (name == "link_carrier") {
        return link->carrier;
    }
    if (name.starts_with("xdp_")) {
        if (!link->xdp) {
            return {};
        }
        const XdpFact& x = *link->xdp;
        // In "multi" mode the generic program is the one an skb meets first.
        const std::uint32_t id = x.prog_id != 0           ? x.prog_id
                                 : x.generic_prog_id != 0 ? x.generic_prog_id
                                                          : x.native_prog_id;
        const std::string& prog = x.prog_id != 0           ? x.prog_name
                                  : x.generic_prog_id != 0 ? x.generic_prog_name
                                                           : x.native_prog_name;
        if (name == "xdp_prog_id") {
            return id != 0 ? engine::FactValue(std::int64_t{id}) : engine::FactValue{};
        }
        if (name == "xdp_prog") {
            return prog.empty() ? engine::FactValue{} : engine::FactValue(prog);
        }
        if (name == "xdp_mode") {
            return x.mode;
        }
        return {};
    }
    for (const auto& f : link->tc_filters) { // tcx first, then the qdisc's, in running order
        if (f.direction != "ingress" || f.prog_id == 0) {
            continue;
        }
        if (name == "tc_ingress_prog_id") {
            return std::int64_t{f.prog_id};
        }
        if (name == "tc_ingress_prog") {
            return f.prog_name.empty() ? engine::FactValue(f.bpf_name)
                                       : engine::FactValue(f.prog_name);
        }
    }
    return {};
}

std::optional<DropSite> drop_site(const engine::Event& ev) {
    if (ev.kind != engine::EventKind::Drop || ev.drop.reason != "NETFILTER_DROP") {
        return std::nullopt;
    }
    DropSite site;
    site.family = ev.pkt.family == engine::PacketFamily::Ipv4   ? "ip"
                  : ev.pkt.family == engine::PacketFamily::Ipv6 ? "ip6"
                                                                : "";
    if (auto path = engine::netfilter_path(ev.drop, ev.pkt.family)) {
        site.hook = std::string(path->hook);
        site.nftables = path->engine == "nftables";
    }
    return site;
}

engine::FactValue answer_firewall_fact(std::string_view name, const FirewallAnswer& answer) {
    if (name == "nf_attribution") {
        return answer.summary;
    }
    const Attribution* a = answer.attribution ? &*answer.attribution : nullptr;
    if (a == nullptr || a->verdict != Attribution::Verdict::Rule) {
        return {};
    }
    const AttributionCandidate& c = a->candidates.front();
    if (name == "nf_rule") {
        return describe(c);
    }
    if (name == "nf_rule_show") {
        return show_command(c);
    }
    if (name == "nf_rule_delete") {
        return delete_command(c);
    }
    if (name == "nf_rule_verdict") {
        return c.policy ? std::string("policy") : c.rule->verdict;
    }
    if (name == "nf_rule_packets") {
        return static_cast<std::int64_t>(c.packets);
    }
    if (name == "nf_rule_world") {
        return std::string(world_name(c.policy ? c.chain->world : c.rule->world));
    }
    if (name == "nf_table") {
        return c.policy ? c.chain->table : c.rule->table;
    }
    if (name == "nf_chain") {
        return c.policy ? c.chain->name : c.rule->chain;
    }
    if (name == "nf_rule_position") {
        return c.policy ? engine::FactValue{} : engine::FactValue(std::int64_t{c.rule->position});
    }
    if (name == "nf_rule_handle") {
        return c.policy || !c.rule->handle
                   ? engine::FactValue{}
                   : engine::FactValue(static_cast<std::int64_t>(*c.rule->handle));
    }
    return {};
}

} // namespace netdx::probes
