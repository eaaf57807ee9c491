// SPDX-License-Identifier: GPL-2.0
/*
 * The route probe: FIB lookups, per table, with their result (fib:fib_table_lookup,
 * fib6:fib6_table_lookup). err is what the lookup in that table gave: 0 found, -11 (EAGAIN) no
 * route in this table (IPv4 then tries the next table; IPv6's null entry is reported the same
 * way), -22 blackhole, -113 unreachable, -13 prohibit. The gateway is only reported when the
 * chosen nexthop has one: the tracepoint's own gw fields are stale without one.
 */
#include "trace.bpf.h"

#define NETDX_EAGAIN 11
#define NETDX_EINVAL 22
#define NETDX_EHOSTUNREACH 113
#define NETDX_EACCES 13

static __always_inline void netdx_route_ports(struct netdx_trace_event *e, __u8 proto,
					      const union flowi_uli *uli)
{
	e->pkt.l4_proto = proto;
	if (netdx_has_ports(proto)) {
		e->pkt.sport = bpf_ntohs(BPF_CORE_READ(uli, ports.sport));
		e->pkt.dport = bpf_ntohs(BPF_CORE_READ(uli, ports.dport));
		e->pkt.flags |= NETDX_PKT_HAS_PORTS;
	}
}

static __always_inline void netdx_route_nexthop(struct netdx_trace_event *e,
						const struct fib_nh_common *nhc)
{
	__u8 gw_family;

	if (!nhc)
		return;
	netdx_trace_dev(e, BPF_CORE_READ(nhc, nhc_dev));
	gw_family = BPF_CORE_READ(nhc, nhc_gw_family);
	if (gw_family == NETDX_AF_INET) {
		e->gw_family = NETDX_PKT_IPV4;
		bpf_core_read(e->gateway, 4, &nhc->nhc_gw.ipv4);
		e->has |= NETDX_HAS_GATEWAY;
	} else if (gw_family == NETDX_AF_INET6) {
		e->gw_family = NETDX_PKT_IPV6;
		bpf_core_read(e->gateway, 16, &nhc->nhc_gw.ipv6);
		e->has |= NETDX_HAS_GATEWAY;
	}
}

SEC("tp_btf/fib_table_lookup")
int BPF_PROG(handle_fib_table_lookup, u32 tb_id, const struct flowi4 *flp,
	     const struct fib_nh_common *nhc, int err)
{
	struct netdx_trace_event e = {};
	struct net_device *dev;

	netdx_trace_init(&e, NETDX_TP_FIB_TABLE_LOOKUP);
	e.err = err;
	e.table = tb_id;
	e.has = NETDX_HAS_ERR | NETDX_HAS_TABLE;
	e.pkt.family = NETDX_PKT_IPV4;
	e.pkt.origin = NETDX_ORIGIN_HEADERS;
	bpf_core_read(e.pkt.saddr, 4, &flp->saddr);
	bpf_core_read(e.pkt.daddr, 4, &flp->daddr);
	netdx_route_ports(&e, BPF_CORE_READ(flp, __fl_common.flowic_proto), &flp->uli);
	netdx_route_nexthop(&e, nhc);
	/* flowi4 has no netns: the nexthop device's, else the task's (lookups of local traffic). */
	dev = nhc ? BPF_CORE_READ(nhc, nhc_dev) : NULL;
	e.netns = dev ? netdx_net_inum(BPF_CORE_READ(dev, nd_net.net)) : netdx_current_netns();
	return netdx_trace_submit(&e);
}

/* ip6_rt_type_to_error() of the kernel: the error a route of this type gives. */
static __always_inline int netdx_ip6_route_error(__u8 type)
{
	switch (type) {
	case RTN_BLACKHOLE:
	case RTN_BROADCAST:
	case RTN_NAT:
	case RTN_XRESOLVE:
		return -NETDX_EINVAL;
	case RTN_UNREACHABLE:
		return -NETDX_EHOSTUNREACH;
	case RTN_PROHIBIT:
		return -NETDX_EACCES;
	case RTN_THROW:
		return -NETDX_EAGAIN;
	default:
		return 0;
	}
}

SEC("tp_btf/fib6_table_lookup")
int BPF_PROG(handle_fib6_table_lookup, const struct net *net, const struct fib6_result *res,
	     struct fib6_table *table, const struct flowi6 *flp)
{
	struct netdx_trace_event e = {};
	struct fib6_info *null_entry = BPF_CORE_READ(net, ipv6.fib6_null_entry);
	struct fib6_nh *nh = BPF_CORE_READ(res, nh);

	netdx_trace_init(&e, NETDX_TP_FIB6_TABLE_LOOKUP);
	e.has = NETDX_HAS_ERR | NETDX_HAS_TABLE;
	e.table = table ? BPF_CORE_READ(table, tb6_id) : 0;
	if (BPF_CORE_READ(res, f6i) == null_entry)
		e.err = -NETDX_EAGAIN; /* no route in this table, like IPv4 */
	else
		e.err = netdx_ip6_route_error(BPF_CORE_READ(res, fib6_type));
	e.netns = netdx_net_inum((struct net *)net);
	e.pkt.family = NETDX_PKT_IPV6;
	e.pkt.origin = NETDX_ORIGIN_HEADERS;
	bpf_core_read(e.pkt.saddr, 16, &flp->saddr);
	bpf_core_read(e.pkt.daddr, 16, &flp->daddr);
	netdx_route_ports(&e, BPF_CORE_READ(flp, __fl_common.flowic_proto), &flp->uli);
	if (e.err == 0 && nh)
		netdx_route_nexthop(&e, &nh->nh_common);
	return netdx_trace_submit(&e);
}
