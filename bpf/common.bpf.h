/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by every netdx BPF object. Each object is one <family>.bpf.c that includes this
 * header exactly once, so the definitions below (license, targ_filter, the events ring buffer and
 * the lost_events counter) exist once per object, and user space finds them under the same names
 * in every skeleton.
 *
 * Everything is CO-RE: struct fields are read through vmlinux.h (preserve_access_index), packet
 * bytes with bpf_probe_read_kernel; no hard-coded offsets, no kernel version checks.
 */
#ifndef NETDX_COMMON_BPF_H
#define NETDX_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>

#include "events.h"

/* UAPI constants that vmlinux.h does not carry (they are macros in the kernel headers). */
#define NETDX_AF_INET 2
#define NETDX_AF_INET6 10
#define NETDX_ETH_P_IP 0x0800
#define NETDX_ETH_P_ARP 0x0806
#define NETDX_ETH_P_IPV6 0x86DD
#define NETDX_ARPHRD_ETHER 1
#define NETDX_IPPROTO_HOPOPTS 0
#define NETDX_IPPROTO_ICMP 1
#define NETDX_IPPROTO_TCP 6
#define NETDX_IPPROTO_UDP 17
#define NETDX_IPPROTO_ROUTING 43
#define NETDX_IPPROTO_FRAGMENT 44
#define NETDX_IPPROTO_ICMPV6 58
#define NETDX_IPPROTO_DSTOPTS 60
#define NETDX_IPPROTO_SCTP 132
#define NETDX_IPPROTO_UDPLITE 136
#define NETDX_IP_OFFSET_MASK 0x1fff  /* IPv4 fragment offset bits */
#define NETDX_IP6_OFFSET_MASK 0xfff8 /* IPv6 fragment offset bits */
#define NETDX_TCP_FLAGS_OFFSET 13    /* byte of the TCP header holding CWR..FIN */
#define NETDX_IPV6_MAX_EXT 4	     /* extension headers walked before giving up */

char LICENSE[] SEC("license") = "GPL";

/* Written by user space before load (skeleton rodata); all zero = no filtering. */
const volatile struct netdx_filter targ_filter = {};

/* Records reserved by the programs of this object. User space sets the size before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

/* Records that matched the filter but found the ring buffer full. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost_events SEC(".maps");

static __always_inline void netdx_count_lost(void)
{
	__u32 key = 0;
	__u64 *count = bpf_map_lookup_elem(&lost_events, &key);

	if (count)
		*count += 1; /* per-CPU slot: no other writer */
}

/*
 * Flags for bpf_ringbuf_submit/output: wake the reader only once the ring is filling up. A
 * wake-up per record is an interrupt to self (a VM exit on virtual machines) that costs more
 * than the record: under a drop storm it slowed the sender to a sixth of its rate. The reader
 * also polls with a timeout (100 ms) and then drains the ring, so a lone record waits at most
 * that long.
 */
static __always_inline __u64 netdx_wakeup_flags(void)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 size = bpf_ringbuf_query(&events, BPF_RB_RING_SIZE);

	return avail >= size / 16 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* bpf_ringbuf_reserve that counts a failure in lost_events. */
static __always_inline void *netdx_reserve(__u64 size)
{
	void *rec = bpf_ringbuf_reserve(&events, size, 0);

	if (!rec)
		netdx_count_lost();
	return rec;
}

static __always_inline void netdx_fill_header(struct netdx_ev_header *hdr, __u16 kind, __u16 size)
{
	hdr->ts_ns = bpf_ktime_get_ns();
	hdr->kind = kind;
	hdr->size = size;
	hdr->cpu = bpf_get_smp_processor_id();
}

/* Inode of a network namespace, 0 for none. */
static __always_inline __u32 netdx_net_inum(struct net *net)
{
	if (!net)
		return 0;
	return BPF_CORE_READ(net, ns.inum);
}

/*
 * The netns a packet belongs to: its device's, else its socket's, else the receiving socket's,
 * else its route's device (locally generated packets dropped before skb->dev is set).
 */
static __always_inline __u32 netdx_skb_netns(struct sk_buff *skb, struct net_device *dev,
					     struct sock *sk, struct sock *rx_sk)
{
	struct dst_entry *dst;
	struct net *net = NULL;

	if (dev)
		net = BPF_CORE_READ(dev, nd_net.net);
	if (!net && sk)
		net = BPF_CORE_READ(sk, __sk_common.skc_net.net);
	if (!net && rx_sk)
		net = BPF_CORE_READ(rx_sk, __sk_common.skc_net.net);
	if (!net) {
		/* skb_dst(): _skb_refdst without the SKB_DST_NOREF bit */
		dst = (struct dst_entry *)(BPF_CORE_READ(skb, _skb_refdst) & ~1UL);
		if (dst)
			net = BPF_CORE_READ(dst, dev, nd_net.net);
	}
	return netdx_net_inum(net);
}

static __always_inline bool netdx_addr_eq(const __u8 *a, const volatile __u8 *b, int len)
{
	int i;

	for (i = 0; i < 16; i++) {
		if (i >= len)
			break;
		if (a[i] != b[i])
			return false;
	}
	return true;
}

/* The family whose addresses a packet carries: ARP carries IPv4 addresses. */
static __always_inline __u8 netdx_addr_family(const struct netdx_pkt *pkt)
{
	return pkt->family == NETDX_PKT_ARP ? NETDX_PKT_IPV4 : pkt->family;
}

static __always_inline bool netdx_addr_match(const struct netdx_pkt *pkt, const __u8 *addr,
					     __u8 want_family, const volatile __u8 *want)
{
	__u8 family = netdx_addr_family(pkt);

	if (family != want_family)
		return false;
	return netdx_addr_eq(addr, want, family == NETDX_PKT_IPV6 ? 16 : 4);
}

/* Device and netns part of targ_filter: cheap, checked before any packet parsing. */
static __always_inline bool netdx_filter_where(__u32 netns, const char *dev)
{
	int i;

	if (targ_filter.netns && targ_filter.netns != netns)
		return false;
	if (!targ_filter.dev[0])
		return true;
	for (i = 0; i < NETDX_NAME_LEN; i++) {
		if (dev[i] != targ_filter.dev[i])
			return false;
		if (!dev[i])
			break;
	}
	return true;
}

/*
 * Packet part of targ_filter (semantics in events.h): host and port match either direction, a
 * packet without the field a set filter needs does not match. Filter ports are host order like
 * struct netdx_pkt.
 */
static __always_inline bool netdx_filter_packet(const struct netdx_pkt *pkt)
{
	bool ports = pkt->flags & NETDX_PKT_HAS_PORTS;

	if (targ_filter.l4_proto &&
	    (pkt->family == NETDX_PKT_NONE || pkt->l4_proto != targ_filter.l4_proto))
		return false;
	if (targ_filter.host_family &&
	    !netdx_addr_match(pkt, pkt->saddr, targ_filter.host_family, targ_filter.host) &&
	    !netdx_addr_match(pkt, pkt->daddr, targ_filter.host_family, targ_filter.host))
		return false;
	if (targ_filter.saddr_family &&
	    !netdx_addr_match(pkt, pkt->saddr, targ_filter.saddr_family, targ_filter.saddr))
		return false;
	if (targ_filter.daddr_family &&
	    !netdx_addr_match(pkt, pkt->daddr, targ_filter.daddr_family, targ_filter.daddr))
		return false;
	if (targ_filter.port &&
	    (!ports || (pkt->sport != targ_filter.port && pkt->dport != targ_filter.port)))
		return false;
	if (targ_filter.sport && (!ports || pkt->sport != targ_filter.sport))
		return false;
	if (targ_filter.dport && (!ports || pkt->dport != targ_filter.dport))
		return false;
	return true;
}

static __always_inline bool netdx_has_ports(__u8 l4_proto)
{
	return l4_proto == NETDX_IPPROTO_TCP || l4_proto == NETDX_IPPROTO_UDP ||
	       l4_proto == NETDX_IPPROTO_SCTP || l4_proto == NETDX_IPPROTO_UDPLITE;
}

/* Transport header at head + off: ports, TCP flags, ICMP type/code. */
static __always_inline void netdx_parse_l4(const unsigned char *head, __u32 off,
					   struct netdx_pkt *pkt)
{
	__u8 l4[NETDX_TCP_FLAGS_OFFSET + 1];
	__u16 port;

	if (pkt->l4_proto == NETDX_IPPROTO_TCP) {
		if (bpf_probe_read_kernel(l4, sizeof(l4), head + off))
			return;
		pkt->tcp_flags = l4[NETDX_TCP_FLAGS_OFFSET];
	} else if (netdx_has_ports(pkt->l4_proto) || pkt->l4_proto == NETDX_IPPROTO_ICMP ||
		   pkt->l4_proto == NETDX_IPPROTO_ICMPV6) {
		if (bpf_probe_read_kernel(l4, 4, head + off))
			return;
	} else {
		return;
	}
	if (netdx_has_ports(pkt->l4_proto)) {
		__builtin_memcpy(&port, &l4[0], sizeof(port));
		pkt->sport = bpf_ntohs(port);
		__builtin_memcpy(&port, &l4[2], sizeof(port));
		pkt->dport = bpf_ntohs(port);
		pkt->flags |= NETDX_PKT_HAS_PORTS;
	} else {
		pkt->icmp_type = l4[0];
		pkt->icmp_code = l4[1];
		pkt->flags |= NETDX_PKT_HAS_ICMP;
	}
}

static __always_inline bool netdx_parse_ipv4(const unsigned char *head, __u32 nh,
					     struct netdx_pkt *pkt)
{
	struct iphdr iph;

	if (bpf_probe_read_kernel(&iph, sizeof(iph), head + nh))
		return false;
	if (iph.version != 4 || iph.ihl < 5)
		return false;
	pkt->family = NETDX_PKT_IPV4;
	pkt->origin = NETDX_ORIGIN_HEADERS;
	pkt->l4_proto = iph.protocol;
	pkt->ttl = iph.ttl;
	pkt->len = bpf_ntohs(iph.tot_len);
	__builtin_memcpy(pkt->saddr, &iph.saddr, 4);
	__builtin_memcpy(pkt->daddr, &iph.daddr, 4);
	/* Only the first fragment carries the transport header. */
	if (!(iph.frag_off & bpf_htons(NETDX_IP_OFFSET_MASK)))
		netdx_parse_l4(head, nh + iph.ihl * 4, pkt);
	return true;
}

static __always_inline bool netdx_ipv6_is_ext(__u8 nexthdr)
{
	return nexthdr == NETDX_IPPROTO_HOPOPTS || nexthdr == NETDX_IPPROTO_ROUTING ||
	       nexthdr == NETDX_IPPROTO_DSTOPTS || nexthdr == NETDX_IPPROTO_FRAGMENT;
}

static __always_inline bool netdx_parse_ipv6(const unsigned char *head, __u32 nh,
					     struct netdx_pkt *pkt)
{
	struct ipv6hdr ip6;
	struct frag_hdr frag;
	struct ipv6_opt_hdr opt;
	__u32 off = nh + sizeof(ip6);
	__u8 nexthdr;
	bool l4 = true;
	int i;

	if (bpf_probe_read_kernel(&ip6, sizeof(ip6), head + nh))
		return false;
	if (ip6.version != 6)
		return false;
	pkt->family = NETDX_PKT_IPV6;
	pkt->origin = NETDX_ORIGIN_HEADERS;
	pkt->ttl = ip6.hop_limit;
	pkt->len = bpf_ntohs(ip6.payload_len) + sizeof(ip6);
	__builtin_memcpy(pkt->saddr, &ip6.saddr, 16);
	__builtin_memcpy(pkt->daddr, &ip6.daddr, 16);

	nexthdr = ip6.nexthdr;
	for (i = 0; i < NETDX_IPV6_MAX_EXT; i++) {
		if (!netdx_ipv6_is_ext(nexthdr))
			break;
		if (nexthdr == NETDX_IPPROTO_FRAGMENT) {
			if (bpf_probe_read_kernel(&frag, sizeof(frag), head + off)) {
				l4 = false;
				break;
			}
			nexthdr = frag.nexthdr;
			off += sizeof(frag);
			if (frag.frag_off & bpf_htons(NETDX_IP6_OFFSET_MASK)) {
				l4 = false; /* not the first fragment */
				break;
			}
		} else {
			if (bpf_probe_read_kernel(&opt, sizeof(opt), head + off)) {
				l4 = false;
				break;
			}
			nexthdr = opt.nexthdr;
			off += (opt.hdrlen + 1) * 8;
		}
	}
	pkt->l4_proto = nexthdr;
	if (l4 && !netdx_ipv6_is_ext(nexthdr))
		netdx_parse_l4(head, off, pkt);
	return true;
}

/* Ethernet/IPv4 ARP: sender and target protocol addresses. */
static __always_inline bool netdx_parse_arp(const unsigned char *head, __u32 nh,
					    struct netdx_pkt *pkt)
{
	struct arphdr arp;
	__u32 addrs = nh + sizeof(arp);

	if (bpf_probe_read_kernel(&arp, sizeof(arp), head + nh))
		return false;
	if (arp.ar_hrd != bpf_htons(NETDX_ARPHRD_ETHER) ||
	    arp.ar_pro != bpf_htons(NETDX_ETH_P_IP) || arp.ar_hln != 6 || arp.ar_pln != 4)
		return false;
	/* sha[6] spa[4] tha[6] tpa[4] */
	if (bpf_probe_read_kernel(pkt->saddr, 4, head + addrs + 6) ||
	    bpf_probe_read_kernel(pkt->daddr, 4, head + addrs + 16))
		return false;
	pkt->family = NETDX_PKT_ARP;
	pkt->origin = NETDX_ORIGIN_HEADERS;
	return true;
}

/* Parses the headers at skb->head + skb->network_header; false when there is no usable one. */
static __always_inline bool netdx_parse_skb(struct sk_buff *skb, struct netdx_pkt *pkt)
{
	const unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 nh = BPF_CORE_READ(skb, network_header);
	__u16 proto = bpf_ntohs(BPF_CORE_READ(skb, protocol));

	pkt->ethertype = proto;
	if (!head || nh == (__u16)~0U || nh >= BPF_CORE_READ(skb, end))
		return false;
	if (proto == NETDX_ETH_P_IP)
		return netdx_parse_ipv4(head, nh, pkt);
	if (proto == NETDX_ETH_P_IPV6)
		return netdx_parse_ipv6(head, nh, pkt);
	if (proto == NETDX_ETH_P_ARP)
		return netdx_parse_arp(head, nh, pkt);
	return false;
}

/*
 * The local view of an inet socket: used when the packet has no usable header yet (e.g. dropped
 * before the IP header was pushed). Request and timewait sockets only have sock_common, which is
 * all this reads besides sk_protocol of full sockets.
 */
static __always_inline bool netdx_parse_sock(struct sock *sk, struct netdx_pkt *pkt)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	__u8 state = BPF_CORE_READ(sk, __sk_common.skc_state);

	if (family == NETDX_AF_INET) {
		pkt->family = NETDX_PKT_IPV4;
		bpf_core_read(pkt->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(pkt->daddr, 4, &sk->__sk_common.skc_daddr);
	} else if (family == NETDX_AF_INET6) {
		pkt->family = NETDX_PKT_IPV6;
		bpf_core_read(pkt->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(pkt->daddr, 16, &sk->__sk_common.skc_v6_daddr);
	} else {
		return false;
	}
	pkt->origin = NETDX_ORIGIN_SOCKET;
	if (state == TCP_NEW_SYN_RECV || state == TCP_TIME_WAIT)
		pkt->l4_proto = NETDX_IPPROTO_TCP;
	else
		pkt->l4_proto = BPF_CORE_READ(sk, sk_protocol);
	if (netdx_has_ports(pkt->l4_proto)) {
		pkt->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
		pkt->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		pkt->flags |= NETDX_PKT_HAS_PORTS;
	}
	return true;
}

#endif /* NETDX_COMMON_BPF_H */
