// SPDX-License-Identifier: GPL-2.0
/*
 * The socket probe: TCP state changes (sock:inet_sock_set_state: old_state -> state), errors
 * delivered to a socket (sock:inet_sk_error_report: err = the errno, e.g. 111 ECONNREFUSED),
 * datagrams a UDP socket could not queue (udp:udp_fail_queue_rcv_skb: err = rc, -12 ENOMEM when
 * the receive buffer is full) and protocol memory pressure (sock:sock_exceed_buf_limit: aux =
 * 0 send, 1 receive).
 */
#include "trace.bpf.h"

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(handle_inet_sock_set_state, const struct sock *sk, const int oldstate,
	     const int newstate)
{
	struct netdx_trace_event e = {};

	netdx_trace_init(&e, NETDX_TP_INET_SOCK_SET_STATE);
	netdx_trace_sock(&e, sk);
	e.old_state = oldstate;
	e.state = newstate;
	e.has |= NETDX_HAS_STATE | NETDX_HAS_OLD_STATE;
	return netdx_trace_submit(&e);
}

SEC("tp_btf/inet_sk_error_report")
int BPF_PROG(handle_inet_sk_error_report, const struct sock *sk)
{
	struct netdx_trace_event e = {};

	netdx_trace_init(&e, NETDX_TP_INET_SK_ERROR_REPORT);
	netdx_trace_sock(&e, sk);
	e.err = BPF_CORE_READ(sk, sk_err);
	e.state = BPF_CORE_READ(sk, __sk_common.skc_state);
	e.has |= NETDX_HAS_ERR | NETDX_HAS_STATE;
	return netdx_trace_submit(&e);
}

SEC("tp_btf/udp_fail_queue_rcv_skb")
int BPF_PROG(handle_udp_fail_queue_rcv_skb, int rc, struct sock *sk, struct sk_buff *skb)
{
	struct netdx_trace_event e = {};

	netdx_trace_init(&e, NETDX_TP_UDP_FAIL_QUEUE_RCV_SKB);
	netdx_trace_skb(&e, skb, sk);
	e.err = rc;
	e.has |= NETDX_HAS_ERR;
	return netdx_trace_submit(&e);
}

SEC("tp_btf/sock_exceed_buf_limit")
int BPF_PROG(handle_sock_exceed_buf_limit, struct sock *sk, struct proto *prot, long allocated,
	     int kind)
{
	struct netdx_trace_event e = {};

	netdx_trace_init(&e, NETDX_TP_SOCK_EXCEED_BUF_LIMIT);
	netdx_trace_sock(&e, sk);
	e.aux = kind;
	e.has |= NETDX_HAS_AUX;
	return netdx_trace_submit(&e);
}
