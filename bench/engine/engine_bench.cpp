// SPDX-License-Identifier: GPL-2.0
// Engine throughput benchmark: replays a synthetic stream of kernel drop records (bpf/events.h)
// through the decoder and the rule engine with the shipped knowledge, on one pinned core.
//
// Phases, each run `--repeats` times (median reported), interleaved so drift hits all alike:
//   decode only     decode_record() for every record: the baseline
//   decode+engine   decode_record() + Diagnoser::process(), as the live ring-buffer callback does
//   engine only     Diagnoser::process() alone, timed per chunk of pre-decoded events
//
// Memory: the records are generated up front (outside every timed region) into one buffer, as
// they would sit in a ring buffer. Events are never all alive at once: decode_record() returns a
// fresh Event per record (the live path does the same), which dies after processing; "engine
// only" decodes 1024 records untimed, times processing them, and reuses the chunk. So RSS minus
// the record buffer is what the engine itself holds (findings, evidence, roll-up keys).
#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>
#include <sched.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bpf/events.h"
#include "engine/diagnoser.h"
#include "engine/loader/loader.h"
#include "probes/decode.h"

#ifndef NETDX_SOURCE_DIR
#error "NETDX_SOURCE_DIR must name the source tree (bench/engine/CMakeLists.txt sets it)"
#endif

namespace {

using netdx::engine::Diagnoser;
using netdx::engine::Event;
using netdx::engine::Frame;
using netdx::probes::DecodeContext;

// ---------------------------------------------------------------------------------------------
// Options

struct Options {
    std::uint64_t events = 5'000'000;
    std::string knowledge = NETDX_SOURCE_DIR "/knowledge";
    bool json = false;
    int cpu = 1;
    int repeats = 3;
    std::uint64_t seed = 0x6e657464785f6265; // "netdx_be"
    std::string profile;                     // run only this phase once, for perf or callgrind
};

constexpr std::string_view usage = R"(usage: netdx_engine_bench [options]
  --events N       records to replay (default 5000000)
  --knowledge DIR  rule directory (default: the source tree's knowledge/)
  --json           print the results as one JSON object instead of a table
  --cpu N          core to pin to (default 1)
  --repeats N      runs of each phase; the median is reported (default 3)
  --seed N         seed of the record generator (default fixed)
  --profile PHASE  run one phase once, no warm-up (decode, decode+engine or engine), for a
                   profiler such as perf or valgrind --tool=callgrind
)";

template <class T>
bool parse_number(std::string_view text, T& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size();
}

// Returns false (after printing why) when the arguments are bad.
bool parse_options(int argc, char** argv, Options& opt) {
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        const bool has_value = i + 1 < args.size();
        if (a == "--json") {
            opt.json = true;
        } else if (a == "--help" || a == "-h") {
            std::cout << usage;
            std::exit(0);
        } else if (a == "--knowledge" && has_value) {
            opt.knowledge = std::string(args[++i]);
        } else if (a == "--events" && has_value && parse_number(args[i + 1], opt.events) &&
                   opt.events > 0) {
            ++i;
        } else if (a == "--cpu" && has_value && parse_number(args[i + 1], opt.cpu) &&
                   opt.cpu >= 0) {
            ++i;
        } else if (a == "--repeats" && has_value && parse_number(args[i + 1], opt.repeats) &&
                   opt.repeats > 0) {
            ++i;
        } else if (a == "--seed" && has_value && parse_number(args[i + 1], opt.seed)) {
            ++i;
        } else if (a == "--profile" && has_value &&
                   (args[i + 1] == "decode" || args[i + 1] == "decode+engine" ||
                    args[i + 1] == "engine")) {
            opt.profile = std::string(args[++i]);
        } else {
            std::cerr << "netdx_engine_bench: bad argument '" << a << "'\n" << usage;
            return false;
        }
    }
    return true;
}

// ---------------------------------------------------------------------------------------------
// Deterministic pseudo-random numbers (splitmix64): the same seed gives the same stream
// everywhere, unlike std:: distributions.

class Rng {
public:
    explicit Rng(std::uint64_t seed) : state_(seed) {}

    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    // Uniform in [0, n) (the modulo bias is below 1e-15 for the n used here).
    std::uint64_t below(std::uint64_t n) { return next() % n; }
    std::uint64_t between(std::uint64_t lo, std::uint64_t hi) { return lo + below(hi - lo + 1); }
    // Skewed towards 0 (a few heavy hitters, a long tail), in [0, n).
    std::uint64_t skewed(std::uint64_t n) {
        const double u = static_cast<double>(next() >> 11) * 0x1.0p-53;
        return std::min<std::uint64_t>(n - 1, static_cast<std::uint64_t>(u * u * u * n));
    }
    bool chance(unsigned per_mille) { return below(1000) < per_mille; }

private:
    std::uint64_t state_;
};

std::uint64_t fnv1a(std::string_view s) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : s) {
        h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    }
    return h;
}

// ---------------------------------------------------------------------------------------------
// Kernel symbols: a kallsyms-like table (one name buffer, entries sorted by address, binary
// search, like probes::Kallsyms) of `total` text symbols. The function names the stacks use sit
// at spread positions among filler symbols, so lookups search a kernel-sized table.

class SyntheticKallsyms final : public netdx::probes::Symbolizer {
public:
    static constexpr std::uint64_t text_base = 0xffffffff81000000ULL;
    static constexpr std::uint64_t symbol_size = 0x800;

    SyntheticKallsyms(const std::vector<std::string_view>& names, std::size_t total) {
        total = std::max(total, names.size());
        const std::size_t stride = total / names.size();
        std::size_t next_real = 0;
        entries_.reserve(total);
        for (std::size_t i = 0; i < total; ++i) {
            std::string name;
            if (next_real < names.size() && i == next_real * stride) {
                name = std::string(names[next_real++]);
            } else {
                name = "netdx_bench_text_" + std::to_string(i);
            }
            const std::uint64_t addr = text_base + i * symbol_size;
            entries_.push_back(Entry{addr,
                                     static_cast<std::uint32_t>(names_.size()),
                                     static_cast<std::uint32_t>(name.size())});
            names_ += name;
        }
        for (const auto& e : entries_) {
            by_name_.emplace(name(e), e.addr);
        }
    }

    std::uint64_t address_of(std::string_view fn) const { return by_name_.at(fn); }
    std::size_t size() const { return entries_.size(); }

    Frame lookup(std::uint64_t addr) const override {
        auto it = std::upper_bound(entries_.begin(),
                                   entries_.end(),
                                   addr,
                                   [](std::uint64_t a, const Entry& e) { return a < e.addr; });
        if (it == entries_.begin()) {
            return Frame{addr, {}, 0};
        }
        --it;
        return Frame{addr, std::string(name(*it)), addr - it->addr};
    }

private:
    struct Entry {
        std::uint64_t addr;
        std::uint32_t name_offset;
        std::uint32_t name_length;
    };
    std::string_view name(const Entry& e) const {
        return std::string_view(names_).substr(e.name_offset, e.name_length);
    }

    std::vector<Entry> entries_;
    std::string names_;
    std::unordered_map<std::string_view, std::uint64_t> by_name_; // setup only
};

// Namespace names, like probes::NetnsRegistry once its cache is warm (a std::map lookup).
class FakeNetns final : public netdx::probes::NetnsNamer {
public:
    FakeNetns() { names_ = {{host_inode, "host"}, {4026532301U, "web"}, {4026532302U, "db"}}; }
    std::string name_of(std::uint32_t inode) override {
        const auto it = names_.find(inode);
        return it == names_.end() ? std::string() : it->second;
    }

    static constexpr std::uint32_t host_inode = 4026531840U;

private:
    std::map<std::uint32_t, std::string> names_;
};

// ---------------------------------------------------------------------------------------------
// The workload: drop scenarios, each a drop reason, the frames of a realistic kernel stack
// (innermost first, real function names of a 6.x kernel) and the shape of its packets.

// enum skb_drop_reason values of this machine's kernel (6.18, from /sys/kernel/btf/vmlinux).
enum Reason : std::uint32_t {
    NotSpecified = 2,
    NoSocket = 3,
    SocketRcvbuff = 6,
    TcpCsum = 10,
    NetfilterDrop = 12,
    Otherhost = 13,
    IpInhdr = 15,
    TcpOldData = 33,
    NeighFailed = 58,
    QdiscDrop = 64,
    UnhandledProto = 74,
    PktTooBig = 93,
    QueuePurge = 104,
};

netdx::probes::ReasonNames reason_names() {
    return {{0, "NOT_DROPPED_YET"},
            {1, "CONSUMED"},
            {NotSpecified, "NOT_SPECIFIED"},
            {NoSocket, "NO_SOCKET"},
            {4, "SOCKET_CLOSE"},
            {5, "SOCKET_FILTER"},
            {SocketRcvbuff, "SOCKET_RCVBUFF"},
            {9, "PKT_TOO_SMALL"},
            {TcpCsum, "TCP_CSUM"},
            {11, "UDP_CSUM"},
            {NetfilterDrop, "NETFILTER_DROP"},
            {Otherhost, "OTHERHOST"},
            {14, "IP_CSUM"},
            {IpInhdr, "IP_INHDR"},
            {16, "IP_RPFILTER"},
            {19, "IP_NOPROTO"},
            {TcpOldData, "TCP_OLD_DATA"},
            {40, "TCP_LISTEN_OVERFLOW"},
            {NeighFailed, "NEIGH_FAILED"},
            {QdiscDrop, "QDISC_DROP"},
            {UnhandledProto, "UNHANDLED_PROTO"},
            {88, "IP_INNOROUTES"},
            {PktTooBig, "PKT_TOO_BIG"},
            {QueuePurge, "QUEUE_PURGE"}};
}

using Names = std::vector<std::string_view>;

Names operator+(Names a, const Names& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// Who runs when the drop happens: decides comm, pid and device.
enum class Context : std::uint8_t { Idle, Ksoftirqd, Syscall, Loopback };

struct StackVariant {
    Names frames; // from the dropper outwards
    Context context = Context::Idle;
};

// Outer parts of stacks.
const Names idle_irq = {"handle_softirqs",
                        "irq_exit_rcu",
                        "common_interrupt",
                        "asm_common_interrupt",
                        "pv_native_safe_halt",
                        "default_idle",
                        "default_idle_call",
                        "do_idle",
                        "cpu_startup_entry",
                        "start_secondary",
                        "common_startup_64"};
const Names nic_list_rx = Names{"__netif_receive_skb_list_core",
                                "netif_receive_skb_list_internal",
                                "napi_complete_done",
                                "virtnet_poll",
                                "__napi_poll",
                                "net_rx_action"} +
                          idle_irq;
const Names ksoftirqd_rx = {"__netif_receive_skb_one_core",
                            "process_backlog",
                            "__napi_poll",
                            "net_rx_action",
                            "handle_softirqs",
                            "run_ksoftirqd",
                            "smpboot_thread_fn",
                            "kthread",
                            "ret_from_fork",
                            "ret_from_fork_asm"};
const Names syscall_connect = {"__inet_stream_connect",
                               "inet_stream_connect",
                               "__sys_connect",
                               "__x64_sys_connect",
                               "do_syscall_64",
                               "entry_SYSCALL_64_after_hwframe"};
const Names syscall_sendto = {
    "__sys_sendto", "__x64_sys_sendto", "do_syscall_64", "entry_SYSCALL_64_after_hwframe"};
const Names tcp4_connect_tx =
    Names{"__ip_queue_xmit", "__tcp_transmit_skb", "tcp_connect", "tcp_v4_connect"} +
    syscall_connect;
const Names tcp6_connect_tx =
    Names{"inet6_csk_xmit", "__tcp_transmit_skb", "tcp_connect", "tcp_v6_connect"} +
    syscall_connect;
const Names udp4_send_tx = Names{"ip_send_skb", "udp_send_skb", "udp_sendmsg"} + syscall_sendto;
const Names loopback4_rx = Names{"__netif_receive_skb_one_core",
                                 "process_backlog",
                                 "__napi_poll",
                                 "net_rx_action",
                                 "handle_softirqs",
                                 "do_softirq",
                                 "__local_bh_enable_ip",
                                 "__dev_queue_xmit",
                                 "ip_finish_output2",
                                 "ip_output"} +
                           tcp4_connect_tx;
const Names loopback6_rx = Names{"__netif_receive_skb_one_core",
                                 "process_backlog",
                                 "__napi_poll",
                                 "net_rx_action",
                                 "handle_softirqs",
                                 "do_softirq",
                                 "__local_bh_enable_ip",
                                 "__dev_queue_xmit",
                                 "ip6_finish_output2",
                                 "ip6_finish_output",
                                 "ip6_output",
                                 "ip6_xmit"} +
                           tcp6_connect_tx;

// An IPv4 receive-path head (dropper .. ip_local_deliver or ip_forward) on the usual paths: NIC
// list receive in softirq, ksoftirqd backlog, and (when `loopback`) a local connect().
std::vector<StackVariant> rx4(const Names& head, bool loopback) {
    std::vector<StackVariant> v = {
        {head + Names{"ip_sublist_rcv_finish", "ip_sublist_rcv", "ip_list_rcv"} + nic_list_rx,
         Context::Idle},
        {head + Names{"ip_rcv_finish", "ip_rcv"} + ksoftirqd_rx, Context::Ksoftirqd}};
    if (loopback) {
        v.push_back({head + Names{"ip_rcv_finish", "ip_rcv"} + loopback4_rx, Context::Loopback});
    }
    return v;
}

std::vector<StackVariant> rx6(const Names& head, bool loopback) {
    std::vector<StackVariant> v = {
        {head + Names{"ip6_sublist_rcv_finish", "ip6_sublist_rcv", "ipv6_list_rcv"} + nic_list_rx,
         Context::Idle},
        {head + Names{"ip6_rcv_finish", "ipv6_rcv"} + ksoftirqd_rx, Context::Ksoftirqd}};
    if (loopback) {
        v.push_back({head + Names{"ip6_rcv_finish", "ipv6_rcv"} + loopback6_rx, Context::Loopback});
    }
    return v;
}

// What the packets of a scenario look like.
enum class Shape : std::uint8_t {
    TcpSyn4,
    TcpSyn6,
    Tcp4, // established: ACK, PSH+ACK
    TcpRst4,
    Udp4,
    Udp6,
    IcmpEchoReply4,
    Icmp6Multicast, // neighbour discovery and MLD to ff02::
    UdpSocket4,     // socket-origin fields: the packet had no headers yet
    Lldp,           // no IP family
};

struct Scenario {
    std::string_view name;
    unsigned weight = 0; // per 1000 events
    std::uint32_t reason = 0;
    std::vector<StackVariant> stacks;
    std::vector<Shape> shapes;
    unsigned flows = 0;        // distinct flows of this scenario
    bool stack_failed = false; // bpf_get_stack failed: no stack, the location only
};

std::vector<Scenario> scenarios() {
    const Names tcp4_local = {
        "tcp_v4_rcv", "ip_protocol_deliver_rcu", "ip_local_deliver_finish", "ip_local_deliver"};
    const Names tcp6_local = {
        "tcp_v6_rcv", "ip6_protocol_deliver_rcu", "ip6_input_finish", "ip6_input"};
    const Names udp4_local = {"__udp4_lib_rcv",
                              "udp_rcv",
                              "ip_protocol_deliver_rcu",
                              "ip_local_deliver_finish",
                              "ip_local_deliver"};
    const Names udp6_local = {
        "__udp6_lib_rcv", "udpv6_rcv", "ip6_protocol_deliver_rcu", "ip6_input_finish", "ip6_input"};
    const Names nft4 = {"nft_do_chain", "nft_do_chain_ipv4", "nf_hook_slow"};
    const Names nft_inet = {"nft_do_chain", "nft_do_chain_inet", "nf_hook_slow"};
    const Names nft6 = {"nft_do_chain", "nft_do_chain_ipv6", "nf_hook_slow"};
    const Names legacy = {"nf_hook_slow"};
    const Names nf_out4 = {"__ip_local_out", "ip_local_out"};
    const Names rcu_idle = {"__sk_destruct",
                            "rcu_core",
                            "handle_softirqs",
                            "irq_exit_rcu",
                            "sysvec_apic_timer_interrupt",
                            "asm_sysvec_apic_timer_interrupt",
                            "pv_native_safe_halt",
                            "default_idle",
                            "default_idle_call",
                            "do_idle",
                            "cpu_startup_entry",
                            "start_secondary",
                            "common_startup_64"};
    const Names timer_idle = {"neigh_timer_handler",
                              "call_timer_fn",
                              "__run_timers",
                              "run_timer_softirq",
                              "handle_softirqs",
                              "irq_exit_rcu",
                              "sysvec_apic_timer_interrupt",
                              "asm_sysvec_apic_timer_interrupt",
                              "pv_native_safe_halt",
                              "default_idle",
                              "default_idle_call",
                              "do_idle",
                              "cpu_startup_entry",
                              "start_secondary",
                              "common_startup_64"};
    using S = Shape;
    return {
        // ~40% benign noise (suppressed)
        {"benign: ping reply, NO_SOCKET at ping_rcv",
         200,
         NoSocket,
         rx4({"ping_rcv",
              "icmp_rcv",
              "ip_protocol_deliver_rcu",
              "ip_local_deliver_finish",
              "ip_local_deliver"},
             false),
         {S::IcmpEchoReply4},
         300},
        {"benign: IPv6 multicast, NOT_SPECIFIED at ip6_mc_input",
         130,
         NotSpecified,
         rx6({"ip6_mc_input"}, false),
         {S::Icmp6Multicast},
         120},
        {"benign: QUEUE_PURGE on socket close",
         70,
         QueuePurge,
         {{Names{"skb_queue_purge_reason", "udp_destruct_common"} + rcu_idle, Context::Idle},
          {Names{"skb_queue_purge_reason", "inet_sock_destruct"} + rcu_idle, Context::Idle}},
         {S::UdpSocket4},
         100},
        // ~25% netfilter: nftables and iptables-legacy at several hooks, one family v6
        {"netfilter nft INPUT ipv4",
         60,
         NetfilterDrop,
         rx4(nft4 + Names{"ip_local_deliver"}, true),
         {S::TcpSyn4, S::TcpSyn4, S::Udp4},
         500},
        {"netfilter nft OUTPUT ipv4",
         30,
         NetfilterDrop,
         {{nft4 + nf_out4 + tcp4_connect_tx, Context::Syscall},
          {nft4 + nf_out4 + udp4_send_tx, Context::Syscall}},
         {S::TcpSyn4, S::Udp4},
         200},
        {"netfilter nft FORWARD inet",
         20,
         NetfilterDrop,
         rx4(nft_inet + Names{"ip_forward"}, false),
         {S::TcpSyn4, S::Udp4},
         200},
        {"netfilter nft PREROUTING ipv4",
         10,
         NetfilterDrop,
         {{nft4 + Names{"ip_rcv"} + ksoftirqd_rx, Context::Ksoftirqd}},
         {S::Tcp4, S::Udp4},
         100},
        {"netfilter nft INPUT inet ipv6",
         20,
         NetfilterDrop,
         rx6(nft_inet + Names{"ip6_input"}, false),
         {S::TcpSyn6, S::Udp6},
         150},
        {"netfilter nft OUTPUT ipv6",
         10,
         NetfilterDrop,
         {{nft6 + Names{"ip6_xmit"} + tcp6_connect_tx, Context::Syscall}},
         {S::TcpSyn6},
         60},
        {"netfilter legacy INPUT ipv4",
         40,
         NetfilterDrop,
         rx4(legacy + Names{"ip_local_deliver"}, true),
         {S::TcpSyn4, S::Tcp4, S::Udp4},
         400},
        {"netfilter legacy FORWARD ipv4",
         20,
         NetfilterDrop,
         rx4(legacy + Names{"ip_forward"}, false),
         {S::TcpSyn4, S::Udp4},
         150},
        {"netfilter legacy OUTPUT ipv4",
         15,
         NetfilterDrop,
         {{legacy + nf_out4 + udp4_send_tx, Context::Syscall}},
         {S::Udp4},
         80},
        {"netfilter legacy INPUT ipv6",
         10,
         NetfilterDrop,
         rx6(legacy + Names{"ip6_input"}, false),
         {S::TcpSyn6, S::Udp6},
         80},
        {"netfilter legacy POSTROUTING ipv4",
         10,
         NetfilterDrop,
         {{legacy + Names{"ip_output"} + tcp4_connect_tx, Context::Syscall}},
         {S::TcpSyn4},
         50},
        {"netfilter, stack unavailable",
         5,
         NetfilterDrop,
         {{{"nft_do_chain"}, Context::Idle}},
         {S::TcpSyn4},
         40,
         true},
        // ~15% no socket on TCP/UDP ports
        {"no listener: TCP SYN, NO_SOCKET at tcp_v4_rcv",
         70,
         NoSocket,
         rx4(tcp4_local, true),
         {S::TcpSyn4},
         400},
        {"no listener: TCP SYN, NO_SOCKET at tcp_v6_rcv",
         20,
         NoSocket,
         rx6(tcp6_local, true),
         {S::TcpSyn6},
         120},
        {"no listener: UDP, NO_SOCKET at __udp4_lib_rcv",
         40,
         NoSocket,
         rx4(udp4_local, false),
         {S::Udp4},
         300},
        {"no listener: UDP, NO_SOCKET at __udp6_lib_rcv",
         10,
         NoSocket,
         rx6(udp6_local, false),
         {S::Udp6},
         60},
        {"stray TCP RST/ACK, NO_SOCKET at tcp_v4_rcv",
         10,
         NoSocket,
         rx4(tcp4_local, false),
         {S::TcpRst4},
         100},
        // ~20% other reasons (the kernel-drop fallback)
        {"TCP_CSUM at tcp_v4_rcv", 30, TcpCsum, rx4(tcp4_local, false), {S::Tcp4}, 100},
        {"SOCKET_RCVBUFF at __udp_enqueue_schedule_skb",
         40,
         SocketRcvbuff,
         rx4(Names{"__udp_enqueue_schedule_skb", "udp_queue_rcv_one_skb", "udp_unicast_rcv_skb"} +
                 udp4_local,
             true),
         {S::Udp4},
         60},
        {"IP_INHDR at ip_rcv_core",
         20,
         IpInhdr,
         {{Names{"ip_rcv_core", "ip_list_rcv"} + nic_list_rx, Context::Idle}},
         {S::Udp4, S::Tcp4},
         100},
        {"PKT_TOO_BIG at ip_forward", 10, PktTooBig, rx4({"ip_forward"}, false), {S::Tcp4}, 60},
        {"PKT_TOO_BIG at ip6_forward", 10, PktTooBig, rx6({"ip6_forward"}, false), {S::Udp6}, 40},
        {"OTHERHOST at ip_rcv_core",
         20,
         Otherhost,
         {{Names{"ip_rcv_core", "ip_rcv"} + ksoftirqd_rx, Context::Ksoftirqd}},
         {S::Udp4},
         80},
        {"TCP_OLD_DATA at tcp_data_queue",
         20,
         TcpOldData,
         rx4(Names{"tcp_data_queue", "tcp_rcv_established", "tcp_v4_do_rcv"} + tcp4_local, false),
         {S::Tcp4},
         150},
        {"NEIGH_FAILED at neigh_invalidate",
         15,
         NeighFailed,
         {{Names{"neigh_invalidate"} + timer_idle, Context::Idle}},
         {S::Tcp4, S::Udp4},
         40},
        {"UNHANDLED_PROTO at __netif_receive_skb_core",
         15,
         UnhandledProto,
         {{Names{"__netif_receive_skb_core"} + nic_list_rx, Context::Idle}},
         {S::Lldp},
         5},
        {"QDISC_DROP at __dev_queue_xmit",
         20,
         QdiscDrop,
         {{Names{"__dev_queue_xmit", "ip_finish_output2", "ip_output"} + udp4_send_tx,
           Context::Syscall}},
         {S::Udp4},
         60},
    };
}

struct Netns {
    std::uint32_t inode;
    const char* dev; // the device packets arrive on inside it
    std::uint32_t ifindex;
};

constexpr std::array<Netns, 7> netns_table = {{
    {FakeNetns::host_inode, "eth0", 2},
    {4026532301U, "eth0", 2}, // "web"
    {4026532302U, "eth0", 2}, // "db"
    {4026532410U, "eth0", 14},
    {4026532411U, "eth0", 16},
    {4026532412U, "eth0", 18},
    {4026532413U, "eth0", 20},
}};

struct App {
    const char* comm;
    std::uint32_t pid;
};
constexpr std::array<App, 6> apps = {{{"curl", 3811},
                                      {"nginx", 1207},
                                      {"postgres", 988},
                                      {"python3", 4410},
                                      {"java", 2290},
                                      {"dig", 5120}}};

struct Flow {
    netdx_pkt pkt{};
    std::size_t netns = 0; // index in netns_table
    std::size_t app = 0;   // index in apps
};

constexpr std::array<std::uint16_t, 12> tcp_ports = {
    22, 80, 443, 3306, 5432, 6379, 8080, 8443, 9090, 9200, 11211, 27017};
constexpr std::array<std::uint16_t, 8> udp_ports = {53, 123, 161, 514, 1194, 4789, 5353, 51820};

void set_v4(
    std::uint8_t (&field)[16], std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    std::memset(field, 0, sizeof field);
    field[0] = a;
    field[1] = b;
    field[2] = c;
    field[3] = d;
}

void set_v6(std::uint8_t (&field)[16], std::uint16_t first, std::uint64_t low) {
    std::memset(field, 0, sizeof field);
    field[0] = static_cast<std::uint8_t>(first >> 8);
    field[1] = static_cast<std::uint8_t>(first);
    for (int i = 0; i < 8; ++i) {
        field[15 - i] = static_cast<std::uint8_t>(low >> (8 * i));
    }
}

Flow make_flow(Shape shape, Rng& rng) {
    Flow f;
    netdx_pkt& p = f.pkt;
    // Mostly the host namespace, then two named namespaces and a few unnamed containers.
    const auto ns_roll = rng.below(100);
    f.netns = ns_roll < 60 ? 0 : ns_roll < 70 ? 1 : ns_roll < 80 ? 2 : 3 + rng.below(4);
    f.app = rng.below(apps.size());
    p.origin = NETDX_ORIGIN_HEADERS;
    const bool v6 =
        shape == Shape::TcpSyn6 || shape == Shape::Udp6 || shape == Shape::Icmp6Multicast;
    p.family = v6 ? NETDX_PKT_IPV6 : NETDX_PKT_IPV4;
    p.ethertype = v6 ? 0x86dd : 0x0800;
    p.ttl = static_cast<std::uint8_t>(v6 ? 64 : 64 - rng.below(8));
    if (v6) {
        set_v6(p.saddr, 0x2001, 0x0db8000000000000ULL | rng.below(1U << 20));
        set_v6(p.daddr, 0xfd00, 0x100 + rng.below(64));
    } else {
        set_v4(p.saddr,
               static_cast<std::uint8_t>(rng.chance(500) ? 10 : 198),
               static_cast<std::uint8_t>(rng.chance(500) ? 51 : 20),
               static_cast<std::uint8_t>(rng.below(256)),
               static_cast<std::uint8_t>(1 + rng.below(254)));
        set_v4(p.daddr,
               10,
               0,
               static_cast<std::uint8_t>(rng.below(4)),
               static_cast<std::uint8_t>(1 + rng.below(32)));
    }
    const auto sport = static_cast<std::uint16_t>(rng.between(32768, 60999));
    switch (shape) {
    case Shape::TcpSyn4:
    case Shape::TcpSyn6:
    case Shape::Tcp4:
    case Shape::TcpRst4:
        p.l4_proto = 6;
        p.flags = NETDX_PKT_HAS_PORTS;
        p.sport = sport;
        p.dport = rng.chance(850) ? tcp_ports[rng.skewed(tcp_ports.size())]
                                  : static_cast<std::uint16_t>(rng.between(1024, 32767));
        break;
    case Shape::Udp4:
    case Shape::Udp6:
    case Shape::UdpSocket4:
        p.l4_proto = 17;
        p.flags = NETDX_PKT_HAS_PORTS;
        p.sport = sport;
        p.dport = rng.chance(800) ? udp_ports[rng.skewed(udp_ports.size())]
                                  : static_cast<std::uint16_t>(rng.between(1024, 65535));
        if (shape == Shape::UdpSocket4) {
            p.origin = NETDX_ORIGIN_SOCKET;
            p.ttl = 0;
            set_v4(p.saddr, 10, 0, 0, static_cast<std::uint8_t>(1 + rng.below(32)));
        }
        break;
    case Shape::IcmpEchoReply4:
        p.l4_proto = 1;
        p.flags = NETDX_PKT_HAS_ICMP;
        p.icmp_type = 0;
        break;
    case Shape::Icmp6Multicast:
        p.l4_proto = 58;
        p.flags = NETDX_PKT_HAS_ICMP;
        p.icmp_type = static_cast<std::uint8_t>(rng.chance(600) ? 135 : 143); // NS, MLDv2 report
        p.ttl = 255;
        set_v6(p.saddr, 0xfe80, 0x020c29fffe000000ULL | rng.below(1U << 24));
        set_v6(p.daddr, 0xff02, rng.chance(600) ? (0x1ff000000ULL | rng.below(1U << 24)) : 0x16);
        break;
    case Shape::Lldp:
        p = netdx_pkt{};
        p.ethertype = 0x88cc;
        break;
    }
    return f;
}

// Per-event packet details that vary within a flow.
void fill_packet(Shape shape, const Flow& flow, Rng& rng, netdx_pkt& p) {
    p = flow.pkt;
    switch (shape) {
    case Shape::TcpSyn4:
    case Shape::TcpSyn6:
        p.tcp_flags = 0x02;
        p.len = static_cast<std::uint16_t>(shape == Shape::TcpSyn6 ? 80 : 60);
        break;
    case Shape::Tcp4:
        p.tcp_flags = rng.chance(500) ? 0x10 : 0x18;
        p.len = static_cast<std::uint16_t>(rng.between(52, 1500));
        break;
    case Shape::TcpRst4:
        p.tcp_flags = rng.chance(500) ? 0x04 : 0x10;
        p.len = 40;
        break;
    case Shape::Udp4:
    case Shape::Udp6:
        p.len = static_cast<std::uint16_t>(rng.between(40, 1400));
        break;
    case Shape::IcmpEchoReply4:
        p.len = 84;
        break;
    case Shape::Icmp6Multicast:
        p.len = static_cast<std::uint16_t>(p.icmp_type == 135 ? 72 : 116);
        break;
    case Shape::UdpSocket4:
    case Shape::Lldp:
        break;
    }
}

template <std::size_t N>
void set_str(char (&field)[N], std::string_view text) {
    std::memset(field, 0, N);
    std::memcpy(field, text.data(), std::min(N, text.size()));
}

// A scenario made concrete: stacks as addresses, its flows, and its cumulative weight.
struct Prepared {
    const Scenario* scenario = nullptr;
    std::vector<std::vector<std::uint64_t>> stacks; // sk_skb_reason_drop first, then the dropper
    std::vector<std::uint64_t> locations;
    std::vector<std::pair<Flow, Shape>> flows;
    unsigned cumulative = 0;
};

struct Workload {
    std::vector<Scenario> scenarios;
    std::unique_ptr<SyntheticKallsyms> kallsyms;
    std::vector<Prepared> prepared;
    std::size_t flows = 0;
    std::size_t min_frames = NETDX_MAX_STACK;
    std::size_t max_frames = 0;
};

// The offset of a call site inside `fn`: fixed per function, like a real return address.
std::uint64_t call_site(std::string_view fn) {
    return 0x10 + (fnv1a(fn) % (SyntheticKallsyms::symbol_size - 0x20) & ~std::uint64_t{3});
}

Workload prepare_workload(Rng& rng) {
    Workload w;
    w.scenarios = scenarios();
    Names names = {"sk_skb_reason_drop"};
    for (const auto& s : w.scenarios) {
        for (const auto& v : s.stacks) {
            names.insert(names.end(), v.frames.begin(), v.frames.end());
        }
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    // A distribution kernel has some 60-70 thousand text symbols (vmlinux and loaded modules).
    w.kallsyms = std::make_unique<SyntheticKallsyms>(names, 65536);

    unsigned cumulative = 0;
    for (const auto& s : w.scenarios) {
        Prepared p;
        p.scenario = &s;
        for (const auto& v : s.stacks) {
            std::vector<std::uint64_t> addrs = {w.kallsyms->address_of("sk_skb_reason_drop") +
                                                call_site("sk_skb_reason_drop")};
            for (auto fn : v.frames) {
                addrs.push_back(w.kallsyms->address_of(fn) + call_site(fn));
            }
            p.locations.push_back(addrs[1]);
            if (!s.stack_failed) {
                w.min_frames = std::min(w.min_frames, v.frames.size());
                w.max_frames = std::max(w.max_frames, v.frames.size());
            }
            if (addrs.size() > NETDX_MAX_STACK) {
                std::cerr << "netdx_engine_bench: stack of '" << s.name << "' is too deep\n";
                std::exit(1);
            }
            p.stacks.push_back(std::move(addrs));
        }
        for (unsigned i = 0; i < s.flows; ++i) {
            const Shape shape = s.shapes[rng.below(s.shapes.size())];
            p.flows.emplace_back(make_flow(shape, rng), shape);
        }
        w.flows += s.flows;
        cumulative += s.weight;
        p.cumulative = cumulative;
        w.prepared.push_back(std::move(p));
    }
    if (cumulative != 1000) {
        std::cerr << "netdx_engine_bench: scenario weights add up to " << cumulative
                  << ", not 1000\n";
        std::exit(1);
    }
    return w;
}

void generate(const Workload& w, Rng& rng, std::span<netdx_drop_event> out) {
    std::uint64_t ts = 1'000'000'000'000ULL; // CLOCK_MONOTONIC, about 17 minutes after boot
    for (auto& ev : out) {
        const auto roll = static_cast<unsigned>(rng.below(1000));
        const auto& p = *std::find_if(w.prepared.begin(), w.prepared.end(), [&](const Prepared& x) {
            return roll < x.cumulative;
        });
        const auto& [flow, shape] = p.flows[rng.skewed(p.flows.size())];
        const auto variant = rng.below(p.stacks.size());
        const auto& stack = p.stacks[variant];
        const Context context = p.scenario->stacks[variant].context;
        const Netns& ns = netns_table[flow.netns];

        ev = netdx_drop_event{};
        ts += rng.between(50, 350);
        ev.hdr.ts_ns = ts;
        ev.hdr.kind = NETDX_EV_DROP;
        ev.hdr.size = sizeof(netdx_drop_event);
        ev.hdr.cpu = static_cast<std::uint32_t>(rng.below(8));
        ev.skb = 0xffff888100000000ULL | (rng.below(1ULL << 30) << 8);
        ev.location = p.locations[variant];
        ev.reason = p.scenario->reason;
        ev.netns = ns.inode;
        if (context == Context::Loopback) {
            ev.ifindex = 1;
            set_str(ev.dev, "lo");
        } else if (shape != Shape::UdpSocket4) {
            ev.ifindex = ns.ifindex;
            set_str(ev.dev, ns.dev);
        }
        std::string comm;
        switch (context) {
        case Context::Idle:
            comm = "swapper/" + std::to_string(ev.hdr.cpu);
            break;
        case Context::Ksoftirqd:
            comm = "ksoftirqd/" + std::to_string(ev.hdr.cpu);
            ev.pid = 14 + 8 * ev.hdr.cpu;
            break;
        case Context::Syscall:
        case Context::Loopback:
            comm = apps[flow.app].comm;
            ev.pid = apps[flow.app].pid;
            break;
        }
        set_str(ev.comm, comm);
        ev.tid = ev.pid;
        fill_packet(shape, flow, rng, ev.pkt);
        if (p.scenario->stack_failed) {
            ev.stack_bytes = -14; // -EFAULT
        } else {
            std::copy(stack.begin(), stack.end(), std::begin(ev.stack));
            ev.stack_bytes = static_cast<std::int32_t>(stack.size() * sizeof(ev.stack[0]));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Measuring

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Resident set size now, from /proc/self/statm (pages -> bytes).
std::uint64_t rss_bytes() {
    std::ifstream statm("/proc/self/statm");
    std::uint64_t size = 0;
    std::uint64_t resident = 0;
    statm >> size >> resident;
    return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

std::uint64_t peak_rss_bytes() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<std::uint64_t>(ru.ru_maxrss) * 1024; // KiB on Linux
}

// Busy and total jiffies of one CPU, from /proc/stat.
struct CpuTimes {
    std::uint64_t busy = 0;
    std::uint64_t total = 0;
    std::uint64_t steal = 0;
};

CpuTimes cpu_times(int cpu) {
    std::ifstream stat("/proc/stat");
    const std::string want = "cpu" + std::to_string(cpu);
    std::string line;
    while (std::getline(stat, line)) {
        std::istringstream in(line);
        std::string name;
        in >> name;
        if (name != want) {
            continue;
        }
        // user nice system idle iowait irq softirq steal
        std::array<std::uint64_t, 8> f{};
        for (auto& x : f) {
            in >> x;
        }
        CpuTimes t;
        for (auto x : f) {
            t.total += x;
        }
        t.busy = t.total - f[3] - f[4];
        t.steal = f[7];
        return t;
    }
    return {};
}

// RSS at 10%, 50% and 90% of a phase's records.
struct RssSamples {
    std::array<std::uint64_t, 3> bytes{};
};

class Checkpoints {
public:
    explicit Checkpoints(std::uint64_t n) : at_{n / 10, n / 2, n * 9 / 10} {}
    // Call with the index of the record about to be processed.
    void maybe_sample(std::uint64_t i, RssSamples& out) {
        if (next_ < at_.size() && i == at_[next_]) {
            out.bytes[next_++] = rss_bytes();
        }
    }

private:
    std::array<std::uint64_t, 3> at_;
    std::size_t next_ = 0;
};

struct Run {
    double seconds = 0;
    double cpu_seconds = 0;
    std::uint64_t findings = 0;
    std::uint64_t checksum = 0; // keeps the decoder's work observable
    std::uint64_t decode_errors = 0;
    RssSamples rss;
};

struct Replay {
    std::span<const netdx_drop_event> records;
    const DecodeContext* ctx = nullptr;
    const netdx::engine::RuleSet* rules = nullptr;
};

std::span<const std::uint8_t> bytes_of(const netdx_drop_event& ev) {
    return {reinterpret_cast<const std::uint8_t*>(&ev), sizeof ev};
}

Diagnoser make_diagnoser(const Replay& r) {
    Diagnoser::Options options;
    options.keep_going = true;
    return Diagnoser(*r.rules, options);
}

Run run_decode_only(const Replay& r) {
    Run run;
    Checkpoints cp(r.records.size());
    const double cpu0 = thread_cpu_seconds();
    const auto t0 = Clock::now();
    for (std::uint64_t i = 0; i < r.records.size(); ++i) {
        cp.maybe_sample(i, run.rss);
        auto ev = netdx::probes::decode_record(bytes_of(r.records[i]), *r.ctx);
        if (!ev) {
            ++run.decode_errors;
            continue;
        }
        run.checksum += ev->drop.stack.size() + ev->drop.reason.size();
    }
    run.seconds = seconds_between(t0, Clock::now());
    run.cpu_seconds = thread_cpu_seconds() - cpu0;
    return run;
}

Run run_decode_engine(const Replay& r,
                      Diagnoser::Stats* stats = nullptr,
                      std::vector<netdx::engine::Finding>* findings = nullptr) {
    Run run;
    Diagnoser diag = make_diagnoser(r);
    Checkpoints cp(r.records.size());
    const double cpu0 = thread_cpu_seconds();
    const auto t0 = Clock::now();
    for (std::uint64_t i = 0; i < r.records.size(); ++i) {
        cp.maybe_sample(i, run.rss);
        auto ev = netdx::probes::decode_record(bytes_of(r.records[i]), *r.ctx);
        if (!ev) {
            ++run.decode_errors;
            continue;
        }
        run.checksum += diag.process(*ev).size();
    }
    run.seconds = seconds_between(t0, Clock::now());
    run.cpu_seconds = thread_cpu_seconds() - cpu0;
    run.findings = diag.findings().size();
    if (stats != nullptr) {
        *stats = diag.stats();
    }
    if (findings != nullptr) {
        *findings = diag.findings();
    }
    return run;
}

// Decodes a chunk untimed, then times processing it: the engine's cost without the decoder's,
// on the same stream, with at most `chunk` events alive.
Run run_engine_only(const Replay& r) {
    constexpr std::size_t chunk = 1024;
    Run run;
    Diagnoser diag = make_diagnoser(r);
    Checkpoints cp(r.records.size());
    std::vector<Event> events;
    events.reserve(chunk);
    for (std::uint64_t start = 0; start < r.records.size(); start += chunk) {
        const std::uint64_t end = std::min<std::uint64_t>(start + chunk, r.records.size());
        events.clear();
        for (std::uint64_t i = start; i < end; ++i) {
            auto ev = netdx::probes::decode_record(bytes_of(r.records[i]), *r.ctx);
            if (ev) {
                events.push_back(std::move(*ev));
            } else {
                ++run.decode_errors;
            }
        }
        const double cpu0 = thread_cpu_seconds();
        const auto t0 = Clock::now();
        for (std::size_t k = 0; k < events.size(); ++k) {
            cp.maybe_sample(start + k, run.rss);
            run.checksum += diag.process(events[k]).size();
        }
        run.seconds += seconds_between(t0, Clock::now());
        run.cpu_seconds += thread_cpu_seconds() - cpu0;
    }
    run.findings = diag.findings().size();
    return run;
}

struct PhaseResult {
    std::string_view name;
    std::vector<Run> runs;

    // By CPU time: on a shared machine wall time also counts time the thread was not running.
    const Run& median() const {
        std::vector<const Run*> sorted;
        for (const auto& run : runs) {
            sorted.push_back(&run);
        }
        std::sort(sorted.begin(), sorted.end(), [](const Run* a, const Run* b) {
            return a->cpu_seconds < b->cpu_seconds;
        });
        return *sorted[sorted.size() / 2];
    }
};

std::string mib(std::uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return buf;
}

std::string cpu_model() {
    std::ifstream info("/proc/cpuinfo");
    std::string line;
    while (std::getline(info, line)) {
        if (line.starts_with("model name")) {
            const auto colon = line.find(':');
            return colon == std::string::npos ? line : line.substr(colon + 2);
        }
    }
    return "unknown";
}

std::string kernel_release() {
    std::ifstream f("/proc/sys/kernel/osrelease");
    std::string s;
    std::getline(f, s);
    return s;
}

using PerRule = std::map<std::string, std::pair<std::uint64_t, std::uint64_t>>; // findings, events

struct Report {
    const Options* opt = nullptr;
    std::size_t events = 0;
    std::size_t rules = 0;
    std::size_t flows = 0;
    std::size_t symbols = 0;
    std::size_t min_frames = 0;
    std::size_t max_frames = 0;
    std::array<PhaseResult, 3> phases;
    Diagnoser::Stats stats;
    PerRule per_rule;
    std::uint64_t rss_peak = 0;
    std::uint64_t rss_rules = 0;   // after loading the rules
    std::uint64_t rss_records = 0; // after generating the records
    std::uint64_t records_bytes = 0;
    double other_cpu_busy = 0; // percent of the measured time
    double own_cpu_steal = 0;  // percent, stolen by the hypervisor
    double measured_seconds = 0;
    std::uint64_t decode_errors = 0;

    double per_event_ns(double seconds) const {
        return seconds * 1e9 / static_cast<double>(events);
    }
    double rate(double seconds) const { return static_cast<double>(events) / seconds; }
    double base_cpu() const { return phases[0].median().cpu_seconds; }
};

void print_json(const Report& r) {
    nlohmann::json out;
    out["events"] = r.events;
    out["knowledge"] = r.opt->knowledge;
    out["rules"] = r.rules;
    out["cpu"] = r.opt->cpu;
    out["cpu_model"] = cpu_model();
    out["kernel"] = kernel_release();
    out["repeats"] = r.opt->repeats;
    out["seed"] = r.opt->seed;
    out["flows"] = r.flows;
    out["symbols"] = r.symbols;
    out["stack_frames"] = {r.min_frames, r.max_frames};
    out["decode_errors"] = r.decode_errors;
    for (const auto& ph : r.phases) {
        const Run& m = ph.median();
        nlohmann::json j;
        j["name"] = ph.name;
        j["cpu_seconds"] = m.cpu_seconds;
        j["wall_seconds"] = m.seconds;
        j["events_per_s"] = r.rate(m.cpu_seconds);
        j["ns_per_event"] = r.per_event_ns(m.cpu_seconds);
        j["events_per_wall_s"] = r.rate(m.seconds);
        j["ratio_vs_decode_only"] = m.cpu_seconds / r.base_cpu();
        j["findings"] = m.findings;
        j["rss_bytes_at_10_50_90_pct"] = m.rss.bytes;
        for (const auto& run : ph.runs) {
            j["runs"].push_back({{"cpu_seconds", run.cpu_seconds}, {"wall_seconds", run.seconds}});
        }
        out["phases"].push_back(j);
    }
    out["stats"] = {{"events", r.stats.events},
                    {"suppressed", r.stats.suppressed},
                    {"explained", r.stats.explained}};
    for (const auto& [id, v] : r.per_rule) {
        out["per_rule"][id] = {{"findings", v.first}, {"events", v.second}};
    }
    out["rss"] = {{"peak_bytes", r.rss_peak},
                  {"after_rules_bytes", r.rss_rules},
                  {"after_records_bytes", r.rss_records},
                  {"records_bytes", r.records_bytes}};
    out["load"] = {{"other_cpu_busy_pct", r.other_cpu_busy},
                   {"own_cpu_steal_pct", r.own_cpu_steal},
                   {"measured_seconds", r.measured_seconds}};
    std::cout << out.dump(2) << "\n";
}

void print_table(const Report& r) {
    std::printf("netdx engine benchmark: %zu events, %zu rules (%s), %zu flows, stacks of %zu-%zu "
                "frames, %zu kernel symbols\n",
                r.events,
                r.rules,
                r.opt->knowledge.c_str(),
                r.flows,
                r.min_frames,
                r.max_frames,
                r.symbols);
    std::printf("%s, kernel %s; pinned to CPU %d; median of %d runs; rates per CPU second of the "
                "pinned thread\n\n",
                cpu_model().c_str(),
                kernel_release().c_str(),
                r.opt->cpu,
                r.opt->repeats);
    std::printf("%-16s %9s %8s %8s %10s %9s %9s %9s %12s\n",
                "phase",
                "events",
                "CPU s",
                "wall s",
                "events/s",
                "ns/event",
                "vs decode",
                "findings",
                "events/wall-s");
    for (const auto& ph : r.phases) {
        const Run& m = ph.median();
        const bool baseline = &ph == &r.phases[0];
        std::printf("%-16s %9zu %8.3f %8.3f %10.0f %9.1f %8.2fx %9s %12.0f\n",
                    std::string(ph.name).c_str(),
                    r.events,
                    m.cpu_seconds,
                    m.seconds,
                    r.rate(m.cpu_seconds),
                    r.per_event_ns(m.cpu_seconds),
                    m.cpu_seconds / r.base_cpu(),
                    baseline ? "-" : std::to_string(m.findings).c_str(),
                    r.rate(m.seconds));
    }
    std::printf("\nruns, CPU s (wall s):");
    for (const auto& ph : r.phases) {
        std::printf(" %s", std::string(ph.name).c_str());
        for (const auto& run : ph.runs) {
            std::printf(" %.3f (%.3f)", run.cpu_seconds, run.seconds);
        }
        std::printf(";");
    }
    std::printf("\nevents: %llu suppressed as benign, %llu explained; findings per rule:",
                static_cast<unsigned long long>(r.stats.suppressed),
                static_cast<unsigned long long>(r.stats.explained));
    for (const auto& [id, v] : r.per_rule) {
        std::printf(" %s %llu (%llu events);",
                    id.c_str(),
                    static_cast<unsigned long long>(v.first),
                    static_cast<unsigned long long>(v.second));
    }
    std::printf("\nRSS: peak %s MiB (ru_maxrss); %s MiB after loading rules, %s MiB after "
                "generating the records (%s MiB of them)\n",
                mib(r.rss_peak).c_str(),
                mib(r.rss_rules).c_str(),
                mib(r.rss_records).c_str(),
                mib(r.records_bytes).c_str());
    for (const auto& ph : r.phases) {
        const auto& b = ph.median().rss.bytes;
        std::printf("RSS in %-15s %s / %s / %s MiB at 10%% / 50%% / 90%% of the run, i.e. "
                    "+%s / +%s / +%s MiB over the RSS after generating the records\n",
                    (std::string(ph.name) + ":").c_str(),
                    mib(b[0]).c_str(),
                    mib(b[1]).c_str(),
                    mib(b[2]).c_str(),
                    mib(b[0] - r.rss_records).c_str(),
                    mib(b[1] - r.rss_records).c_str(),
                    mib(b[2] - r.rss_records).c_str());
    }
    const Run& de = r.phases[1].median();
    std::printf("load while measuring (%.0f s): other CPU %.0f%% busy, steal on CPU %d %.1f%%; "
                "CPU/wall of the decode + engine run %.2f\n",
                r.measured_seconds,
                r.other_cpu_busy,
                r.opt->cpu,
                r.own_cpu_steal,
                de.cpu_seconds / de.seconds);
    if (r.decode_errors != 0) {
        std::printf("decode errors: %llu\n", static_cast<unsigned long long>(r.decode_errors));
    }
}

} // namespace

int main(int argc, char** argv) {
    Options opt;
    if (!parse_options(argc, argv, opt)) {
        return 2;
    }

    // One core, so the numbers mean "per core".
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(opt.cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
        std::perror("netdx_engine_bench: sched_setaffinity");
        return 1;
    }

    // The rules and, as netdx loads them, the drop-reason entries the kernel-drop rules read.
    std::vector<std::string> sources{opt.knowledge};
    if (std::filesystem::is_directory(opt.knowledge + "/drop-reasons")) {
        sources.push_back(opt.knowledge + "/drop-reasons");
    }
    auto loaded = netdx::engine::loader::load_rule_paths(sources);
    netdx::engine::render_text(std::cerr, loaded.diagnostics);
    if (loaded.diagnostics.has_errors()) {
        std::cerr << "netdx_engine_bench: the rules in " << opt.knowledge << " have errors\n";
        return 1;
    }
    const std::uint64_t rss_start = rss_bytes();

    // Records, generated before any timing.
    Rng rng(opt.seed);
    Workload workload = prepare_workload(rng);
    std::vector<netdx_drop_event> records(opt.events);
    generate(workload, rng, records);
    const std::uint64_t rss_records = rss_bytes();

    FakeNetns netns;
    DecodeContext ctx;
    ctx.reason_names = reason_names();
    ctx.symbolizer = workload.kallsyms.get();
    ctx.netns = &netns;
    ctx.mono_to_realtime_ns = 1'763'000'000'000'000'000LL - 1'000'000'000'000LL;
    const Replay replay{records, &ctx, &loaded.rules};

    if (!opt.profile.empty()) {
        const Run run = opt.profile == "decode"          ? run_decode_only(replay)
                        : opt.profile == "decode+engine" ? run_decode_engine(replay)
                                                         : run_engine_only(replay);
        std::printf("%s: %zu events in %.3f s, %.1f ns/event, %llu findings\n",
                    opt.profile.c_str(),
                    records.size(),
                    run.seconds,
                    run.seconds * 1e9 / static_cast<double>(records.size()),
                    static_cast<unsigned long long>(run.findings));
        return 0;
    }

    // Warm-up: caches, branch predictors, malloc arenas, page faults of the first findings.
    const std::size_t warm = std::min<std::size_t>(records.size(), 200'000);
    const Replay warm_replay{replay.records.first(warm), &ctx, &loaded.rules};
    (void)run_decode_only(warm_replay);
    (void)run_decode_engine(warm_replay);
    (void)run_engine_only(warm_replay);

    std::array<PhaseResult, 3> phases = {
        {{"decode only", {}}, {"decode + engine", {}}, {"engine only", {}}}};
    Diagnoser::Stats stats;
    std::vector<netdx::engine::Finding> findings;
    const CpuTimes other0 = cpu_times(1 - std::min(opt.cpu, 1));
    const CpuTimes self0 = cpu_times(opt.cpu);
    const auto wall0 = Clock::now();
    for (int rep = 0; rep < opt.repeats; ++rep) {
        phases[0].runs.push_back(run_decode_only(replay));
        phases[1].runs.push_back(rep == 0 ? run_decode_engine(replay, &stats, &findings)
                                          : run_decode_engine(replay));
        phases[2].runs.push_back(run_engine_only(replay));
    }
    const double measured = seconds_between(wall0, Clock::now());
    const CpuTimes other1 = cpu_times(1 - std::min(opt.cpu, 1));
    const CpuTimes self1 = cpu_times(opt.cpu);
    const auto pct = [](std::uint64_t part, std::uint64_t whole) {
        return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
    };
    const double other_busy = pct(other1.busy - other0.busy, other1.total - other0.total);
    const double self_steal = pct(self1.steal - self0.steal, self1.total - self0.total);
    const std::uint64_t peak = peak_rss_bytes();

    // Findings per rule, from the first decode+engine run.
    PerRule per_rule;
    for (const auto& f : findings) {
        auto& [n, events] = per_rule[f.rule_id];
        ++n;
        events += f.count;
    }

    Report report;
    report.opt = &opt;
    report.events = records.size();
    report.rules = loaded.rules.rules.size();
    report.flows = workload.flows;
    report.symbols = workload.kallsyms->size();
    report.min_frames = workload.min_frames;
    report.max_frames = workload.max_frames;
    report.phases = std::move(phases);
    report.stats = stats;
    report.per_rule = std::move(per_rule);
    report.rss_peak = peak;
    report.rss_rules = rss_start;
    report.rss_records = rss_records;
    report.records_bytes = records.size() * sizeof(netdx_drop_event);
    report.other_cpu_busy = other_busy;
    report.own_cpu_steal = self_steal;
    report.measured_seconds = measured;
    for (const auto& ph : report.phases) {
        for (const auto& run : ph.runs) {
            report.decode_errors += run.decode_errors;
        }
    }
    if (opt.json) {
        print_json(report);
    } else {
        print_table(report);
    }
    return 0;
}
