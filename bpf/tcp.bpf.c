// SPDX-License-Identifier: GPL-2.0
/*
 * The TCP probe: resets sent (tcp:tcp_send_reset, aux = enum sk_rst_reason; for a segment to no
 * socket the packet comes from the segment) and received (tcp:tcp_receive_reset), retransmits
 * (tcp:tcp_retransmit_skb with err: -1 dropped by local netfilter, -16 the previous copy is still
 * queued in the host, 0 sent), SYN-ACK retransmits (tcp:tcp_retransmit_synack) and segments with
 * a bad checksum (tcp:tcp_bad_csum). state is the socket's TCP state.
 */
#include "trace.bpf.h"

static __always_inline void netdx_tcp_state(struct netdx_trace_event *e, const struct sock *sk)
{
	if (!sk)
		return;
	e->state = BPF_CORE_READ(sk, __sk_common.skc_state);
	e->has |= NETDX_HAS_STATE;
}

SEC("tp_btf/tcp_send_reset")
int BPF_PROG(handle_tcp_send_reset, const struct sock *sk, const struct sk_buff *skb,
	     const enum sk_rst_reason reason)
{
	struct netdx_trace_event e = {};

	netdx_trace_init(&e, NETDX_TP_TCP_SEND_RESET);
	if (skb)
		netdx_trace_skb(&e, skb, sk);
	else
		netdx_trace_sock(&e, sk);
	netdx_tcp_state(&e, sk);
	e.aux = reason;
	e.has |= NETDX_HAS_AUX;
	return netdx_trace_submit(&e);
}

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(handle_tcp_receive_reset, struct sock *sk)
{
	struct netdx_trace_event e = {};

	netdx_trace_init(&e, NETDX_TP_TCP_RECEIVE_RESET);
	netdx_trace_sock(&e, sk);
	netdx_tcp_state(&e, sk);
	return netdx_trace_submit(&e);
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(handle_tcp_retransmit_skb, const struct sock *sk, const struct sk_buff *skb, int err)
{
	struct netdx_trace_event e = {};

	netdx_trace_init(&e, NETDX_TP_TCP_RETRANSMIT_SKB);
	netdx_trace_sock(&e, sk);
	e.skb = (__u64)skb;
	netdx_tcp_state(&e, sk);
	e.err = err;
	e.has |= NETDX_HAS_ERR;
	return netdx_trace_submit(&e);
}

SEC("tp_btf/tcp_retransmit_synack")
int BPF_PROG(handle_tcp_retransmit_synack, const struct sock *sk, const struct request_sock *req)
{
	struct netdx_trace_event e = {};

	netdx_trace_init(&e, NETDX_TP_TCP_RETRANSMIT_SYNACK);
	/* The request socket holds the connection's addresses (the listener only its own). */
	netdx_trace_sock(&e, (const struct sock *)req);
	netdx_tcp_state(&e, sk);
	return netdx_trace_submit(&e);
}

SEC("tp_btf/tcp_bad_csum")
int BPF_PROG(handle_tcp_bad_csum, const struct sk_buff *skb)
{
	struct netdx_trace_event e = {};

	netdx_trace_init(&e, NETDX_TP_TCP_BAD_CSUM);
	netdx_trace_skb(&e, skb, NULL);
	return netdx_trace_submit(&e);
}
