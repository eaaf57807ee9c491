// SPDX-License-Identifier: GPL-2.0
#include "netlink_parse.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string_view>

#include <arpa/inet.h>
#include <nlohmann/json.hpp>

#include <linux/fib_rules.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

namespace netdx::probes {
namespace {

using Bytes = std::span<const std::byte>;

constexpr std::size_t align4(std::size_t n) {
    return (n + 3) & ~std::size_t{3};
}

// A fixed-size kernel struct read from the front of `b` (the caller checked the size).
template <class T>
T load(Bytes b) {
    T v{};
    std::memcpy(&v, b.data(), sizeof(T));
    return v;
}

Error malformed(std::string_view msg, const std::string& what) {
    return make_error(ErrorKind::Environment,
                      "malformed netlink message " + std::string(msg) + ": " + what,
                      0,
                      "the kernel's reply could not be read; please report this with "
                      "`ip -d link`, `ip route show table all` output and the kernel version");
}

struct Attr {
    std::uint16_t type = 0;
    Bytes data;
};

// Splits `buf` into attributes; every length is checked against what is left.
Result<std::vector<Attr>> attrs_of(Bytes buf, std::string_view msg) {
    std::vector<Attr> out;
    std::size_t off = 0;
    while (buf.size() - off >= sizeof(nlattr)) {
        const auto hdr = load<nlattr>(buf.subspan(off));
        if (hdr.nla_len < sizeof(nlattr) || hdr.nla_len > buf.size() - off) {
            return malformed(msg,
                             "attribute type " + std::to_string(hdr.nla_type & NLA_TYPE_MASK) +
                                 " at offset " + std::to_string(off) + " has length " +
                                 std::to_string(hdr.nla_len) + ", " +
                                 std::to_string(buf.size() - off) + " bytes left");
        }
        out.push_back({static_cast<std::uint16_t>(hdr.nla_type & NLA_TYPE_MASK),
                       buf.subspan(off + sizeof(nlattr), hdr.nla_len - sizeof(nlattr))});
        off = std::min(buf.size(), off + align4(hdr.nla_len));
    }
    // Fewer bytes than an attribute header left: padding, ignored.
    return out;
}

std::string attr_name(std::string_view prefix, std::uint16_t type) {
    return std::string(prefix) + "(" + std::to_string(type) + ")";
}

template <class T>
Result<T> scalar(const Attr& a, std::string_view msg, std::string_view prefix) {
    if (a.data.size() < sizeof(T)) {
        return malformed(msg,
                         attr_name(prefix, a.type) + " has " + std::to_string(a.data.size()) +
                             " bytes, expected " + std::to_string(sizeof(T)));
    }
    return load<T>(a.data);
}

// A NUL-terminated string attribute; without the NUL, the whole payload.
std::string text(const Attr& a) {
    const auto* begin = reinterpret_cast<const char*>(a.data.data());
    const auto* end = std::find(begin, begin + a.data.size(), '\0');
    return std::string(begin, end);
}

std::string family_name(int family) {
    return family == AF_INET ? "inet" : family == AF_INET6 ? "inet6" : std::to_string(family);
}

bool ip_family(int family) {
    return family == AF_INET || family == AF_INET6;
}

Result<std::string> ip_text(const Attr& a, int family, std::string_view msg, std::string_view p) {
    const std::size_t want = family == AF_INET ? 4 : 16;
    if (a.data.size() != want) {
        return malformed(msg,
                         attr_name(p, a.type) + " has " + std::to_string(a.data.size()) +
                             " bytes, expected " + std::to_string(want) + " for " +
                             family_name(family));
    }
    std::array<char, INET6_ADDRSTRLEN> buf{};
    if (::inet_ntop(family, a.data.data(), buf.data(), buf.size()) == nullptr) {
        return malformed(msg, attr_name(p, a.type) + " is not an address");
    }
    return std::string(buf.data());
}

std::string lladdr_text(Bytes b) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < b.size(); ++i) {
        const auto v = std::to_integer<unsigned>(b[i]);
        out += i ? ":" : "";
        out += hex[v >> 4];
        out += hex[v & 0xf];
    }
    return out;
}

std::string scope_name(unsigned scope) {
    switch (scope) {
    case RT_SCOPE_UNIVERSE:
        return "global";
    case RT_SCOPE_SITE:
        return "site";
    case RT_SCOPE_LINK:
        return "link";
    case RT_SCOPE_HOST:
        return "host";
    case RT_SCOPE_NOWHERE:
        return "nowhere";
    default:
        return std::to_string(scope);
    }
}

std::string protocol_name(unsigned proto) {
    switch (proto) {
    case RTPROT_UNSPEC:
        return "unspec";
    case RTPROT_REDIRECT:
        return "redirect";
    case RTPROT_KERNEL:
        return "kernel";
    case RTPROT_BOOT:
        return "boot";
    case RTPROT_STATIC:
        return "static";
    case RTPROT_RA:
        return "ra";
    case RTPROT_DHCP:
        return "dhcp";
    default:
        return std::to_string(proto);
    }
}

std::string oper_state_name(unsigned state) {
    static constexpr std::array<std::string_view, 7> names = {
        "UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"};
    return state < names.size() ? std::string(names[state]) : std::to_string(state);
}

// --- links ---------------------------------------------------------------------------------

Result<void> parse_xdp(Bytes nested, LinkFact& link) {
    constexpr std::string_view msg = "RTM_NEWLINK IFLA_XDP";
    auto attrs = attrs_of(nested, msg);
    if (!attrs) {
        return attrs.error();
    }
    XdpFact xdp;
    std::uint8_t attached = XDP_ATTACHED_NONE;
    for (const auto& a : *attrs) {
        std::uint32_t* id = nullptr;
        switch (a.type) {
        case IFLA_XDP_ATTACHED: {
            auto v = scalar<std::uint8_t>(a, msg, "IFLA_XDP_ATTACHED");
            if (!v) {
                return v.error();
            }
            attached = *v;
            continue;
        }
        case IFLA_XDP_PROG_ID:
            id = &xdp.prog_id;
            break;
        case IFLA_XDP_SKB_PROG_ID:
            id = &xdp.generic_prog_id;
            break;
        case IFLA_XDP_DRV_PROG_ID:
            id = &xdp.native_prog_id;
            break;
        case IFLA_XDP_HW_PROG_ID:
            id = &xdp.offload_prog_id;
            break;
        default:
            continue;
        }
        auto v = scalar<std::uint32_t>(a, msg, "IFLA_XDP_*_PROG_ID");
        if (!v) {
            return v.error();
        }
        *id = *v;
    }
    switch (attached) {
    case XDP_ATTACHED_NONE:
        return {};
    case XDP_ATTACHED_SKB:
        xdp.mode = "generic";
        break;
    case XDP_ATTACHED_DRV:
        xdp.mode = "native";
        break;
    case XDP_ATTACHED_HW:
        xdp.mode = "offload";
        break;
    case XDP_ATTACHED_MULTI:
        xdp.mode = "multi";
        break;
    default:
        xdp.mode = std::to_string(attached);
        break;
    }
    link.xdp = xdp;
    return {};
}

Result<void> parse_link(Bytes payload, FactsSnapshot& out) {
    constexpr std::string_view msg = "RTM_NEWLINK";
    if (payload.size() < sizeof(ifinfomsg)) {
        return malformed(msg,
                         std::to_string(payload.size()) + " bytes of payload, ifinfomsg needs " +
                             std::to_string(sizeof(ifinfomsg)));
    }
    const auto ifi = load<ifinfomsg>(payload);
    LinkFact link;
    link.ifindex = ifi.ifi_index;
    link.flags = ifi.ifi_flags;
    link.admin_up = (ifi.ifi_flags & IFF_UP) != 0;
    link.carrier = (ifi.ifi_flags & IFF_LOWER_UP) != 0;
    auto attrs = attrs_of(payload.subspan(align4(sizeof(ifinfomsg))), msg);
    if (!attrs) {
        return attrs.error();
    }
    for (const auto& a : *attrs) {
        switch (a.type) {
        case IFLA_IFNAME:
            link.name = text(a);
            break;
        case IFLA_ADDRESS:
            link.address = lladdr_text(a.data);
            break;
        case IFLA_MTU: {
            auto v = scalar<std::uint32_t>(a, msg, "IFLA_MTU");
            if (!v) {
                return v.error();
            }
            link.mtu = *v;
            break;
        }
        case IFLA_LINK:
        case IFLA_MASTER: {
            auto v =
                scalar<std::int32_t>(a, msg, a.type == IFLA_LINK ? "IFLA_LINK" : "IFLA_MASTER");
            if (!v) {
                return v.error();
            }
            (a.type == IFLA_LINK ? link.link : link.master) = *v;
            break;
        }
        case IFLA_OPERSTATE: {
            auto v = scalar<std::uint8_t>(a, msg, "IFLA_OPERSTATE");
            if (!v) {
                return v.error();
            }
            link.oper_state = oper_state_name(*v);
            break;
        }
        case IFLA_CARRIER: {
            auto v = scalar<std::uint8_t>(a, msg, "IFLA_CARRIER");
            if (!v) {
                return v.error();
            }
            link.carrier = *v != 0;
            break;
        }
        case IFLA_LINKINFO: {
            auto info = attrs_of(a.data, "RTM_NEWLINK IFLA_LINKINFO");
            if (!info) {
                return info.error();
            }
            for (const auto& i : *info) {
                if (i.type == IFLA_INFO_KIND) {
                    link.kind = text(i);
                }
            }
            break;
        }
        case IFLA_XDP:
            if (auto r = parse_xdp(a.data, link); !r) {
                return r.error();
            }
            break;
        default:
            break;
        }
    }
    out.links.push_back(std::move(link));
    return {};
}

// --- addresses -----------------------------------------------------------------------------

Result<void> parse_address(Bytes payload, FactsSnapshot& out) {
    constexpr std::string_view msg = "RTM_NEWADDR";
    if (payload.size() < sizeof(ifaddrmsg)) {
        return malformed(msg,
                         std::to_string(payload.size()) + " bytes of payload, ifaddrmsg needs " +
                             std::to_string(sizeof(ifaddrmsg)));
    }
    const auto ifa = load<ifaddrmsg>(payload);
    if (!ip_family(ifa.ifa_family)) {
        return {};
    }
    AddressFact addr;
    addr.ifindex = static_cast<int>(ifa.ifa_index);
    addr.family = family_name(ifa.ifa_family);
    addr.prefix_len = ifa.ifa_prefixlen;
    addr.scope = scope_name(ifa.ifa_scope);
    addr.flags = ifa.ifa_flags;
    auto attrs = attrs_of(payload.subspan(align4(sizeof(ifaddrmsg))), msg);
    if (!attrs) {
        return attrs.error();
    }
    std::string address, local;
    for (const auto& a : *attrs) {
        switch (a.type) {
        case IFA_ADDRESS:
        case IFA_LOCAL: {
            auto v =
                ip_text(a, ifa.ifa_family, msg, a.type == IFA_LOCAL ? "IFA_LOCAL" : "IFA_ADDRESS");
            if (!v) {
                return v.error();
            }
            (a.type == IFA_LOCAL ? local : address) = *v;
            break;
        }
        case IFA_LABEL:
            addr.label = text(a);
            break;
        case IFA_FLAGS: {
            auto v = scalar<std::uint32_t>(a, msg, "IFA_FLAGS");
            if (!v) {
                return v.error();
            }
            addr.flags = *v;
            break;
        }
        default:
            break;
        }
    }
    // IPv4 point-to-point: IFA_LOCAL is ours, IFA_ADDRESS the peer.
    addr.address = local.empty() ? address : local;
    if (addr.address.empty()) {
        return malformed(msg, "no IFA_ADDRESS or IFA_LOCAL");
    }
    out.addresses.push_back(std::move(addr));
    return {};
}

// --- routes --------------------------------------------------------------------------------

Result<void> parse_multipath(Bytes data, int family, RouteFact& route) {
    constexpr std::string_view msg = "RTM_NEWROUTE RTA_MULTIPATH";
    std::size_t off = 0;
    while (data.size() - off >= sizeof(rtnexthop)) {
        const auto nh = load<rtnexthop>(data.subspan(off));
        if (nh.rtnh_len < sizeof(rtnexthop) || nh.rtnh_len > data.size() - off) {
            return malformed(msg,
                             "next hop at offset " + std::to_string(off) + " has length " +
                                 std::to_string(nh.rtnh_len) + ", " +
                                 std::to_string(data.size() - off) + " bytes left");
        }
        NextHopFact hop;
        hop.oif = nh.rtnh_ifindex;
        hop.flags = nh.rtnh_flags;
        hop.weight = nh.rtnh_hops + 1;
        const std::size_t attrs_off = align4(sizeof(rtnexthop));
        if (nh.rtnh_len > attrs_off) {
            auto attrs = attrs_of(data.subspan(off + attrs_off, nh.rtnh_len - attrs_off), msg);
            if (!attrs) {
                return attrs.error();
            }
            for (const auto& a : *attrs) {
                if (a.type == RTA_GATEWAY) {
                    auto v = ip_text(a, family, msg, "RTA_GATEWAY");
                    if (!v) {
                        return v.error();
                    }
                    hop.gateway = *v;
                }
            }
        }
        route.nexthops.push_back(std::move(hop));
        off = std::min(data.size(), off + align4(nh.rtnh_len));
    }
    return {};
}

Result<void> parse_route(Bytes payload, FactsSnapshot& out) {
    constexpr std::string_view msg = "RTM_NEWROUTE";
    if (payload.size() < sizeof(rtmsg)) {
        return malformed(msg,
                         std::to_string(payload.size()) + " bytes of payload, rtmsg needs " +
                             std::to_string(sizeof(rtmsg)));
    }
    const auto rtm = load<rtmsg>(payload);
    if (!ip_family(rtm.rtm_family)) {
        return {};
    }
    RouteFact route;
    route.family = family_name(rtm.rtm_family);
    route.table = rtm.rtm_table;
    route.type = route_type_name(rtm.rtm_type);
    route.dst_len = rtm.rtm_dst_len;
    route.protocol = protocol_name(rtm.rtm_protocol);
    route.scope = scope_name(rtm.rtm_scope);
    route.flags = rtm.rtm_flags;
    auto attrs = attrs_of(payload.subspan(align4(sizeof(rtmsg))), msg);
    if (!attrs) {
        return attrs.error();
    }
    for (const auto& a : *attrs) {
        switch (a.type) {
        case RTA_DST:
        case RTA_SRC:
        case RTA_GATEWAY:
        case RTA_PREFSRC: {
            static constexpr std::array<std::string_view, 8> names = {
                "", "RTA_DST", "RTA_SRC", "", "", "RTA_GATEWAY", "", "RTA_PREFSRC"};
            auto v = ip_text(a, rtm.rtm_family, msg, names[a.type]);
            if (!v) {
                return v.error();
            }
            if (a.type == RTA_DST) {
                route.dst = *v + "/" + std::to_string(rtm.rtm_dst_len);
            } else if (a.type == RTA_SRC) {
                route.src = *v + "/" + std::to_string(rtm.rtm_src_len);
            } else {
                (a.type == RTA_GATEWAY ? route.gateway : route.prefsrc) = *v;
            }
            break;
        }
        case RTA_OIF: {
            auto v = scalar<std::int32_t>(a, msg, "RTA_OIF");
            if (!v) {
                return v.error();
            }
            route.oif = *v;
            break;
        }
        case RTA_PRIORITY:
        case RTA_TABLE: {
            auto v =
                scalar<std::uint32_t>(a, msg, a.type == RTA_TABLE ? "RTA_TABLE" : "RTA_PRIORITY");
            if (!v) {
                return v.error();
            }
            if (a.type == RTA_TABLE) {
                route.table = *v;
            } else {
                route.priority = *v;
            }
            break;
        }
        case RTA_MULTIPATH:
            if (auto r = parse_multipath(a.data, rtm.rtm_family, route); !r) {
                return r.error();
            }
            break;
        default:
            break;
        }
    }
    if (route.dst.empty()) {
        route.dst = rtm.rtm_dst_len == 0 ? "default" : "?/" + std::to_string(rtm.rtm_dst_len);
    }
    out.routes.push_back(std::move(route));
    return {};
}

// --- neighbours ----------------------------------------------------------------------------

Result<void> parse_neighbour(Bytes payload, FactsSnapshot& out) {
    constexpr std::string_view msg = "RTM_NEWNEIGH";
    if (payload.size() < sizeof(ndmsg)) {
        return malformed(msg,
                         std::to_string(payload.size()) + " bytes of payload, ndmsg needs " +
                             std::to_string(sizeof(ndmsg)));
    }
    const auto ndm = load<ndmsg>(payload);
    if (!ip_family(ndm.ndm_family)) {
        return {};
    }
    NeighbourFact neigh;
    neigh.ifindex = ndm.ndm_ifindex;
    neigh.family = family_name(ndm.ndm_family);
    neigh.state = ndm.ndm_state;
    neigh.flags = ndm.ndm_flags;
    auto attrs = attrs_of(payload.subspan(align4(sizeof(ndmsg))), msg);
    if (!attrs) {
        return attrs.error();
    }
    for (const auto& a : *attrs) {
        if (a.type == NDA_DST) {
            auto v = ip_text(a, ndm.ndm_family, msg, "NDA_DST");
            if (!v) {
                return v.error();
            }
            neigh.address = *v;
        } else if (a.type == NDA_LLADDR) {
            neigh.lladdr = lladdr_text(a.data);
        }
    }
    if (neigh.address.empty()) {
        return malformed(msg, "no NDA_DST");
    }
    out.neighbours.push_back(std::move(neigh));
    return {};
}

// --- policy rules --------------------------------------------------------------------------

std::string rule_action_name(unsigned action) {
    switch (action) {
    case FR_ACT_TO_TBL:
        return "lookup";
    case FR_ACT_GOTO:
        return "goto";
    case FR_ACT_NOP:
        return "nop";
    case FR_ACT_BLACKHOLE:
        return "blackhole";
    case FR_ACT_UNREACHABLE:
        return "unreachable";
    case FR_ACT_PROHIBIT:
        return "prohibit";
    default:
        return std::to_string(action);
    }
}

Result<void> parse_rule(Bytes payload, FactsSnapshot& out) {
    constexpr std::string_view msg = "RTM_NEWRULE";
    if (payload.size() < sizeof(fib_rule_hdr)) {
        return malformed(msg,
                         std::to_string(payload.size()) + " bytes of payload, fib_rule_hdr needs " +
                             std::to_string(sizeof(fib_rule_hdr)));
    }
    const auto frh = load<fib_rule_hdr>(payload);
    if (!ip_family(frh.family)) {
        return {};
    }
    RuleFact rule;
    rule.family = family_name(frh.family);
    rule.table = frh.table;
    rule.action = rule_action_name(frh.action);
    rule.tos = frh.tos;
    rule.invert = (frh.flags & FIB_RULE_INVERT) != 0;
    auto attrs = attrs_of(payload.subspan(align4(sizeof(fib_rule_hdr))), msg);
    if (!attrs) {
        return attrs.error();
    }
    for (const auto& a : *attrs) {
        switch (a.type) {
        case FRA_SRC:
        case FRA_DST: {
            auto v = ip_text(a, frh.family, msg, a.type == FRA_SRC ? "FRA_SRC" : "FRA_DST");
            if (!v) {
                return v.error();
            }
            const int len = a.type == FRA_SRC ? frh.src_len : frh.dst_len;
            (a.type == FRA_SRC ? rule.src : rule.dst) = *v + "/" + std::to_string(len);
            break;
        }
        case FRA_IIFNAME:
            rule.iif = text(a);
            break;
        case FRA_OIFNAME:
            rule.oif = text(a);
            break;
        case FRA_PRIORITY:
        case FRA_TABLE:
        case FRA_FWMARK:
        case FRA_FWMASK:
        case FRA_GOTO: {
            auto v = scalar<std::uint32_t>(a, msg, "FRA_*");
            if (!v) {
                return v.error();
            }
            if (a.type == FRA_PRIORITY) {
                rule.priority = *v;
            } else if (a.type == FRA_TABLE) {
                rule.table = *v;
            } else if (a.type == FRA_FWMARK) {
                rule.fwmark = *v;
            } else if (a.type == FRA_FWMASK) {
                rule.fwmask = *v;
            } else {
                rule.goto_target = *v;
            }
            break;
        }
        case FRA_IP_PROTO: {
            auto v = scalar<std::uint8_t>(a, msg, "FRA_IP_PROTO");
            if (!v) {
                return v.error();
            }
            rule.ip_proto = *v;
            break;
        }
        default:
            break;
        }
    }
    out.rules.push_back(std::move(rule));
    return {};
}

// --- tc --------------------------------------------------------------------------------------

LinkFact* find_link(FactsSnapshot& out, int ifindex) {
    for (auto& l : out.links) {
        if (l.ifindex == ifindex) {
            return &l;
        }
    }
    return nullptr;
}

// The clsact or ingress qdisc of a device (the ones tc filters on the ingress/egress hooks
// hang from); every other qdisc is skipped.
Result<void> parse_qdisc(Bytes payload, FactsSnapshot& out) {
    constexpr std::string_view msg = "RTM_NEWQDISC";
    if (payload.size() < sizeof(tcmsg)) {
        return malformed(msg,
                         std::to_string(payload.size()) + " bytes of payload, tcmsg needs " +
                             std::to_string(sizeof(tcmsg)));
    }
    const auto tcm = load<tcmsg>(payload);
    auto attrs = attrs_of(payload.subspan(align4(sizeof(tcmsg))), msg);
    if (!attrs) {
        return attrs.error();
    }
    if (tcm.tcm_parent != TC_H_INGRESS) {
        return {};
    }
    for (const auto& a : *attrs) {
        if (a.type != TCA_KIND) {
            continue;
        }
        const std::string kind = text(a);
        if (kind != "clsact" && kind != "ingress") {
            return {};
        }
        if (LinkFact* link = find_link(out, tcm.tcm_ifindex); link != nullptr) {
            link->tc_qdisc = kind;
        }
    }
    return {};
}

Result<void> parse_bpf_filter_options(Bytes nested, TcFilterFact& filter) {
    constexpr std::string_view msg = "RTM_NEWTFILTER TCA_OPTIONS";
    auto attrs = attrs_of(nested, msg);
    if (!attrs) {
        return attrs.error();
    }
    for (const auto& a : *attrs) {
        switch (a.type) {
        case TCA_BPF_ID:
        case TCA_BPF_FLAGS: {
            auto v = scalar<std::uint32_t>(
                a, msg, a.type == TCA_BPF_ID ? "TCA_BPF_ID" : "TCA_BPF_FLAGS");
            if (!v) {
                return v.error();
            }
            if (a.type == TCA_BPF_ID) {
                filter.prog_id = *v;
            } else {
                filter.direct_action = (*v & TCA_BPF_FLAG_ACT_DIRECT) != 0;
            }
            break;
        }
        case TCA_BPF_NAME:
            filter.bpf_name = text(a);
            break;
        default:
            break;
        }
    }
    return {};
}

Result<void> parse_tc_filter(Bytes payload, const TcFilterDump& dump, FactsSnapshot& out) {
    constexpr std::string_view msg = "RTM_NEWTFILTER";
    if (payload.size() < sizeof(tcmsg)) {
        return malformed(msg,
                         std::to_string(payload.size()) + " bytes of payload, tcmsg needs " +
                             std::to_string(sizeof(tcmsg)));
    }
    const auto tcm = load<tcmsg>(payload);
    TcFilterFact filter;
    filter.direction = std::string(dump.direction);
    filter.handle = tcm.tcm_handle;
    filter.prio = static_cast<std::uint16_t>(TC_H_MAJ(tcm.tcm_info) >> 16);
    filter.protocol = ntohs(static_cast<std::uint16_t>(TC_H_MIN(tcm.tcm_info)));
    auto attrs = attrs_of(payload.subspan(align4(sizeof(tcmsg))), msg);
    if (!attrs) {
        return attrs.error();
    }
    std::optional<Bytes> options;
    for (const auto& a : *attrs) {
        switch (a.type) {
        case TCA_KIND:
            filter.kind = text(a);
            break;
        case TCA_CHAIN: {
            auto v = scalar<std::uint32_t>(a, msg, "TCA_CHAIN");
            if (!v) {
                return v.error();
            }
            filter.chain = *v;
            break;
        }
        case TCA_OPTIONS:
            options = a.data;
            break;
        default:
            break;
        }
    }
    if (filter.kind.empty()) {
        return malformed(msg, "no TCA_KIND");
    }
    if (options && filter.kind == "bpf") {
        if (auto r = parse_bpf_filter_options(*options, filter); !r) {
            return r.error();
        }
    }
    // Handle 0 is the classifier instance (one per prio and protocol), not a filter.
    if (filter.handle == 0) {
        return {};
    }
    if (LinkFact* link = find_link(out, dump.ifindex); link != nullptr) {
        link->tc_filters.push_back(std::move(filter));
    }
    return {};
}

// A message's type and payload, once its header and length are checked.
struct Message {
    std::uint16_t type = 0;
    Bytes payload;
};

Result<Message> split_message(Bytes msg) {
    if (msg.size() < sizeof(nlmsghdr)) {
        return malformed("header",
                         "truncated: " + std::to_string(msg.size()) + " bytes, a header needs " +
                             std::to_string(sizeof(nlmsghdr)));
    }
    const auto h = load<nlmsghdr>(msg);
    if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > msg.size()) {
        return malformed("type " + std::to_string(h.nlmsg_type),
                         "nlmsg_len " + std::to_string(h.nlmsg_len) + " but " +
                             std::to_string(msg.size()) + " bytes received");
    }
    return Message{h.nlmsg_type, msg.subspan(sizeof(nlmsghdr), h.nlmsg_len - sizeof(nlmsghdr))};
}

struct FlagName {
    std::uint32_t bit;
    std::string_view name;
};

constexpr std::array<FlagName, 9> route_flags = {{
    {RTNH_F_DEAD, "dead"},
    {RTNH_F_PERVASIVE, "pervasive"},
    {RTNH_F_ONLINK, "onlink"},
    {RTNH_F_OFFLOAD, "offload"},
    {RTNH_F_LINKDOWN, "linkdown"},
    {RTNH_F_UNRESOLVED, "unresolved"},
    {RTNH_F_TRAP, "trap"},
    {RTM_F_CLONED, "cloned"},
    {RTM_F_PREFIX, "prefix"},
}};

constexpr std::array<FlagName, 8> nud_states = {{
    {NUD_INCOMPLETE, "INCOMPLETE"},
    {NUD_REACHABLE, "REACHABLE"},
    {NUD_STALE, "STALE"},
    {NUD_DELAY, "DELAY"},
    {NUD_PROBE, "PROBE"},
    {NUD_FAILED, "FAILED"},
    {NUD_NOARP, "NOARP"},
    {NUD_PERMANENT, "PERMANENT"},
}};

std::string hex(std::uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%x", v);
    return buf;
}

} // namespace

bool RouteFact::linkdown() const {
    return (flags & RTNH_F_LINKDOWN) != 0;
}
bool RouteFact::dead() const {
    return (flags & RTNH_F_DEAD) != 0;
}

std::string FactsSnapshot::link_name(int ifindex) const {
    for (const auto& l : links) {
        if (l.ifindex == ifindex) {
            return l.name;
        }
    }
    return "if" + std::to_string(ifindex);
}

std::string route_type_name(std::uint8_t type) {
    static constexpr std::array<std::string_view, 12> names = {"unspec",
                                                               "unicast",
                                                               "local",
                                                               "broadcast",
                                                               "anycast",
                                                               "multicast",
                                                               "blackhole",
                                                               "unreachable",
                                                               "prohibit",
                                                               "throw",
                                                               "nat",
                                                               "xresolve"};
    return type < names.size() ? std::string(names[type]) : std::to_string(type);
}

std::string route_table_name(std::uint32_t table) {
    switch (table) {
    case RT_TABLE_DEFAULT:
        return "default";
    case RT_TABLE_MAIN:
        return "main";
    case RT_TABLE_LOCAL:
        return "local";
    default:
        return std::to_string(table);
    }
}

std::string neigh_state_name(std::uint16_t state) {
    std::string out;
    for (const auto& s : nud_states) {
        if (state & s.bit) {
            out += (out.empty() ? "" : "|") + std::string(s.name);
            state = static_cast<std::uint16_t>(state & ~s.bit);
        }
    }
    if (state != 0) {
        out += (out.empty() ? "" : "|") + hex(state);
    }
    return out.empty() ? "NONE" : out;
}

std::vector<std::string> route_flag_names(std::uint32_t flags) {
    std::vector<std::string> out;
    for (const auto& f : route_flags) {
        if (flags & f.bit) {
            out.emplace_back(f.name);
            flags &= ~f.bit;
        }
    }
    if (flags != 0) {
        out.push_back(hex(flags));
    }
    return out;
}

std::string tc_protocol_name(std::uint16_t protocol) {
    switch (protocol) {
    case ETH_P_ALL:
        return "all";
    case ETH_P_IP:
        return "ip";
    case ETH_P_IPV6:
        return "ipv6";
    case ETH_P_ARP:
        return "arp";
    case ETH_P_8021Q:
        return "802.1Q";
    case ETH_P_8021AD:
        return "802.1ad";
    default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "0x%04x", protocol);
        return buf;
    }
    }
}

Result<void> parse_rtnl_message(std::span<const std::byte> msg, FactsSnapshot& out) {
    auto m = split_message(msg);
    if (!m) {
        return m.error();
    }
    switch (m->type) {
    case RTM_NEWLINK:
        return parse_link(m->payload, out);
    case RTM_NEWADDR:
        return parse_address(m->payload, out);
    case RTM_NEWROUTE:
        return parse_route(m->payload, out);
    case RTM_NEWNEIGH:
        return parse_neighbour(m->payload, out);
    case RTM_NEWRULE:
        return parse_rule(m->payload, out);
    case RTM_NEWQDISC:
        return parse_qdisc(m->payload, out);
    default:
        return {};
    }
}

Result<void> parse_tc_filter_message(std::span<const std::byte> msg,
                                     const TcFilterDump& dump,
                                     FactsSnapshot& out) {
    auto m = split_message(msg);
    if (!m) {
        return m.error();
    }
    if (m->type != RTM_NEWTFILTER) {
        return {};
    }
    return parse_tc_filter(m->payload, dump, out);
}

Result<void> parse_rtnl_buffer(std::span<const std::byte> buf, FactsSnapshot& out) {
    std::size_t off = 0;
    while (off < buf.size()) {
        const Bytes rest = buf.subspan(off);
        if (rest.size() < sizeof(nlmsghdr)) {
            return malformed("header",
                             "truncated: " + std::to_string(rest.size()) +
                                 " bytes left, a header needs " + std::to_string(sizeof(nlmsghdr)));
        }
        const auto h = load<nlmsghdr>(rest);
        if (h.nlmsg_type == NLMSG_DONE) {
            return {};
        }
        if (h.nlmsg_type == NLMSG_ERROR) {
            if (h.nlmsg_len < sizeof(nlmsghdr) + sizeof(int) || h.nlmsg_len > rest.size()) {
                return malformed("NLMSG_ERROR", "truncated");
            }
            const int code = load<int>(rest.subspan(sizeof(nlmsghdr)));
            if (code != 0) {
                return make_error(
                    ErrorKind::Environment, "the kernel refused a netlink dump", -code);
            }
        } else if (auto r = parse_rtnl_message(rest, out); !r) {
            return r.error();
        }
        off += std::max<std::size_t>(align4(h.nlmsg_len), sizeof(nlmsghdr));
    }
    return {};
}

// --- JSON ----------------------------------------------------------------------------------

nlohmann::json to_json(const FactsSnapshot& s) {
    using nlohmann::json;
    auto opt = [](const auto& v) { return v ? json(*v) : json(); };
    json out;
    out["netns"] = {{"name", s.netns.name}, {"inode", s.netns.inode}};
    out["taken_unix_ns"] = s.taken_unix_ns;
    out["duration_us"] = s.duration_ns / 1000;

    json links = json::array();
    for (const auto& l : s.links) {
        json j = {{"ifindex", l.ifindex},
                  {"name", l.name},
                  {"kind", l.kind},
                  {"admin_up", l.admin_up},
                  {"carrier", l.carrier},
                  {"oper_state", l.oper_state},
                  {"mtu", l.mtu},
                  {"flags", l.flags},
                  {"address", l.address},
                  {"master", opt(l.master)},
                  {"link", opt(l.link)}};
        j["master_name"] = l.master ? json(s.link_name(*l.master)) : json();
        if (l.xdp) {
            j["xdp"] = {{"mode", l.xdp->mode},
                        {"prog_id", l.xdp->prog_id},
                        {"prog_name", l.xdp->prog_name},
                        {"generic_prog_id", l.xdp->generic_prog_id},
                        {"generic_prog_name", l.xdp->generic_prog_name},
                        {"native_prog_id", l.xdp->native_prog_id},
                        {"native_prog_name", l.xdp->native_prog_name},
                        {"offload_prog_id", l.xdp->offload_prog_id},
                        {"offload_prog_name", l.xdp->offload_prog_name}};
        } else {
            j["xdp"] = nullptr;
        }
        j["tc_qdisc"] = l.tc_qdisc.empty() ? json() : json(l.tc_qdisc);
        json filters = json::array();
        for (const auto& f : l.tc_filters) {
            // A tcx program has no qdisc filter's chain, preference, protocol or handle.
            const bool tcx = f.kind == "tcx";
            auto filter_only = [tcx](json v) { return tcx ? json() : v; };
            filters.push_back({{"direction", f.direction},
                               {"kind", f.kind},
                               {"chain", filter_only(f.chain)},
                               {"prio", filter_only(f.prio)},
                               {"protocol", filter_only(tc_protocol_name(f.protocol))},
                               {"handle", filter_only(f.handle)},
                               {"prog_id", f.prog_id},
                               {"prog_name", f.prog_name},
                               {"bpf_name", f.bpf_name},
                               {"direct_action", f.direct_action}});
        }
        j["tc_filters"] = std::move(filters);
        links.push_back(std::move(j));
    }
    out["links"] = std::move(links);

    json addrs = json::array();
    for (const auto& a : s.addresses) {
        addrs.push_back({{"ifindex", a.ifindex},
                         {"dev", s.link_name(a.ifindex)},
                         {"family", a.family},
                         {"address", a.address},
                         {"prefix_len", a.prefix_len},
                         {"scope", a.scope},
                         {"label", a.label},
                         {"flags", a.flags}});
    }
    out["addresses"] = std::move(addrs);

    json routes = json::array();
    for (const auto& r : s.routes) {
        json hops = json::array();
        for (const auto& h : r.nexthops) {
            hops.push_back({{"gateway", h.gateway},
                            {"oif", h.oif},
                            {"dev", s.link_name(h.oif)},
                            {"weight", h.weight},
                            {"flags", route_flag_names(h.flags)},
                            {"linkdown", (h.flags & RTNH_F_LINKDOWN) != 0},
                            {"dead", (h.flags & RTNH_F_DEAD) != 0}});
        }
        routes.push_back({{"family", r.family},
                          {"table", r.table},
                          {"table_name", route_table_name(r.table)},
                          {"type", r.type},
                          {"dst", r.dst},
                          {"dst_len", r.dst_len},
                          {"src", r.src},
                          {"prefsrc", r.prefsrc},
                          {"gateway", r.gateway},
                          {"oif", r.oif},
                          {"dev", r.oif ? json(s.link_name(r.oif)) : json()},
                          {"priority", opt(r.priority)},
                          {"protocol", r.protocol},
                          {"scope", r.scope},
                          {"flags", route_flag_names(r.flags)},
                          {"linkdown", r.linkdown()},
                          {"dead", r.dead()},
                          {"nexthops", std::move(hops)}});
    }
    out["routes"] = std::move(routes);

    json neighs = json::array();
    for (const auto& n : s.neighbours) {
        json flags = json::array();
        if (n.flags & NTF_ROUTER) {
            flags.push_back("router");
        }
        if (n.flags & NTF_PROXY) {
            flags.push_back("proxy");
        }
        neighs.push_back({{"ifindex", n.ifindex},
                          {"dev", s.link_name(n.ifindex)},
                          {"family", n.family},
                          {"address", n.address},
                          {"lladdr", n.lladdr},
                          {"state", neigh_state_name(n.state)},
                          {"state_bits", n.state},
                          {"flags", std::move(flags)}});
    }
    out["neighbours"] = std::move(neighs);

    json rules = json::array();
    for (const auto& r : s.rules) {
        rules.push_back({{"family", r.family},
                         {"priority", r.priority},
                         {"action", r.action},
                         {"table", r.table},
                         {"table_name", route_table_name(r.table)},
                         {"src", r.src},
                         {"dst", r.dst},
                         {"iif", r.iif},
                         {"oif", r.oif},
                         {"fwmark", opt(r.fwmark)},
                         {"fwmask", opt(r.fwmask)},
                         {"goto", opt(r.goto_target)},
                         {"tos", r.tos},
                         {"ip_proto", opt(r.ip_proto)},
                         {"invert", r.invert}});
    }
    out["rules"] = std::move(rules);
    out["gaps"] = s.gaps;
    return out;
}

} // namespace netdx::probes
