// SPDX-License-Identifier: GPL-2.0
/* The rx probe: a packet a device hands to the stack (net:netif_receive_skb). */
#include "trace.bpf.h"

SEC("tp_btf/netif_receive_skb")
int BPF_PROG(handle_netif_receive_skb, struct sk_buff *skb)
{
	struct netdx_trace_event e = {};

	netdx_trace_init(&e, NETDX_TP_NETIF_RECEIVE_SKB);
	netdx_trace_skb(&e, skb, NULL);
	return netdx_trace_submit(&e);
}
