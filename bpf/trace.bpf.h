/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building a struct netdx_trace_event: every probe but the drop probe uses these. The record is
 * built on the stack (184 bytes), filtered, then copied into the ring with bpf_ringbuf_output, so
 * nothing is reserved for events the filter rejects. Pointers are read with BPF_CORE_READ, which
 * works for the const and untrusted pointers tracepoints pass.
 */
#ifndef NETDX_TRACE_BPF_H
#define NETDX_TRACE_BPF_H

#include "common.bpf.h"

static __always_inline void netdx_trace_init(struct netdx_trace_event *e, __u16 tracepoint)
{
	e->tracepoint = tracepoint;
}

static __always_inline void netdx_trace_dev(struct netdx_trace_event *e, struct net_device *dev)
{
	if (!dev)
		return;
	e->ifindex = BPF_CORE_READ(dev, ifindex);
	BPF_CORE_READ_STR_INTO(&e->dev, dev, name);
}

/* The namespace of the current task: for lookups made in a syscall (not in softirq). */
static __always_inline __u32 netdx_current_netns(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	return netdx_net_inum(BPF_CORE_READ(task, nsproxy, net_ns));
}

/* Where and what from a packet: its device and netns, its headers, else its socket's view. */
static __always_inline void netdx_trace_skb(struct netdx_trace_event *e, const struct sk_buff *cskb,
					    const struct sock *csk)
{
	struct sk_buff *skb = (struct sk_buff *)cskb;
	struct sock *sk = (struct sock *)csk;
	struct net_device *dev = BPF_CORE_READ(skb, dev);

	if (!sk)
		sk = BPF_CORE_READ(skb, sk);
	e->skb = (__u64)skb;
	e->sk = (__u64)sk;
	netdx_trace_dev(e, dev);
	e->netns = netdx_skb_netns(skb, dev, sk, NULL);
	if (!netdx_parse_skb(skb, &e->pkt) && sk)
		netdx_parse_sock(sk, &e->pkt);
}

/* Where and what from a socket (its local view: saddr is the local address). */
static __always_inline void netdx_trace_sock(struct netdx_trace_event *e, const struct sock *csk)
{
	struct sock *sk = (struct sock *)csk;

	if (!sk)
		return;
	e->sk = (__u64)sk;
	e->netns = netdx_net_inum(BPF_CORE_READ(sk, __sk_common.skc_net.net));
	netdx_parse_sock(sk, &e->pkt);
}

/* Completes a record that passed the filter (what only written records need) and writes it. */
static __always_inline void netdx_trace_output(struct netdx_trace_event *e)
{
	__u64 id = bpf_get_current_pid_tgid();

	netdx_fill_header(&e->hdr, NETDX_EV_TRACE, sizeof(*e));
	e->pid = id >> 32;
	e->tid = (__u32)id;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (bpf_ringbuf_output(&events, e, sizeof(*e), netdx_wakeup_flags()))
		netdx_count_lost();
}

/* Applies the whole filter (place and packet), then writes the record. */
static __always_inline int netdx_trace_submit(struct netdx_trace_event *e)
{
	if (netdx_filter_where(e->netns, e->dev) && netdx_filter_packet(&e->pkt))
		netdx_trace_output(e);
	return 0;
}

/*
 * For events about a neighbour, device or program rather than a packet of the flow (neighbour
 * states, XDP errors): only the namespace and device filters apply. A neighbour entry is for a
 * gateway as often as for the host itself, so an address filter would hide it.
 */
static __always_inline int netdx_trace_submit_place(struct netdx_trace_event *e)
{
	if (netdx_filter_where(e->netns, e->dev))
		netdx_trace_output(e);
	return 0;
}

#endif /* NETDX_TRACE_BPF_H */
