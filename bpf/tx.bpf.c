// SPDX-License-Identifier: GPL-2.0
/*
 * The tx probe: a packet queued to a device (net:net_dev_queue), and a transmit the driver
 * refused (net:net_dev_xmit with rc != 0). After the driver returns the skb may be freed, so the
 * xmit record carries only the skb address (to join the queue event of the same packet), the
 * device and rc: the address and port filters cannot apply to it, only netns and device.
 */
#include "trace.bpf.h"

SEC("tp_btf/net_dev_queue")
int BPF_PROG(handle_net_dev_queue, struct sk_buff *skb)
{
	struct netdx_trace_event e = {};

	netdx_trace_init(&e, NETDX_TP_NET_DEV_QUEUE);
	netdx_trace_skb(&e, skb, NULL);
	return netdx_trace_submit(&e);
}

SEC("tp_btf/net_dev_xmit")
int BPF_PROG(handle_net_dev_xmit, struct sk_buff *skb, int rc, struct net_device *dev,
	     unsigned int len)
{
	struct netdx_trace_event e = {};

	if (rc == 0) /* NETDEV_TX_OK */
		return 0;
	netdx_trace_init(&e, NETDX_TP_NET_DEV_XMIT);
	e.skb = (__u64)skb;
	netdx_trace_dev(&e, dev);
	if (dev)
		e.netns = netdx_net_inum(BPF_CORE_READ(dev, nd_net.net));
	e.err = rc;
	e.has = NETDX_HAS_ERR;
	e.pkt.len = len > 0xffff ? 0xffff : len;
	return netdx_trace_submit_place(&e);
}
