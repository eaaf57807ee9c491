// SPDX-License-Identifier: GPL-2.0
/*
 * The drop probe: one struct netdx_drop_event per skb:kfree_skb that passes targ_filter.
 *
 * tp_btf (not fentry/kprobe, which some kernels refuse) gives typed arguments: the skb, the return
 * address of the function that freed it, the drop reason and (kernels >= 6.12) the receiving
 * socket. Older kernels without rx_sk would need a second program; 5.8..6.11 are not handled yet.
 */
#include "common.bpf.h"

/* bpf_get_stack frames that are always ours: this program and the tracepoint runner. */
#define NETDX_DROP_STACK_SKIP 2

SEC("tp_btf/kfree_skb")
int BPF_PROG(handle_kfree_skb, struct sk_buff *skb, void *location, enum skb_drop_reason reason,
	     struct sock *rx_sk)
{
	struct netdx_drop_event *e;
	struct netdx_pkt pkt = {};
	char dev_name[NETDX_NAME_LEN] = {};
	/* skb->sk is rcu_ptr_or_null: load it once, test it, never re-read it through skb. */
	struct sock *sk = skb->sk;
	/* NULL for locally generated packets dropped before a device was chosen. */
	struct net_device *dev = skb->dev;
	__u32 ifindex = 0;
	__u32 netns;
	__u64 id;

	netns = netdx_skb_netns(skb, dev, sk, rx_sk);
	if (dev) {
		ifindex = BPF_CORE_READ(dev, ifindex);
		bpf_probe_read_kernel_str(dev_name, sizeof(dev_name), dev->name);
	}
	if (!netdx_filter_where(netns, dev_name))
		return 0;
	if (!netdx_parse_skb(skb, &pkt) && sk)
		netdx_parse_sock(sk, &pkt);
	if (!netdx_filter_packet(&pkt))
		return 0;

	e = netdx_reserve(sizeof(*e));
	if (!e)
		return 0;
	netdx_fill_header(&e->hdr, NETDX_EV_DROP, sizeof(*e));
	e->skb = (__u64)skb;
	e->location = (__u64)location;
	e->reason = reason;
	e->netns = netns;
	e->ifindex = ifindex;
	id = bpf_get_current_pid_tgid();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	__builtin_memcpy(e->dev, dev_name, sizeof(e->dev));
	__builtin_memcpy(&e->pkt, &pkt, sizeof(e->pkt));
	e->stack_bytes = bpf_get_stack(ctx, e->stack, sizeof(e->stack), NETDX_DROP_STACK_SKIP);
	bpf_ringbuf_submit(e, netdx_wakeup_flags());
	return 0;
}
