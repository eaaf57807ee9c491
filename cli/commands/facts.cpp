// SPDX-License-Identifier: GPL-2.0
// netdx facts: what one network namespace looks like to the kernel's routing code (links,
// addresses, routes of every table, neighbours, policy rules), read over rtnetlink. Read-only.
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include <linux/neighbour.h>

#include "../exit_codes.h"
#include "commands.h"
#include "engine/event_json.h"
#include "probes/netlink_facts.h"
#include "probes/netns.h"

namespace netdx::cli {
namespace {

struct FactsArgs {
    std::string netns = std::string(probes::NetnsRegistry::host_name);
    bool json = false;
};

constexpr std::size_t line_width = 80;

// `head` then the words of `rest`, wrapped at 80 columns with continuation lines indented to
// `indent`.
void wrapped(std::ostream& out, std::string head, const std::string& rest, std::size_t indent) {
    std::string line = std::move(head);
    std::istringstream words(rest);
    std::string word;
    bool fresh = false; // the line holds only the continuation indent
    while (words >> word) {
        if (!fresh && line.size() > indent && line.size() + 1 + word.size() > line_width) {
            out << line << "\n";
            line = std::string(indent, ' ');
            fresh = true;
        }
        line += (fresh ? "" : " ") + word;
        fresh = false;
    }
    out << line << "\n";
}

std::string padded(std::string s, std::size_t width) {
    if (s.size() < width) {
        s.resize(width, ' ');
    }
    return s;
}

std::string link_details(const probes::FactsSnapshot& s, const probes::LinkFact& l) {
    std::string d = l.admin_up ? "up" : "DOWN";
    d += l.carrier ? " carrier" : " NO-CARRIER";
    d += " oper " + l.oper_state + " mtu " + std::to_string(l.mtu);
    if (!l.kind.empty()) {
        d += " " + l.kind;
    }
    if (l.master) {
        d += " master " + s.link_name(*l.master);
    }
    if (!l.address.empty()) {
        d += " " + l.address;
    }
    if (l.xdp) {
        d += " xdp " + l.xdp->mode;
        if (l.xdp->prog_id != 0) {
            d += " prog-id " + std::to_string(l.xdp->prog_id);
        }
        for (const auto& [id, mode] : {std::pair{l.xdp->generic_prog_id, "generic"},
                                       std::pair{l.xdp->native_prog_id, "native"},
                                       std::pair{l.xdp->offload_prog_id, "offload"}}) {
            if (l.xdp->mode == "multi" && id != 0) {
                d += std::string(" ") + mode + "-prog-id " + std::to_string(id);
            }
        }
    }
    return d;
}

std::string route_text(const probes::FactsSnapshot& s, const probes::RouteFact& r) {
    std::string t = r.type == "unicast" ? "" : r.type + " ";
    t += r.dst;
    if (!r.src.empty()) {
        t += " from " + r.src;
    }
    if (!r.gateway.empty()) {
        t += " via " + r.gateway;
    }
    if (r.oif != 0) {
        t += " dev " + s.link_name(r.oif);
    }
    t += " proto " + r.protocol + " scope " + r.scope;
    if (!r.prefsrc.empty()) {
        t += " src " + r.prefsrc;
    }
    if (r.priority) {
        t += " metric " + std::to_string(*r.priority);
    }
    for (const auto& f : probes::route_flag_names(r.flags)) {
        t += " " + f;
    }
    for (const auto& h : r.nexthops) {
        t += " nexthop";
        if (!h.gateway.empty()) {
            t += " via " + h.gateway;
        }
        t += " dev " + s.link_name(h.oif) + " weight " + std::to_string(h.weight);
        for (const auto& f : probes::route_flag_names(h.flags)) {
            t += " " + f;
        }
    }
    return t;
}

std::string rule_text(const probes::RuleFact& r) {
    std::string t = r.invert ? "not " : "";
    t += "from " + (r.src.empty() ? std::string("all") : r.src);
    if (!r.dst.empty()) {
        t += " to " + r.dst;
    }
    if (r.tos != 0) {
        t += " tos " + std::to_string(r.tos);
    }
    if (r.fwmark) {
        t += " fwmark " + std::to_string(*r.fwmark);
        if (r.fwmask) {
            t += "/" + std::to_string(*r.fwmask);
        }
    }
    if (!r.iif.empty()) {
        t += " iif " + r.iif;
    }
    if (!r.oif.empty()) {
        t += " oif " + r.oif;
    }
    if (r.ip_proto) {
        t += " ipproto " + std::to_string(*r.ip_proto);
    }
    if (r.action == "lookup") {
        t += " lookup " + probes::route_table_name(r.table);
    } else if (r.action == "goto" && r.goto_target) {
        t += " goto " + std::to_string(*r.goto_target);
    } else {
        t += " " + r.action;
    }
    return t;
}

void print_text(std::ostream& out, const probes::FactsSnapshot& s) {
    out << "netdx facts: network namespace " << s.netns.name << " (inode " << s.netns.inode
        << "), read in " << (s.duration_ns + 500) / 1000 << " us\n";

    out << "\nLinks (" << s.links.size() << ")\n";
    for (const auto& l : s.links) {
        std::string idx = std::to_string(l.ifindex);
        wrapped(out,
                "  " + std::string(idx.size() < 4 ? 4 - idx.size() : 0, ' ') + idx + " " +
                    padded(l.name, 16),
                link_details(s, l),
                24);
    }

    out << "\nAddresses (" << s.addresses.size() << ")\n";
    for (const auto& a : s.addresses) {
        std::string d =
            a.family + " " + a.address + "/" + std::to_string(a.prefix_len) + " scope " + a.scope;
        if (!a.label.empty() && a.label != s.link_name(a.ifindex)) {
            d += " label " + a.label;
        }
        wrapped(out, "  " + padded(s.link_name(a.ifindex), 16), d, 19);
    }

    out << "\nRoutes (" << s.routes.size() << ", every table)\n";
    for (const auto& r : s.routes) {
        wrapped(out,
                "  " + padded(r.family, 5) + " " + padded(probes::route_table_name(r.table), 7),
                route_text(s, r),
                16);
    }

    out << "\nNeighbours (" << s.neighbours.size() << ")\n";
    for (const auto& n : s.neighbours) {
        std::string d = "dev " + s.link_name(n.ifindex);
        if (!n.lladdr.empty()) {
            d += " lladdr " + n.lladdr;
        }
        d += " " + probes::neigh_state_name(n.state);
        if (n.flags & NTF_ROUTER) {
            d += " router";
        }
        wrapped(out, "  " + padded(n.address, 25), d, 28);
    }

    out << "\nRules (" << s.rules.size() << ")\n";
    for (const auto& r : s.rules) {
        wrapped(out,
                "  " + padded(r.family, 5) + " " + padded(std::to_string(r.priority) + ":", 7),
                rule_text(r),
                16);
    }
}

int run_facts(const FactsArgs& args) {
    probes::NetnsRegistry registry;
    auto target = probes::resolve_netns(registry, args.netns);
    if (!target) {
        std::cerr << "netdx: error: " << target.error().describe() << "\n";
        return exit_code_for(target.error());
    }
    auto snap = probes::read_netns_facts(*target);
    if (!snap) {
        std::cerr << "netdx: error: " << snap.error().describe() << "\n";
        return exit_code_for(snap.error());
    }
    if (args.json) {
        std::cout << engine::json_text(probes::to_json(*snap)) << "\n";
    } else {
        print_text(std::cout, *snap);
    }
    return exit_ok;
}

} // namespace

Command add_facts_command(CLI::App& app) {
    auto args = std::make_shared<FactsArgs>();
    CLI::App* cmd = app.add_subcommand(
        "facts",
        "Show what one network namespace looks like to the kernel, read over rtnetlink: links\n"
        "(admin state, carrier, mtu, master, XDP program id and mode), addresses, routes of\n"
        "every table (type, gateway, device, metric, linkdown/dead flags), neighbours (state,\n"
        "lladdr) and policy rules. Read-only: nothing on the host is changed.");
    cmd->add_option("--netns",
                    args->netns,
                    "Namespace to read: 'host' (the init namespace, the default) or a name\n"
                    "from `ip netns list`")
        ->default_str(std::string(probes::NetnsRegistry::host_name));
    cmd->add_flag("--json", args->json, "Print the facts as one JSON object");
    cmd->footer("Examples:\n"
                "  sudo netdx facts\n"
                "  sudo netdx facts --netns blue\n"
                "  sudo netdx facts --netns blue --json | jq '.routes[] | select(.linkdown)'\n"
                "  sudo netdx facts --json | jq '.links[] | select(.xdp != null)'\n"
                "Exit codes: 0 read, 2 unknown namespace (the known names are listed),\n"
                "3 environment (privileges, namespace gone, netlink error).");
    return {cmd, [args](const CommandContext&) { return run_facts(*args); }};
}

} // namespace netdx::cli
