// SPDX-License-Identifier: GPL-2.0
/*
 * The ICMP probe: an ICMP error this host sends (icmp:icmp_send, IPv4 only: the kernel has no
 * tracepoint for ICMPv6 errors). The packet is the one that caused the error; aux holds the type
 * and code sent (type << 8 | code), e.g. 3/3 port unreachable, 3/1 host unreachable, 11/0 TTL.
 */
#include "trace.bpf.h"

SEC("tp_btf/icmp_send")
int BPF_PROG(handle_icmp_send, const struct sk_buff *skb, int type, int code)
{
	struct netdx_trace_event e = {};

	netdx_trace_init(&e, NETDX_TP_ICMP_SEND);
	netdx_trace_skb(&e, skb, NULL);
	e.aux = ((__u32)(type & 0xff) << 8) | (code & 0xff);
	e.has |= NETDX_HAS_AUX;
	return netdx_trace_submit(&e);
}
