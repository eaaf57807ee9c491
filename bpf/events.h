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

#define NETDX_ABI_VERSION 1

/* Frames of kernel stack kept per drop; the two BPF dispatch frames are skipped in the kernel. */
#define NETDX_MAX_STACK 40
#define NETDX_NAME_LEN 16

enum netdx_event_kind {
	NETDX_EV_DROP = 1, /* skb:kfree_skb */
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
#else
_Static_assert(sizeof(struct netdx_ev_header) == 16, "ev_header ABI");
_Static_assert(sizeof(struct netdx_pkt) == 48, "pkt ABI");
_Static_assert(sizeof(struct netdx_drop_event) == 16 + 16 + 24 + 32 + 48 + 8 * NETDX_MAX_STACK,
	       "drop_event ABI");
_Static_assert(sizeof(struct netdx_filter) == 16 + 48 + NETDX_NAME_LEN, "filter ABI");
#endif

#endif /* NETDX_BPF_EVENTS_H */
