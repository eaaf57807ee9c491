// SPDX-License-Identifier: GPL-2.0
#include "fields.h"

#include <array>

namespace netdx::engine {
namespace {

using condition::FieldDef;
using condition::Type;
using condition::Value;

enum FieldId : std::uint32_t {
    Kind,
    Reason,
    ReasonCode,
    Location,
    Stack,
    DropPath,
    NfHook,
    NfEngine,
    NfFamily,
    IptablesCmd,
    Family,
    Proto,
    ProtoNum,
    Saddr,
    Daddr,
    Sport,
    Dport,
    TcpFlags,
    IcmpType,
    IcmpCode,
    Len,
    Ttl,
    Origin,
    Flow,
    Ifindex,
    Dev,
    Netns,
    NetnsName,
    NetnsLabel,
    NetnsExec,
    Pid,
    Comm,
    Tracepoint,
    Err,
    ErrName,
    RouteTable,
    Gateway,
    State,
    OldState,
    SentIcmpType,
    SentIcmpCode,
    XdpProgId,
    XdpProg,
    XdpAction,
    RstReason,
    Buffer,
    Counter,
    CounterDelta,
    TrailLength,
    TrailKinds,
    FlowEvents,
    FlowDrops,
    FlowDurationMs,
    FlowReasons,
    ReasonKnown,
    ReasonSummary,
    ReasonExplanation,
    ReasonSubsystem,
    ReasonLevel,
    ReasonBenign,
    ReasonBenignWhen,
    FactListening,
    FactListenerAddress,
    FactIpForward,
    FactNfAttribution,
    FactNfRule,
    FactNfRuleShow,
    FactNfRuleDelete,
    FactNfRuleVerdict,
    FactNfRulePackets,
    FactNfRuleWorld,
    FactNfTable,
    FactNfChain,
    FactNfRulePosition,
    FactNfRuleHandle,
    FactXdpProg,
    FactXdpProgId,
    FactXdpMode,
    FactTcIngressProg,
    FactTcIngressProgId,
    FactLinkUp,
    FactLinkCarrier,
    FactLinkMtu,
    FactEgressDev,
    FactEgressMtu,
    FactRpFilter,
    FactLinksDown,
    FactFullListeners,
    FactNextHop,
    FactLinkdownRoutes,
    FieldCount
};

constexpr std::array<FieldDef, FieldCount> field_defs = {{
    {Kind,
     "event.kind",
     Type::String,
     "event kind: drop, rx, tx, route, neigh, tcp, sock, icmp, xdp, counter"},
    {Reason,
     "event.reason",
     Type::String,
     "drop reason name from the kernel, without SKB_DROP_REASON_ (e.g. NETFILTER_DROP)"},
    {ReasonCode,
     "event.reason_code",
     Type::Int,
     "drop reason number (kernel-specific numbering: prefer event.reason)"},
    {Location,
     "event.location",
     Type::String,
     "function that dropped the packet (e.g. tcp_v4_rcv); absent when unresolved"},
    {Stack,
     "event.stack",
     Type::StringList,
     "kernel stack of the drop, function names, innermost (the dropper) first"},
    {DropPath,
     "event.drop_path",
     Type::StringList,
     "the frames of event.stack that describe the drop: from the dropper up to the softirq "
     "plumbing (__netif_receive_skb, process_backlog, ...); below it, a packet processed inline "
     "shows the sending task's frames"},
    {NfHook,
     "event.nf_hook",
     Type::String,
     "netfilter hook that dropped the packet: PREROUTING, INPUT, FORWARD, OUTPUT, POSTROUTING"},
    {NfEngine,
     "event.nf_engine",
     Type::String,
     "\"nftables\" when an nftables chain (iptables-nft or nft) was on the stack; absent for "
     "iptables-legacy and other netfilter hooks"},
    {NfFamily,
     "event.nf_family",
     Type::String,
     "netfilter family: the nft table family (ip, ip6, inet, ...) or the packet's (ip, ip6, arp)"},
    {IptablesCmd,
     "event.iptables_cmd",
     Type::String,
     "the xtables command for the packet's family: iptables, ip6tables or arptables"},
    {Family, "event.family", Type::String, "packet family: ipv4, ipv6 or arp; absent if unknown"},
    {Proto, "event.proto", Type::String, "layer-4 protocol name: tcp, udp, icmp, icmpv6, ..."},
    {ProtoNum, "event.proto_num", Type::Int, "layer-4 protocol number (IPPROTO_*)"},
    {Saddr, "event.saddr", Type::Ip, "source address (ARP: sender protocol address)"},
    {Daddr, "event.daddr", Type::Ip, "destination address (ARP: target protocol address)"},
    {Sport, "event.sport", Type::Int, "source port; absent without ports"},
    {Dport, "event.dport", Type::Int, "destination port; absent without ports"},
    {TcpFlags, "event.tcp_flags", Type::String, "TCP flags, e.g. \"SYN\" or \"SYN,ACK\""},
    {IcmpType, "event.icmp_type", Type::Int, "ICMP or ICMPv6 type"},
    {IcmpCode, "event.icmp_code", Type::Int, "ICMP or ICMPv6 code"},
    {Len, "event.len", Type::Int, "IP packet length in bytes"},
    {Ttl, "event.ttl", Type::Int, "IPv4 TTL or IPv6 hop limit"},
    {Origin,
     "event.origin",
     Type::String,
     "where the packet fields came from: \"headers\", or \"socket\" when the packet had no header "
     "yet"},
    {Flow,
     "event.flow",
     Type::String,
     "the packet in one line, e.g. \"TCP 10.0.0.1:41234 -> 10.0.0.2:80\""},
    {Ifindex, "event.ifindex", Type::Int, "interface index of the packet's device; absent if none"},
    {Dev, "event.dev", Type::String, "name of the packet's device; absent if none"},
    {Netns, "event.netns", Type::Int, "network namespace inode; absent if unknown"},
    {NetnsName,
     "event.netns_name",
     Type::String,
     "network namespace name (/run/netns), or \"host\"; absent if unnamed"},
    {NetnsLabel,
     "event.netns_label",
     Type::String,
     "the namespace for a sentence: \"netns NAME\", \"the host namespace\" or \"netns inode N\""},
    {NetnsExec,
     "event.netns_exec",
     Type::String,
     "command prefix that runs a command in the event's namespace (\"ip netns exec NAME \"), or "
     "\"\" for the host"},
    {Pid,
     "event.pid",
     Type::Int,
     "pid of the task running when the event fired (often not the traffic's owner)"},
    {Comm, "event.comm", Type::String, "command name of that task"},
    {Tracepoint,
     "event.tracepoint",
     Type::String,
     "tracepoint of a non-drop event, e.g. \"fib:fib_table_lookup\"; absent for drops"},
    {Err,
     "event.err",
     Type::Int,
     "error or return code the tracepoint reports, as the kernel passes it: route lookup "
     "result per table (-11 no route in that table, -22 blackhole, -113 unreachable, -13 "
     "prohibit), net_dev_xmit rc, tcp_retransmit_skb err (-1 local netfilter, -16 still "
     "queued), socket errno (111 ECONNREFUSED), UDP enqueue rc (-12 buffer full)"},
    {ErrName,
     "event.err_name",
     Type::String,
     "event.err as an errno name, e.g. \"EHOSTUNREACH\"; absent when 0 or none"},
    {RouteTable, "event.route_table", Type::Int, "route lookups: the routing table id"},
    {Gateway,
     "event.gateway",
     Type::Ip,
     "route lookups: the gateway of the chosen nexthop; absent when the route has none"},
    {State,
     "event.state",
     Type::String,
     "TCP state of the socket (\"SYN_SENT\", \"ESTABLISHED\", ...) for tcp and sock events; "
     "neighbour state (\"FAILED\", \"INCOMPLETE\", \"REACHABLE\", ...) for neigh events; "
     "after a change, the new one"},
    {OldState, "event.old_state", Type::String, "the state before a change"},
    {SentIcmpType,
     "event.sent_icmp_type",
     Type::Int,
     "icmp_send: type of the ICMP error this host sent about the packet (3 unreachable, 11 "
     "time exceeded)"},
    {SentIcmpCode,
     "event.sent_icmp_code",
     Type::Int,
     "icmp_send: its code (3/1 host unreachable, 3/3 port unreachable, 3/4 fragmentation "
     "needed)"},
    {XdpProgId, "event.xdp_prog_id", Type::Int, "XDP events: id of the XDP program"},
    {XdpProg, "event.xdp_prog", Type::String, "XDP events: name of the XDP program"},
    {XdpAction,
     "event.xdp_action",
     Type::String,
     "XDP events: the action: ABORTED, DROP, PASS, TX, REDIRECT, or the number when invalid"},
    {RstReason,
     "event.rst_reason",
     Type::Int,
     "tcp_send_reset: why the kernel sent a reset (enum sk_rst_reason; 1 = no socket)"},
    {Buffer,
     "event.buffer",
     Type::String,
     "sock_exceed_buf_limit: which buffer hit its limit, \"send\" or \"receive\""},
    {Counter,
     "event.counter",
     Type::String,
     "counter events: the kernel counter that went up, as nstat names it with a dot "
     "(\"TcpExt.ListenOverflows\", \"Udp.RcvbufErrors\", \"Ip.OutNoRoutes\")"},
    {CounterDelta,
     "event.counter_delta",
     Type::Int,
     "counter events: how much the counter went up since the previous sample (about a second)"},
    {TrailLength,
     "trail.length",
     Type::Int,
     "events seen for this packet (same skb) so far, this one included"},
    {TrailKinds, "trail.kinds", Type::StringList, "kinds of the events seen for this packet"},
    {FlowEvents,
     "flow.events",
     Type::Int,
     "events seen for this 5-tuple (either direction, any namespace), this one included"},
    {FlowDrops, "flow.drops", Type::Int, "drop events seen for this 5-tuple"},
    {FlowDurationMs,
     "flow.duration_ms",
     Type::Int,
     "milliseconds between the flow's first event and this one"},
    {FlowReasons,
     "flow.reasons",
     Type::StringList,
     "distinct drop reasons seen in this flow, first seen first"},
    {ReasonKnown,
     "reason.known",
     Type::Bool,
     "the knowledge (knowledge/drop-reasons) has an entry for the drop's reason; absent for "
     "events that are not drops"},
    {ReasonSummary,
     "reason.summary",
     Type::String,
     "one-line summary of the drop's reason, from its knowledge entry"},
    {ReasonExplanation,
     "reason.explanation",
     Type::String,
     "what the drop's reason means, in plain words, from its knowledge entry"},
    {ReasonSubsystem,
     "reason.subsystem",
     Type::String,
     "where in the stack the reason's drops happen (tcp, ip, netfilter, qdisc, ...)"},
    {ReasonLevel,
     "reason.level",
     Type::String,
     "the level the knowledge gives the drop's reason: INFO, WARN or ERROR"},
    {ReasonBenign,
     "reason.benign",
     Type::Bool,
     "the knowledge says this drop is normal operation at the event's location (its entry's "
     "benign.locations, or everywhere when it lists none)"},
    {ReasonBenignWhen,
     "reason.benign_when",
     Type::String,
     "when the drop's reason is normal operation, in words; absent unless reason.benign"},
    {FactListening,
     "fact.listening",
     Type::Bool,
     "a socket listens on the event's destination port and protocol, at its destination "
     "address or a wildcard, in the event's namespace"},
    {FactListenerAddress,
     "fact.listener_address",
     Type::String,
     "address:port of a socket listening on the destination port and protocol at another "
     "local address (e.g. 127.0.0.1:8080); absent when none"},
    {FactIpForward,
     "fact.ip_forward",
     Type::Int,
     "IP forwarding in the event's namespace for its family (net.ipv4.ip_forward or "
     "net.ipv6.conf.all.forwarding)"},
    {FactNfAttribution,
     "fact.nf_attribution",
     Type::String,
     "NETFILTER_DROP: which firewall rule dropped the packet, from the rule counters that moved "
     "since netdx's snapshot before the drop, or why no rule can be named; one sentence"},
    {FactNfRule,
     "fact.nf_rule",
     Type::String,
     "NETFILTER_DROP: the one DROP/REJECT rule (or DROP policy) whose counter moved, described "
     "with world, table, chain, position and text; absent when not exactly one moved"},
    {FactNfRuleShow,
     "fact.nf_rule_show",
     Type::String,
     "read-only command that lists the chain of fact.nf_rule with counters (iptables -nvL ... "
     "--line-numbers, nft -a list chain ...)"},
    {FactNfRuleDelete,
     "fact.nf_rule_delete",
     Type::String,
     "the command that removes fact.nf_rule (iptables -D CHAIN N, nft delete rule ... handle H) or "
     "sets the policy to accept"},
    {FactNfRuleVerdict,
     "fact.nf_rule_verdict",
     Type::String,
     "what fact.nf_rule does: \"drop\", \"reject\" (answers with a TCP reset or an ICMP "
     "error), or \"policy\" for a chain's DROP policy"},
    {FactNfRulePackets,
     "fact.nf_rule_packets",
     Type::Int,
     "packets counted by fact.nf_rule since the snapshot it is compared with"},
    {FactNfRuleWorld,
     "fact.nf_rule_world",
     Type::String,
     "\"iptables-legacy\", \"iptables-nft\" or \"nftables\": which tool manages fact.nf_rule"},
    {FactNfTable,
     "fact.nf_table",
     Type::String,
     "table of fact.nf_rule (\"filter\", or an nftables table name)"},
    {FactNfChain,
     "fact.nf_chain",
     Type::String,
     "chain of fact.nf_rule (the user chain a jump led to, not the jump)"},
    {FactNfRulePosition,
     "fact.nf_rule_position",
     Type::Int,
     "position of fact.nf_rule in its chain, as --line-numbers counts; absent for a policy"},
    {FactNfRuleHandle,
     "fact.nf_rule_handle",
     Type::Int,
     "nf_tables handle of fact.nf_rule; absent for iptables-legacy rules and policies"},
    {FactXdpProg,
     "fact.xdp_prog",
     Type::String,
     "name of the XDP program attached to the event's device, from its BTF (the full name), in the "
     "event's namespace"},
    {FactXdpProgId,
     "fact.xdp_prog_id",
     Type::Int,
     "id of that XDP program (bpftool prog show id N)"},
    {FactXdpMode,
     "fact.xdp_mode",
     Type::String,
     "how it is attached: \"generic\", \"native\", \"offload\" or \"multi\""},
    {FactTcIngressProg,
     "fact.tc_ingress_prog",
     Type::String,
     "name of the first BPF program on the event device's tc ingress hook (tcx, or a cls_bpf "
     "filter of the clsact/ingress qdisc)"},
    {FactTcIngressProgId, "fact.tc_ingress_prog_id", Type::Int, "id of that tc ingress program"},
    {FactLinkUp,
     "fact.link_up",
     Type::Bool,
     "the event's device is administratively up (IFF_UP), in the event's namespace"},
    {FactLinkCarrier,
     "fact.link_carrier",
     Type::Bool,
     "the event's device has carrier (for a veth: its peer is up)"},
    {FactLinkMtu,
     "fact.link_mtu",
     Type::Int,
     "MTU of the event's device, in the event's namespace"},
    {FactEgressDev,
     "fact.egress_dev",
     Type::String,
     "the device the main routing table sends the event's destination out of, in the event's "
     "namespace (longest prefix, lowest metric; policy rules are not consulted)"},
    {FactEgressMtu, "fact.egress_mtu", Type::Int, "MTU of fact.egress_dev"},
    {FactRpFilter,
     "fact.rp_filter",
     Type::Int,
     "reverse-path filter in force on the event's device: the larger of "
     "net.ipv4.conf.all.rp_filter and net.ipv4.conf.<dev>.rp_filter (0 off, 1 strict, 2 loose)"},
    {FactLinksDown,
     "fact.links_down",
     Type::String,
     "devices of the event's namespace that are administratively down (not lo), comma-separated; "
     "absent when none"},
    {FactFullListeners,
     "fact.full_listeners",
     Type::String,
     "TCP listeners of the event's namespace whose accept queue is over its backlog, e.g. "
     "\"10.0.0.2:80 (accept queue 2, backlog 1)\"; absent when none"},
    {FactNextHop,
     "fact.next_hop",
     Type::String,
     "the neighbour a packet to the event's destination needs, from the main table of its "
     "namespace: the route's gateway, or the destination itself when it is directly connected"},
    {FactLinkdownRoutes,
     "fact.linkdown_routes",
     Type::String,
     "routes through the event's device that the kernel flags linkdown (no carrier), e.g. "
     "\"default via 10.0.0.254, 10.0.0.0/24\"; absent when none"},
}};

constexpr bool ids_match_positions() {
    for (std::size_t i = 0; i < field_defs.size(); ++i) {
        if (field_defs[i].id != i) {
            return false;
        }
    }
    return true;
}
static_assert(ids_match_positions(), "field_defs must be listed in FieldId order");

std::string_view origin_name(PacketOrigin origin) {
    switch (origin) {
    case PacketOrigin::Headers:
        return "headers";
    case PacketOrigin::Socket:
        return "socket";
    case PacketOrigin::None:
        break;
    }
    return "";
}

std::string_view frame_symbol(const void* data, std::size_t i) {
    return static_cast<const Frame*>(data)[i].symbol;
}

std::string_view string_at(const void* data, std::size_t i) {
    return static_cast<const std::string*>(data)[i];
}

std::string_view view_at(const void* data, std::size_t i) {
    return static_cast<const std::string_view*>(data)[i];
}

Value present_string(std::string_view s) {
    return s.empty() ? Value::absent(Type::String) : Value::of_string(s);
}

} // namespace

const EventFields& EventFields::instance() {
    static const EventFields fields;
    return fields;
}

const FieldDef* EventFields::find(std::string_view name) const {
    for (const auto& def : field_defs) {
        if (def.name == name) {
            return &def;
        }
    }
    return nullptr;
}

std::vector<std::string_view> EventFields::names() const {
    std::vector<std::string_view> out;
    out.reserve(field_defs.size());
    for (const auto& def : field_defs) {
        out.push_back(def.name);
    }
    return out;
}

std::span<const FieldDef> EventFields::all() const {
    return field_defs;
}

condition::Value EventView::fact(std::uint32_t field_id, std::string_view name) const {
    const Type type = field_defs[field_id].type;
    if (context_.facts == nullptr) {
        return Value::absent(type);
    }
    auto it = facts_.find(field_id);
    if (it == facts_.end()) {
        it = facts_.emplace(field_id, context_.facts->fact(name, ev_)).first;
    }
    const FactValue& v = it->second;
    if (const bool* b = std::get_if<bool>(&v); b && type == Type::Bool) {
        return Value::of_bool(*b);
    }
    if (const std::int64_t* i = std::get_if<std::int64_t>(&v); i && type == Type::Int) {
        return Value::of_int(*i);
    }
    if (const std::string* str = std::get_if<std::string>(&v); str && type == Type::String) {
        return Value::of_string(*str);
    }
    return Value::absent(type); // unknown, or a source that gave the wrong type
}

const NetfilterPath* EventView::netfilter() const {
    if (!netfilter_) {
        netfilter_ = netfilter_path(ev_.drop, ev_.pkt.family);
    }
    return netfilter_->has_value() ? &**netfilter_ : nullptr;
}

const DropReason* EventView::drop_reason() const {
    if (!drop_reason_) {
        drop_reason_ = ev_.kind == EventKind::Drop && context_.reasons
                           ? context_.reasons->find(ev_.drop.reason)
                           : nullptr;
    }
    return *drop_reason_;
}

Value EventView::read(std::uint32_t field_id) const {
    const Packet& pkt = ev_.pkt;
    const bool is_drop = ev_.kind == EventKind::Drop;
    const bool has_ip = pkt.family == PacketFamily::Ipv4 || pkt.family == PacketFamily::Ipv6;
    switch (static_cast<FieldId>(field_id)) {
    case Kind:
        return Value::of_string(event_kind_name(ev_.kind));
    case Reason:
        return is_drop ? present_string(ev_.drop.reason) : Value::absent(Type::String);
    case ReasonCode:
        return is_drop ? Value::of_int(ev_.drop.reason_code) : Value::absent(Type::Int);
    case Location:
        return present_string(ev_.drop.location.symbol);
    case Stack:
        return Value::of_list({ev_.drop.stack.data(), ev_.drop.stack.size(), &frame_symbol});
    case DropPath:
        return Value::of_list(
            {ev_.drop.stack.data(), drop_path_length(ev_.drop.stack), &frame_symbol});
    case NfHook: {
        const auto* nf = netfilter();
        return nf ? present_string(nf->hook) : Value::absent(Type::String);
    }
    case NfEngine: {
        const auto* nf = netfilter();
        return nf ? present_string(nf->engine) : Value::absent(Type::String);
    }
    case NfFamily: {
        const auto* nf = netfilter();
        return nf ? present_string(nf->family) : Value::absent(Type::String);
    }
    case IptablesCmd:
        switch (pkt.family) {
        case PacketFamily::Ipv4:
            return Value::of_string("iptables");
        case PacketFamily::Ipv6:
            return Value::of_string("ip6tables");
        case PacketFamily::Arp:
            return Value::of_string("arptables");
        case PacketFamily::None:
            break;
        }
        return Value::absent(Type::String);
    case Family:
        return present_string(packet_family_name(pkt.family));
    case Proto:
        if (!has_ip) {
            return Value::absent(Type::String);
        }
        proto_ = proto_name(pkt.l4_proto);
        return Value::of_string(proto_);
    case ProtoNum:
        return has_ip ? Value::of_int(pkt.l4_proto) : Value::absent(Type::Int);
    case Saddr:
        return pkt.saddr.is_set() ? Value::of_ip(pkt.saddr) : Value::absent(Type::Ip);
    case Daddr:
        return pkt.daddr.is_set() ? Value::of_ip(pkt.daddr) : Value::absent(Type::Ip);
    case Sport:
        return pkt.has_ports ? Value::of_int(pkt.sport) : Value::absent(Type::Int);
    case Dport:
        return pkt.has_ports ? Value::of_int(pkt.dport) : Value::absent(Type::Int);
    case TcpFlags:
        if (pkt.l4_proto != 6 || !has_ip) {
            return Value::absent(Type::String);
        }
        tcp_flags_ = tcp_flags_text(pkt.tcp_flags);
        return Value::of_string(tcp_flags_);
    case IcmpType:
        return pkt.has_icmp ? Value::of_int(pkt.icmp_type) : Value::absent(Type::Int);
    case IcmpCode:
        return pkt.has_icmp ? Value::of_int(pkt.icmp_code) : Value::absent(Type::Int);
    case Len:
        return has_ip && pkt.len ? Value::of_int(pkt.len) : Value::absent(Type::Int);
    case Ttl:
        return has_ip && pkt.origin == PacketOrigin::Headers ? Value::of_int(pkt.ttl)
                                                             : Value::absent(Type::Int);
    case Origin:
        return present_string(origin_name(pkt.origin));
    case Flow:
        if (flow_.empty()) {
            flow_ = flow_text(pkt);
        }
        return present_string(flow_);
    case Ifindex:
        return ev_.ifindex ? Value::of_int(ev_.ifindex) : Value::absent(Type::Int);
    case Dev:
        return present_string(ev_.dev);
    case Netns:
        return ev_.netns ? Value::of_int(ev_.netns) : Value::absent(Type::Int);
    case NetnsName:
        return present_string(ev_.netns_name);
    case NetnsLabel:
        if (netns_label_.empty()) {
            if (ev_.netns_name == "host") {
                netns_label_ = "the host namespace";
            } else if (!ev_.netns_name.empty()) {
                netns_label_ = "netns " + ev_.netns_name;
            } else if (ev_.netns != 0) {
                netns_label_ = "netns inode " + std::to_string(ev_.netns);
            } else {
                netns_label_ = "an unknown namespace";
            }
        }
        return Value::of_string(netns_label_);
    case NetnsExec:
        if (netns_exec_.empty() && !ev_.netns_name.empty() && ev_.netns_name != "host") {
            netns_exec_ = "ip netns exec " + ev_.netns_name + " ";
        }
        return Value::of_string(netns_exec_);
    case Pid:
        return Value::of_int(ev_.pid);
    case Comm:
        return present_string(ev_.comm);
    case Tracepoint:
        return present_string(ev_.trace.tracepoint);
    case Err:
        return ev_.trace.err ? Value::of_int(*ev_.trace.err) : Value::absent(Type::Int);
    case ErrName:
        if (err_name_.empty() && ev_.trace.err) {
            err_name_ = errno_name(*ev_.trace.err);
        }
        return present_string(err_name_);
    case RouteTable:
        return ev_.trace.table ? Value::of_int(*ev_.trace.table) : Value::absent(Type::Int);
    case Gateway:
        return ev_.trace.gateway.is_set() ? Value::of_ip(ev_.trace.gateway)
                                          : Value::absent(Type::Ip);
    case State:
        return present_string(ev_.trace.state);
    case OldState:
        return present_string(ev_.trace.old_state);
    case SentIcmpType:
        return ev_.trace.sent_icmp_type ? Value::of_int(*ev_.trace.sent_icmp_type)
                                        : Value::absent(Type::Int);
    case SentIcmpCode:
        return ev_.trace.sent_icmp_code ? Value::of_int(*ev_.trace.sent_icmp_code)
                                        : Value::absent(Type::Int);
    case XdpProgId:
        return ev_.trace.xdp_prog_id ? Value::of_int(ev_.trace.xdp_prog_id)
                                     : Value::absent(Type::Int);
    case XdpProg:
        return present_string(ev_.trace.xdp_prog);
    case XdpAction:
        return present_string(ev_.trace.xdp_action);
    case RstReason:
        return ev_.trace.rst_reason ? Value::of_int(*ev_.trace.rst_reason)
                                    : Value::absent(Type::Int);
    case Buffer:
        return present_string(ev_.trace.buffer);
    case Counter:
        return present_string(ev_.trace.counter);
    case CounterDelta:
        return ev_.trace.counter_delta ? Value::of_int(*ev_.trace.counter_delta)
                                       : Value::absent(Type::Int);
    case TrailLength:
        return context_.correlation.trail ? Value::of_int(context_.correlation.trail->events)
                                          : Value::absent(Type::Int);
    case TrailKinds: {
        const TrailState* trail = context_.correlation.trail;
        if (!trail) {
            return Value::absent(Type::StringList);
        }
        if (trail_kinds_.empty()) {
            for (std::size_t k = 0; k < event_kind_count; ++k) {
                if (trail->kinds.test(k)) {
                    trail_kinds_.push_back(event_kind_name(static_cast<EventKind>(k)));
                }
            }
        }
        return Value::of_list({trail_kinds_.data(), trail_kinds_.size(), &view_at});
    }
    case FlowEvents:
        return context_.correlation.flow ? Value::of_int(context_.correlation.flow->events)
                                         : Value::absent(Type::Int);
    case FlowDrops:
        return context_.correlation.flow ? Value::of_int(context_.correlation.flow->drops)
                                         : Value::absent(Type::Int);
    case FlowDurationMs: {
        const FlowState* flow = context_.correlation.flow;
        return flow ? Value::of_int(
                          static_cast<std::int64_t>((ev_.ts_ns - flow->first_seen_ns) / 1000000))
                    : Value::absent(Type::Int);
    }
    case FlowReasons: {
        const FlowState* flow = context_.correlation.flow;
        return flow ? Value::of_list({flow->reasons.data(), flow->reasons.size(), &string_at})
                    : Value::absent(Type::StringList);
    }
    case ReasonKnown:
        return is_drop ? Value::of_bool(drop_reason() != nullptr) : Value::absent(Type::Bool);
    case ReasonSummary:
        return drop_reason() ? present_string(drop_reason()->summary) : Value::absent(Type::String);
    case ReasonExplanation:
        return drop_reason() ? present_string(drop_reason()->explanation)
                             : Value::absent(Type::String);
    case ReasonSubsystem:
        return drop_reason() ? present_string(drop_reason()->subsystem)
                             : Value::absent(Type::String);
    case ReasonLevel:
        return drop_reason() ? Value::of_string(level_name(drop_reason()->level))
                             : Value::absent(Type::String);
    case ReasonBenign:
        return drop_reason() ? Value::of_bool(drop_reason()->benign_at(ev_.drop.location.symbol))
                             : Value::absent(Type::Bool);
    case ReasonBenignWhen:
        return drop_reason() && drop_reason()->benign_at(ev_.drop.location.symbol)
                   ? present_string(drop_reason()->benign_when)
                   : Value::absent(Type::String);
    case FactListening:
    case FactListenerAddress:
    case FactIpForward:
    case FactNfAttribution:
    case FactNfRule:
    case FactNfRuleShow:
    case FactNfRuleDelete:
    case FactNfRuleVerdict:
    case FactNfRulePackets:
    case FactNfRuleWorld:
    case FactNfTable:
    case FactNfChain:
    case FactNfRulePosition:
    case FactNfRuleHandle:
    case FactXdpProg:
    case FactXdpProgId:
    case FactXdpMode:
    case FactTcIngressProg:
    case FactTcIngressProgId:
    case FactLinkUp:
    case FactLinkCarrier:
    case FactLinkMtu:
    case FactEgressDev:
    case FactEgressMtu:
    case FactRpFilter:
    case FactLinksDown:
    case FactFullListeners:
    case FactNextHop:
    case FactLinkdownRoutes:
        // "fact.listening" asks the FactSource for "listening".
        return fact(field_id, field_defs[field_id].name.substr(std::string_view("fact.").size()));
    case FieldCount:
        break;
    }
    return Value::absent(Type::Bool);
}

} // namespace netdx::engine
