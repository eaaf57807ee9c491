/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The kernel/user ABI of netdx: every record a BPF program writes to a ring buffer, and the
 * filter configuration user space writes to .rodata before load. Fixed-size structs only, no
 * pointers; both sides assert the sizes so a mismatch fails the build, not the decoder.
 */
#ifndef NETDX_BPF_EVENTS_H
#define NETDX_BPF_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define NETDX_ABI_VERSION 2

/* Frames of kernel stack kept per drop; the two BPF dispatch frames are skipped in the kernel. */
#define NETDX_MAX_STACK 40
#define NETDX_NAME_LEN 16

enum netdx_event_kind {
	NETDX_EV_DROP = 1,  /* skb:kfree_skb: struct netdx_drop_event */
	NETDX_EV_TRACE = 2, /* every other tracepoint: struct netdx_trace_event */
};

/* The tracepoint a struct netdx_trace_event comes from. Values are ABI: append only. */
enum netdx_tracepoint {
	NETDX_TP_NETIF_RECEIVE_SKB = 1, /* net:netif_receive_skb */
	NETDX_TP_NET_DEV_QUEUE = 2,	/* net:net_dev_queue */
	NETDX_TP_NET_DEV_XMIT = 3,	/* net:net_dev_xmit, only when rc != 0 */
	NETDX_TP_FIB_TABLE_LOOKUP = 4,	/* fib:fib_table_lookup */
	NETDX_TP_FIB6_TABLE_LOOKUP = 5, /* fib6:fib6_table_lookup */
	NETDX_TP_NEIGH_UPDATE = 6,	/* neigh:neigh_update */
	NETDX_TP_NEIGH_TIMER_HANDLER = 7,
	NETDX_TP_NEIGH_EVENT_SEND_DEAD = 8,
	NETDX_TP_TCP_SEND_RESET = 9,
	NETDX_TP_TCP_RECEIVE_RESET = 10,
	NETDX_TP_TCP_RETRANSMIT_SKB = 11,
	NETDX_TP_TCP_RETRANSMIT_SYNACK = 12,
	NETDX_TP_TCP_BAD_CSUM = 13,
	NETDX_TP_INET_SOCK_SET_STATE = 14, /* sock:inet_sock_set_state */
	NETDX_TP_INET_SK_ERROR_REPORT = 15,
	NETDX_TP_UDP_FAIL_QUEUE_RCV_SKB = 16, /* udp:udp_fail_queue_rcv_skb */
	NETDX_TP_SOCK_EXCEED_BUF_LIMIT = 17,
	NETDX_TP_ICMP_SEND = 18,	/* icmp:icmp_send */
	NETDX_TP_XDP_EXCEPTION = 19,	/* xdp:xdp_exception */
	NETDX_TP_XDP_REDIRECT_ERR = 20, /* xdp:xdp_redirect_err */
};

/* Address family of struct netdx_pkt: what the parsed headers describe. */
enum netdx_pkt_family {
	NETDX_PKT_NONE = 0,
	NETDX_PKT_IPV4 = 1,
	NETDX_PKT_IPV6 = 2,
	NETDX_PKT_ARP = 3, /* saddr/daddr hold the sender/target protocol (IPv4) addresses */
};

/* Where the packet fields came from. */
enum netdx_pkt_origin {
	NETDX_ORIGIN_NONE = 0,
	NETDX_ORIGIN_HEADERS = 1, /* parsed from the packet bytes */
	NETDX_ORIGIN_SOCKET = 2,  /* no usable header yet: taken from skb->sk (local view) */
};

enum netdx_pkt_flags {
	NETDX_PKT_HAS_PORTS = 1 << 0, /* sport/dport valid (TCP, UDP, SCTP) */
	NETDX_PKT_HAS_ICMP = 1 << 1,  /* icmp_type/icmp_code valid (ICMP, ICMPv6) */
};

struct netdx_ev_header {
	__u64 ts_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u16 kind;  /* enum netdx_event_kind */
	__u16 size;  /* sizeof the whole record */
	__u32 cpu;
};

/* Parsed network and transport headers. Ports are host byte order, addresses network order. */
struct netdx_pkt {
	__u8 family;   /* enum netdx_pkt_family */
	__u8 origin;   /* enum netdx_pkt_origin */
	__u8 flags;    /* enum netdx_pkt_flags */
	__u8 l4_proto; /* IPPROTO_* (IPv6: after extension headers) */
	__u8 tcp_flags;
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 ttl; /* IPv4 TTL or IPv6 hop limit */
	__u16 sport;
	__u16 dport;
	__u16 len;	 /* IPv4 total length, IPv6 payload length + 40 */
	__u16 ethertype; /* skb->protocol, host order */
	__u8 saddr[16];	 /* IPv4 in the first 4 bytes */
	__u8 daddr[16];
};

struct netdx_drop_event {
	struct netdx_ev_header hdr;
	__u64 skb;	/* skb address: correlates events of one packet */
	__u64 location; /* return address in the function that freed the skb */
	__u32 reason;	/* enum skb_drop_reason value of the running kernel */
	__u32 netns;	/* inode of the netns (skb->dev, else skb->sk), 0 if unknown */
	__u32 ifindex;
	__u32 pid; /* tgid of the current task: often not the traffic's owner (softirq) */
	__u32 tid;
	__s32 stack_bytes; /* bytes bpf_get_stack wrote, or its negative error */
	char comm[NETDX_NAME_LEN];
	char dev[NETDX_NAME_LEN];
	struct netdx_pkt pkt;
	__u64 stack[NETDX_MAX_STACK];
};

/*
 * Any tracepoint but kfree_skb. The packet is parsed from the skb when the tracepoint has one
 * with headers, else taken from its socket (pkt.origin tells which). Fields a tracepoint does not
 * have stay zero; `has` says which of err/table/state/old_state/aux are set.
 */
enum netdx_trace_has {
	NETDX_HAS_ERR = 1 << 0,
	NETDX_HAS_TABLE = 1 << 1,
	NETDX_HAS_STATE = 1 << 2,
	NETDX_HAS_OLD_STATE = 1 << 3,
	NETDX_HAS_AUX = 1 << 4,
	NETDX_HAS_GATEWAY = 1 << 5, /* gateway holds the route's gateway (gw_family) */
};

struct netdx_trace_event {
	struct netdx_ev_header hdr;
	__u64 skb; /* skb address, 0 if the tracepoint has none: correlates with drops */
	__u64 sk;  /* socket address, 0 if none */
	__u32 netns;
	__u32 ifindex;
	__u32 pid;
	__u32 tid;
	__u16 tracepoint; /* enum netdx_tracepoint */
	__u8 has;	  /* enum netdx_trace_has */
	__u8 gw_family;	  /* enum netdx_pkt_family of gateway */
	/*
	 * err: route lookup result per table (-11 EAGAIN: no route in it), xmit rc, retransmit
	 * err, socket errno, UDP enqueue rc. table: route table id, XDP program id. state,
	 * old_state: TCP states (TCP_*), neighbour NUD_* states. aux: ICMP type << 8 | code sent,
	 * XDP action, RST reason (enum sk_rst_reason), buffer kind (0 send, 1 receive).
	 */
	__s32 err;
	__u32 table;
	__s32 state;
	__s32 old_state;
	__u32 aux;
	char comm[NETDX_NAME_LEN];
	char dev[NETDX_NAME_LEN];
	char object[NETDX_NAME_LEN]; /* XDP program name */
	struct netdx_pkt pkt;
	__u8 gateway[16];
};

/*
 * In-kernel filter, written to .rodata before load and applied before ring-buffer reserve. Zero
 * means "any" for every field. Families use enum netdx_pkt_family (IPv4 or IPv6). host and port
 * match either direction; saddr/daddr/sport/dport one direction. A packet without the field a
 * filter needs (no ports, no addresses) does not match it.
 */
struct netdx_filter {
	__u8 host_family;
	__u8 saddr_family;
	__u8 daddr_family;
	__u8 l4_proto;
	__u16 port;
	__u16 sport;
	__u16 dport;
	__u16 pad0;
	__u32 netns;
	__u8 host[16];
	__u8 saddr[16];
	__u8 daddr[16];
	char dev[NETDX_NAME_LEN];
};

#ifdef __cplusplus
static_assert(sizeof(struct netdx_ev_header) == 16, "ev_header ABI");
static_assert(sizeof(struct netdx_pkt) == 48, "pkt ABI");
static_assert(sizeof(struct netdx_drop_event) == 16 + 16 + 24 + 32 + 48 + 8 * NETDX_MAX_STACK,
	      "drop_event ABI");
static_assert(sizeof(struct netdx_filter) == 16 + 48 + NETDX_NAME_LEN, "filter ABI");
static_assert(sizeof(struct netdx_trace_event) ==
		  16 + 16 + 16 + 4 + 20 + 3 * NETDX_NAME_LEN + 48 + 16,
	      "trace_event ABI");
#else
_Static_assert(sizeof(struct netdx_ev_header) == 16, "ev_header ABI");
_Static_assert(sizeof(struct netdx_pkt) == 48, "pkt ABI");
_Static_assert(sizeof(struct netdx_drop_event) == 16 + 16 + 24 + 32 + 48 + 8 * NETDX_MAX_STACK,
	       "drop_event ABI");
_Static_assert(sizeof(struct netdx_filter) == 16 + 48 + NETDX_NAME_LEN, "filter ABI");
_Static_assert(sizeof(struct netdx_trace_event) ==
		   16 + 16 + 16 + 4 + 20 + 3 * NETDX_NAME_LEN + 48 + 16,
	       "trace_event ABI");
#endif

#endif /* NETDX_BPF_EVENTS_H */
