// SPDX-License-Identifier: GPL-2.0
/*
 * The drop summary: counts skb:kfree_skb in the kernel by (reason, location, netns), for
 * `netdx drops --summary`. The filter is targ_filter with the same helpers as the drop probe, so
 * `--netns/--dev/--host/--port/...` mean the same thing in both modes.
 *
 * The counters are cumulative per-CPU u64s; user space reads them every interval and subtracts
 * the previous read (no read-and-delete race loses increments), and deletes keys that stayed idle.
 * The events ring buffer of common.bpf.h is not used: user space does not create it.
 */
#include "common.bpf.h"
#include "drop_summary.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, NETDX_DROP_SUMMARY_KEYS);
	__type(key, struct netdx_drop_key);
	__type(value, __u64);
} drop_counts SEC(".maps");

/* Filters that need the packet headers; rodata, so the verifier drops the parsing when unset. */
static __always_inline bool netdx_filter_needs_packet(void)
{
	return targ_filter.l4_proto || targ_filter.host_family || targ_filter.saddr_family ||
	       targ_filter.daddr_family || targ_filter.port || targ_filter.sport ||
	       targ_filter.dport;
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(handle_kfree_skb, struct sk_buff *skb, void *location, enum skb_drop_reason reason,
	     struct sock *rx_sk)
{
	struct netdx_drop_key key = {};
	struct netdx_pkt pkt = {};
	char dev_name[NETDX_NAME_LEN] = {};
	/* skb->sk is rcu_ptr_or_null: load it once, test it, never re-read it through skb. */
	struct sock *sk = skb->sk;
	struct net_device *dev = skb->dev;
	__u64 one = 1;
	__u64 *count;
	__u32 netns;

	netns = netdx_skb_netns(skb, dev, sk, rx_sk);
	if (targ_filter.dev[0] && dev)
		bpf_probe_read_kernel_str(dev_name, sizeof(dev_name), dev->name);
	if (!netdx_filter_where(netns, dev_name))
		return 0;
	if (netdx_filter_needs_packet()) {
		if (!netdx_parse_skb(skb, &pkt) && sk)
			netdx_parse_sock(sk, &pkt);
		if (!netdx_filter_packet(&pkt))
			return 0;
	}

	key.location = (__u64)location;
	key.reason = reason;
	key.netns = netns;
	count = bpf_map_lookup_elem(&drop_counts, &key);
	if (count) {
		*count += 1; /* this CPU's slot: no other writer */
		return 0;
	}
	/* New key; another CPU may have inserted it meanwhile (-EEXIST): then count in its slot. */
	if (!bpf_map_update_elem(&drop_counts, &key, &one, BPF_NOEXIST))
		return 0;
	count = bpf_map_lookup_elem(&drop_counts, &key);
	if (count)
		*count += 1;
	else
		netdx_count_lost(); /* the map is full */
	return 0;
}
