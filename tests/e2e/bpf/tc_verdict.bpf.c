// SPDX-License-Identifier: GPL-2.0
/*
 * A tc program for the end-to-end tests: a cls_bpf direct-action classifier that gives every
 * packet the same verdict, chosen at build time (-DNETDX_TEST_VERDICT=TC_ACT_SHOT, TC_ACT_OK).
 * Built by the tests with clang -target bpf and attached with
 * `tc filter add dev DEV ingress bpf direct-action obj FILE sec tc`.
 *
 * The function name is longer than the kernel's 15-character program name on purpose: readers
 * of the program's name must take the full one from its BTF.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

/* after linux/bpf.h, which defines the types it uses */
#include <bpf/bpf_helpers.h>

#ifndef NETDX_TEST_VERDICT
#define NETDX_TEST_VERDICT TC_ACT_OK
#endif

SEC("tc")
int netdx_test_tc_verdict(struct __sk_buff* skb) {
    return NETDX_TEST_VERDICT;
}

char LICENSE[] SEC("license") = "GPL";
