// SPDX-License-Identifier: GPL-2.0
/*
 * The neighbour probe (ARP / NDP): state changes (neigh:neigh_update, state = the new NUD_*
 * state, old_state = the state before), timer steps while resolving (neigh:neigh_timer_handler)
 * and packets queued to an entry that is already dead (neigh:neigh_event_send_dead). The entry's
 * address goes into pkt.daddr. Only the namespace and device filters apply (trace.bpf.h).
 */
#include "trace.bpf.h"

static __always_inline void netdx_neigh(struct netdx_trace_event *e, struct neighbour *n)
{
	struct net_device *dev = BPF_CORE_READ(n, dev);
	int family = BPF_CORE_READ(n, tbl, family);

	netdx_trace_dev(e, dev);
	if (dev)
		e->netns = netdx_net_inum(BPF_CORE_READ(dev, nd_net.net));
	e->state = BPF_CORE_READ(n, nud_state);
	e->has |= NETDX_HAS_STATE;
	e->pkt.origin = NETDX_ORIGIN_HEADERS;
	if (family == NETDX_AF_INET) {
		e->pkt.family = NETDX_PKT_IPV4;
		bpf_core_read(e->pkt.daddr, 4, &n->primary_key);
	} else if (family == NETDX_AF_INET6) {
		e->pkt.family = NETDX_PKT_IPV6;
		bpf_core_read(e->pkt.daddr, 16, &n->primary_key);
	}
}

SEC("tp_btf/neigh_update")
int BPF_PROG(handle_neigh_update, struct neighbour *n, const u8 *lladdr, u8 new_state, u32 flags,
	     u32 nlmsg_pid)
{
	struct netdx_trace_event e = {};

	netdx_trace_init(&e, NETDX_TP_NEIGH_UPDATE);
	netdx_neigh(&e, n);
	/* Called before the update: the entry still has its old state. */
	e.old_state = e.state;
	e.state = new_state;
	e.has |= NETDX_HAS_OLD_STATE;
	return netdx_trace_submit_place(&e);
}

SEC("tp_btf/neigh_timer_handler")
int BPF_PROG(handle_neigh_timer_handler, struct neighbour *n, int err)
{
	struct netdx_trace_event e = {};

	netdx_trace_init(&e, NETDX_TP_NEIGH_TIMER_HANDLER);
	netdx_neigh(&e, n);
	return netdx_trace_submit_place(&e);
}

SEC("tp_btf/neigh_event_send_dead")
int BPF_PROG(handle_neigh_event_send_dead, struct neighbour *n, int err)
{
	struct netdx_trace_event e = {};

	netdx_trace_init(&e, NETDX_TP_NEIGH_EVENT_SEND_DEAD);
	netdx_neigh(&e, n);
	return netdx_trace_submit_place(&e);
}
