/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The kernel/user ABI of the drop summary (`netdx drops --summary`, bpf/drop_summary.bpf.c): one
 * counter per (reason, location, netns) in a per-CPU hash map, read by user space every interval.
 * No ring buffer records: the kernel aggregates, so the cost per drop is one map update.
 */
#ifndef NETDX_BPF_DROP_SUMMARY_H
#define NETDX_BPF_DROP_SUMMARY_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Distinct (reason, location, netns) keys counted at once; more are counted in lost_events. */
#define NETDX_DROP_SUMMARY_KEYS 10240

struct netdx_drop_key {
	__u64 location; /* return address in the function that freed the skb */
	__u32 reason;	/* enum skb_drop_reason value of the running kernel */
	__u32 netns;	/* inode of the packet's netns, 0 if unknown */
};

#ifdef __cplusplus
static_assert(sizeof(struct netdx_drop_key) == 16, "drop_key ABI");
#else
_Static_assert(sizeof(struct netdx_drop_key) == 16, "drop_key ABI");
#endif

#endif /* NETDX_BPF_DROP_SUMMARY_H */
