// SPDX-License-Identifier: GPL-2.0
/*
 * The XDP probe: a program that aborted or returned an unknown action (xdp:xdp_exception) and a
 * redirect that failed (xdp:xdp_redirect_err). table = the program id, object = its name, aux =
 * the action. XDP_DROP itself has no tracepoint: generic XDP drops show as kfree_skb at
 * do_xdp_generic. Only the namespace and device filters apply (there is no parsed packet).
 */
#include "trace.bpf.h"

static __always_inline void netdx_xdp(struct netdx_trace_event *e, const struct net_device *cdev,
				      const struct bpf_prog *prog, __u32 act)
{
	struct net_device *dev = (struct net_device *)cdev;

	netdx_trace_dev(e, dev);
	if (dev)
		e->netns = netdx_net_inum(BPF_CORE_READ(dev, nd_net.net));
	if (prog) {
		e->table = BPF_CORE_READ(prog, aux, id);
		BPF_CORE_READ_STR_INTO(&e->object, prog, aux, name);
	}
	e->aux = act;
	e->has |= NETDX_HAS_TABLE | NETDX_HAS_AUX;
}

SEC("tp_btf/xdp_exception")
int BPF_PROG(handle_xdp_exception, const struct net_device *dev, const struct bpf_prog *xdp,
	     u32 act)
{
	struct netdx_trace_event e = {};

	netdx_trace_init(&e, NETDX_TP_XDP_EXCEPTION);
	netdx_xdp(&e, dev, xdp, act);
	return netdx_trace_submit_place(&e);
}

SEC("tp_btf/xdp_redirect_err")
int BPF_PROG(handle_xdp_redirect_err, const struct net_device *dev, const struct bpf_prog *xdp,
	     const void *tgt, int err, enum bpf_map_type map_type, u32 map_id, u32 index)
{
	struct netdx_trace_event e = {};

	netdx_trace_init(&e, NETDX_TP_XDP_REDIRECT_ERR);
	netdx_xdp(&e, dev, xdp, 4 /* XDP_REDIRECT */);
	e.err = err;
	e.has |= NETDX_HAS_ERR;
	return netdx_trace_submit_place(&e);
}
