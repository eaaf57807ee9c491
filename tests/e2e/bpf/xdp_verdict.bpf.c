// SPDX-License-Identifier: GPL-2.0
/*
 * A fault for the end-to-end tests: an XDP program that gives every packet the same verdict,
 * chosen at build time (-DNETDX_TEST_VERDICT=XDP_DROP, XDP_ABORTED, ...). Built by the tests
 * with clang -target bpf and attached with `ip link set DEV xdpgeneric obj FILE sec xdp`.
 */
#include <linux/bpf.h>

/* after linux/bpf.h, which defines the types it uses */
#include <bpf/bpf_helpers.h>

#ifndef NETDX_TEST_VERDICT
#define NETDX_TEST_VERDICT XDP_DROP
#endif

SEC("xdp")
int netdx_test_xdp(struct xdp_md* ctx) {
    return NETDX_TEST_VERDICT;
}

char LICENSE[] SEC("license") = "GPL";
