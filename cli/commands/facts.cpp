// SPDX-License-Identifier: GPL-2.0
// netdx facts: everything netdx can read about one network namespace: links with their XDP and
// tc programs, addresses, routes of every table, neighbours, policy rules (rtnetlink), sockets
// (sock_diag), sysctls, SNMP counters, conntrack statistics and the firewall rules of
// iptables-legacy, iptables-nft and nftables with their counters. Read-only.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>
#include <tuple>

#include <netinet/in.h>
#include <nlohmann/json.hpp>

#include <linux/neighbour.h>

#include "../exit_codes.h"
#include "commands.h"
#include "engine/event_json.h"
#include "engine/report/text_reporter.h"
#include "probes/host_facts.h"
#include "probes/netlink_facts.h"
#include "probes/netns.h"

namespace netdx::cli {
namespace {

struct FactsArgs {
    std::string netns = std::string(probes::NetnsRegistry::host_name);
    bool json = false;
    bool rule_text = true;
};

constexpr std::size_t line_width = 80;

// `head` then the words of `rest`, wrapped at 80 columns with continuation lines indented to
// `indent`.
void wrapped(std::ostream& out,
             const std::string& head,
             const std::string& rest,
             std::size_t indent) {
    out << engine::wrap_text(rest, head + " ", indent, line_width) << "\n";
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
    if (!l.tc_qdisc.empty()) {
        d += " qdisc " + l.tc_qdisc;
    }
    return d;
}

// "prog-id 12 name handle_ingress", without the name when it could not be read.
std::string prog_text(std::uint32_t id, const std::string& name) {
    std::string t = "prog-id " + std::to_string(id);
    if (!name.empty()) {
        t += " name " + name;
    }
    return t;
}

std::string xdp_text(const probes::XdpFact& x) {
    std::string t = x.mode;
    if (x.prog_id != 0) {
        t += " " + prog_text(x.prog_id, x.prog_name);
    }
    if (x.mode == "multi") {
        for (const auto& [mode, id, name] :
             {std::tuple{"generic", x.generic_prog_id, &x.generic_prog_name},
              std::tuple{"native", x.native_prog_id, &x.native_prog_name},
              std::tuple{"offload", x.offload_prog_id, &x.offload_prog_name}}) {
            if (id != 0) {
                t += std::string(" ") + mode + "-" + prog_text(id, *name);
            }
        }
    }
    return t;
}

// After "tc" or "tcx": "ingress bpf pref 49152 proto all handle 0x1 prog-id 13 name f
// direct-action bpf-name tc_verdict.o:[tc]".
std::string tc_text(const probes::TcFilterFact& f) {
    std::string t = f.direction;
    if (f.kind != "tcx") {
        char handle[16];
        std::snprintf(handle, sizeof handle, "0x%x", f.handle);
        t += " " + f.kind + " pref " + std::to_string(f.prio) + " proto " +
             probes::tc_protocol_name(f.protocol) + " handle " + handle;
        if (f.chain != 0) {
            t += " chain " + std::to_string(f.chain);
        }
    }
    if (f.prog_id != 0) {
        t += " " + prog_text(f.prog_id, f.prog_name);
    }
    if (f.direct_action) {
        t += " direct-action";
    }
    if (!f.bpf_name.empty()) {
        t += " bpf-name " + f.bpf_name;
    }
    return t;
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
    // The link's line, then one line per program (XDP, tcx, tc filter) under its details;
    // a program line that wraps continues two columns further in.
    const std::string under(24, ' ');
    for (const auto& l : s.links) {
        std::string idx = std::to_string(l.ifindex);
        wrapped(out,
                "  " + std::string(idx.size() < 4 ? 4 - idx.size() : 0, ' ') + idx + " " +
                    padded(l.name, 16),
                link_details(s, l),
                24);
        if (l.xdp) {
            wrapped(out, under + "xdp", xdp_text(*l.xdp), 26);
        }
        for (const auto& f : l.tc_filters) {
            wrapped(out, under + (f.kind == "tcx" ? "tcx" : "tc"), tc_text(f), 26);
        }
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

    if (!s.gaps.empty()) {
        out << "\nIncomplete (" << s.gaps.size() << ")\n";
        for (const auto& gap : s.gaps) {
            wrapped(out, " ", gap, 4);
        }
    }
}

// The parts rtnetlink does not give: listeners, the sysctls rules read, the firewall.
void print_host_text(std::ostream& out, const probes::HostFacts& f) {
    if (f.sockets) {
        out << "\nlisteners and bound sockets:\n";
        for (const auto& sock : *f.sockets) {
            const bool listener = sock.state == probes::tcp_state_listen;
            std::string line = std::string("  ") + (sock.proto == IPPROTO_TCP ? "tcp " : "udp ") +
                               padded(sock.address_text(), 28);
            line += listener ? " accept queue " + std::to_string(sock.rqueue) + "/" +
                                   std::to_string(sock.wqueue)
                             : " recv-q " + std::to_string(sock.rqueue) + " B";
            out << line << "\n";
        }
    }
    out << "\nsysctls:\n";
    for (const auto& [key, value] : f.sysctls.values) {
        if (key.find("/conf/") == std::string::npos ||
            key.find("/conf/all/") != std::string::npos) {
            std::string name = "net." + key;
            std::replace(name.begin(), name.end(), '/', '.');
            out << "  " << name << " = " << value << "\n";
        }
    }
    out << "\nfirewall (" << f.firewall.rules.size() << " rules):\n";
    for (const auto& c : f.firewall.chains) {
        std::string head = "  " + std::string(probes::world_name(c.world)) + " " + c.family + " " +
                           c.table + " " + c.name;
        if (!c.hook.empty()) {
            head += " (hook " + c.hook + ", policy " + c.policy +
                    (c.counter ? ", " + std::to_string(c.counter->packets) + " packets" : "") + ")";
        }
        out << head << "\n";
        for (const auto& r : f.firewall.rules) {
            if (r.world != c.world || r.family != c.family || r.table != c.table ||
                r.chain != c.name) {
                continue;
            }
            const std::string counted =
                r.counter ? " [" + std::to_string(r.counter->packets) + " pkts]" : "";
            const std::string what = !r.text.empty() ? r.text
                                     : r.verdict.empty()
                                         ? std::string("(no text)")
                                         : r.verdict + (r.target.empty() ? "" : " " + r.target);
            wrapped(out, "    " + std::to_string(r.position) + "." + counted, what, 8);
        }
    }
    for (const auto& gap : f.gaps) {
        wrapped(out, "  not read:", gap, 4);
    }
}

int run_facts(const FactsArgs& args) {
    probes::NetnsRegistry registry;
    auto target = probes::resolve_netns(registry, args.netns);
    if (!target) {
        std::cerr << "netdx: error: " << target.error().describe() << "\n";
        return exit_code_for(target.error());
    }
    auto facts = probes::read_host_facts(*target, args.rule_text);
    if (!facts) {
        std::cerr << "netdx: error: " << facts.error().describe() << "\n";
        return exit_code_for(facts.error());
    }
    if (args.json) {
        std::cout << engine::json_text(probes::to_json(*facts)) << "\n";
    } else {
        print_text(std::cout, facts->netlink);
        print_host_text(std::cout, *facts);
    }
    return exit_ok;
}

} // namespace

Command add_facts_command(CLI::App& app) {
    auto args = std::make_shared<FactsArgs>();
    CLI::App* cmd = app.add_subcommand(
        "facts",
        "Show everything netdx knows about one network namespace, for support bundles.\n\n"
        "Links (admin state, carrier, mtu, master, the XDP program and the tc/tcx programs and\n"
        "filters of each hook, with their ids and names), addresses, routes of every table\n"
        "(type, gateway, device, metric, linkdown/dead flags), neighbours (state, lladdr),\n"
        "policy rules, listening and bound sockets with queue depths, the sysctls the rules\n"
        "use, SNMP counters, conntrack statistics, and the firewall: iptables-legacy,\n"
        "iptables-nft and nftables chains, policies and rules with their counters.\n"
        "Read-only: nothing on the host is changed.");
    cmd->add_option("--netns",
                    args->netns,
                    "Namespace to read: 'host' (the init namespace, the default) or a name\n"
                    "from `ip netns list`")
        ->type_name("NAME")
        ->default_str(std::string(probes::NetnsRegistry::host_name));
    cmd->add_flag("--json", args->json, "Print the facts as one JSON object");
    cmd->add_flag("!--no-rule-text",
                  args->rule_text,
                  "Leave out the text of nf_tables rules (it costs one iptables-nft-save or nft\n"
                  "run per table); counters, verdicts and handles stay");
    cmd->footer("Examples:\n"
                "  sudo netdx facts\n"
                "  sudo netdx facts --netns blue\n"
                "  sudo netdx facts --netns blue --json | jq '.routes[] | select(.linkdown)'\n"
                "  sudo netdx facts --json | jq '.sockets[] | select(.state == \"listen\")'\n"
                "Exit codes: 0 read, 2 unknown namespace (the known names are listed),\n"
                "3 environment (privileges, namespace gone, netlink error).");
    return {cmd, [args](const CommandContext&) { return run_facts(*args); }};
}

} // namespace netdx::cli
