// SPDX-License-Identifier: GPL-2.0
#include "probe_registry.h"

#include <string>

// clang-format off: the skeletons need the ABI structs declared first
#include "bpf/events.h"
#include "icmp.skel.h"
#include "neigh.skel.h"
#include "route.skel.h"
#include "rx.skel.h"
#include "skb_drop.skel.h"
#include "sock.skel.h"
#include "tcp.skel.h"
#include "tx.skel.h"
#include "xdp.skel.h"
// clang-format on

#include "bpf_probe.h"

namespace netdx::probes {
namespace {

// One BPF object (bpf/<object>.bpf.c): every program in it attaches, or the probe fails.
template <class T>
class SkeletonProbe final : public BpfProbe<T> {
public:
    SkeletonProbe(std::string name,
                  std::string tracepoints,
                  engine::EventKind kind,
                  SkeletonOps<T> ops)
        : name_(std::move(name)), tracepoints_(std::move(tracepoints)), kind_(kind), ops_(ops) {}

    std::string_view name() const override { return name_; }
    std::string_view tracepoint() const override { return tracepoints_; }
    engine::EventKind kind() const override { return kind_; }

protected:
    SkeletonOps<T> ops() const override { return ops_; }

private:
    std::string name_;
    std::string tracepoints_;
    engine::EventKind kind_;
    SkeletonOps<T> ops_;
};

template <class T>
std::unique_ptr<Probe>
probe(std::string name, std::string tracepoints, engine::EventKind kind, SkeletonOps<T> ops) {
    return std::make_unique<SkeletonProbe<T>>(std::move(name), std::move(tracepoints), kind, ops);
}

} // namespace

std::vector<std::unique_ptr<Probe>> make_all_probes() {
    using engine::EventKind;
    std::vector<std::unique_ptr<Probe>> probes;
    probes.push_back(
        probe("drop", "skb:kfree_skb", EventKind::Drop, NETDX_SKELETON_OPS(skb_drop_bpf)));
    probes.push_back(
        probe("rx", "net:netif_receive_skb", EventKind::Rx, NETDX_SKELETON_OPS(rx_bpf)));
    probes.push_back(probe(
        "tx", "net:net_dev_queue, net:net_dev_xmit", EventKind::Tx, NETDX_SKELETON_OPS(tx_bpf)));
    probes.push_back(probe("route",
                           "fib:fib_table_lookup, fib6:fib6_table_lookup",
                           EventKind::Route,
                           NETDX_SKELETON_OPS(route_bpf)));
    probes.push_back(
        probe("neigh",
              "neigh:neigh_update, neigh:neigh_timer_handler, neigh:neigh_event_send_dead",
              EventKind::Neigh,
              NETDX_SKELETON_OPS(neigh_bpf)));
    probes.push_back(probe("tcp",
                           "tcp:tcp_send_reset, tcp:tcp_receive_reset, tcp:tcp_retransmit_skb, "
                           "tcp:tcp_retransmit_synack, tcp:tcp_bad_csum",
                           EventKind::Tcp,
                           NETDX_SKELETON_OPS(tcp_bpf)));
    probes.push_back(probe("sock",
                           "sock:inet_sock_set_state, sock:inet_sk_error_report, "
                           "udp:udp_fail_queue_rcv_skb, sock:sock_exceed_buf_limit",
                           EventKind::Sock,
                           NETDX_SKELETON_OPS(sock_bpf)));
    probes.push_back(
        probe("icmp", "icmp:icmp_send", EventKind::Icmp, NETDX_SKELETON_OPS(icmp_bpf)));
    probes.push_back(probe("xdp",
                           "xdp:xdp_exception, xdp:xdp_redirect_err",
                           EventKind::Xdp,
                           NETDX_SKELETON_OPS(xdp_bpf)));
    return probes;
}

} // namespace netdx::probes
