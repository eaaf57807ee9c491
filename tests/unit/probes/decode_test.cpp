// SPDX-License-Identifier: GPL-2.0
// decode_record against hand-built kernel records (bpf/events.h).
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "bpf/events.h"
#include "probes/decode.h"

namespace {

using netdx::engine::Event;
using netdx::engine::Frame;
using netdx::engine::IpAddr;
using netdx::engine::PacketFamily;
using netdx::engine::PacketOrigin;
using netdx::probes::decode_record;
using netdx::probes::DecodeContext;

constexpr std::uint64_t tcp_v4_rcv = 0xffffffff81a00000;
constexpr std::uint64_t ip_local_deliver = 0xffffffff81900000;
constexpr std::uint64_t sk_skb_reason_drop = 0xffffffff81500000;
constexpr std::uint64_t bpf_trace_run4 = 0xffffffff81200000;
constexpr std::uint64_t traceiter = 0xffffffff81300000;
constexpr std::uint64_t bpf_prog = 0xffffffffc0001000;

class FakeSymbolizer final : public netdx::probes::Symbolizer {
public:
    FakeSymbolizer() {
        syms_ = {{tcp_v4_rcv, "tcp_v4_rcv"},
                 {ip_local_deliver, "ip_local_deliver"},
                 {sk_skb_reason_drop, "sk_skb_reason_drop"},
                 {bpf_trace_run4, "bpf_trace_run4"},
                 {traceiter, "__traceiter_kfree_skb"},
                 {bpf_prog, "bpf_prog_6deef7357e7b4530_handle_kfree_skb"}};
    }
    Frame lookup(std::uint64_t addr) const override {
        auto it = syms_.upper_bound(addr);
        if (it == syms_.begin()) {
            return Frame{addr, {}, 0};
        }
        --it;
        return Frame{addr, it->second, addr - it->first};
    }

private:
    std::map<std::uint64_t, std::string> syms_;
};

class FakeNamer final : public netdx::probes::NetnsNamer {
public:
    std::string name_of(std::uint32_t inode) override {
        ++calls;
        return inode == 4026531840U ? "host" : "";
    }
    int calls = 0;
};

struct Fixture {
    FakeSymbolizer symbolizer;
    FakeNamer namer;
    DecodeContext ctx;

    Fixture() {
        ctx.reason_names = {{2, "NOT_SPECIFIED"}, {3, "NO_SOCKET"}, {12, "NETFILTER_DROP"}};
        ctx.symbolizer = &symbolizer;
        ctx.netns = &namer;
        ctx.mono_to_realtime_ns = 1'700'000'000'000'000'000;
    }
};

template <std::size_t N>
void set_str(char (&field)[N], const char* text) {
    std::memset(field, 0, N);
    std::memcpy(field, text, std::min(N, std::strlen(text)));
}

void set_v4(__u8 (&field)[16], std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    std::memset(field, 0, sizeof(field));
    field[0] = a;
    field[1] = b;
    field[2] = c;
    field[3] = d;
}

void set_stack(netdx_drop_event& ev, const std::vector<std::uint64_t>& frames) {
    for (std::size_t i = 0; i < frames.size(); ++i) {
        ev.stack[i] = frames[i];
    }
    ev.stack_bytes = static_cast<__s32>(frames.size() * sizeof(ev.stack[0]));
}

// A TCP SYN 127.0.0.1:40000 -> 127.0.0.1:9 dropped by tcp_v4_rcv (no socket).
netdx_drop_event tcp_v4_drop() {
    netdx_drop_event ev{};
    ev.hdr.ts_ns = 5'000'000'000;
    ev.hdr.kind = NETDX_EV_DROP;
    ev.hdr.size = sizeof(ev);
    ev.hdr.cpu = 1;
    ev.skb = 0xffff888012345600;
    ev.location = tcp_v4_rcv + 0x99;
    ev.reason = 3;
    ev.netns = 4026531840U;
    ev.ifindex = 1;
    ev.pid = 4242;
    ev.tid = 4243;
    set_str(ev.comm, "curl");
    set_str(ev.dev, "lo");
    ev.pkt.family = NETDX_PKT_IPV4;
    ev.pkt.origin = NETDX_ORIGIN_HEADERS;
    ev.pkt.flags = NETDX_PKT_HAS_PORTS;
    ev.pkt.l4_proto = 6;
    ev.pkt.tcp_flags = 0x02;
    ev.pkt.ttl = 64;
    ev.pkt.sport = 40000;
    ev.pkt.dport = 9;
    ev.pkt.len = 60;
    ev.pkt.ethertype = 0x0800;
    set_v4(ev.pkt.saddr, 127, 0, 0, 1);
    set_v4(ev.pkt.daddr, 127, 0, 0, 1);
    set_stack(ev, {sk_skb_reason_drop + 0x90, tcp_v4_rcv + 0x99, ip_local_deliver + 0x10});
    return ev;
}

std::vector<std::uint8_t> bytes_of(const netdx_drop_event& ev, std::size_t extra = 0) {
    std::vector<std::uint8_t> out(sizeof(ev) + extra, 0xab);
    std::memcpy(out.data(), &ev, sizeof(ev));
    return out;
}

Event decode_ok(const netdx_drop_event& ev, const DecodeContext& ctx) {
    const auto bytes = bytes_of(ev);
    auto decoded = decode_record(bytes, ctx);
    REQUIRE_MESSAGE(decoded.has_value(), (decoded ? "" : decoded.error().message));
    return std::move(*decoded);
}

std::vector<std::string> frame_texts(const Event& e) {
    std::vector<std::string> out;
    for (const auto& f : e.drop.stack) {
        out.push_back(f.text());
    }
    return out;
}

} // namespace

TEST_CASE("decode: a TCP/IPv4 drop becomes an event with names, wall-clock time and a stack") {
    Fixture fx;
    const Event e = decode_ok(tcp_v4_drop(), fx.ctx);

    CHECK(e.kind == netdx::engine::EventKind::Drop);
    CHECK(e.ts_ns == 5'000'000'000ULL + 1'700'000'000'000'000'000ULL);
    CHECK(e.cpu == 1);
    CHECK(e.skb == 0xffff888012345600ULL);
    CHECK(e.netns == 4026531840U);
    CHECK(e.netns_name == "host");
    CHECK(e.ifindex == 1);
    CHECK(e.dev == "lo");
    CHECK(e.pid == 4242);
    CHECK(e.comm == "curl");
    CHECK(e.drop.reason_code == 3);
    CHECK(e.drop.reason == "NO_SOCKET");
    CHECK(e.drop.location.symbol == "tcp_v4_rcv");
    CHECK(e.drop.location.offset == 0x99);
    CHECK(e.drop.location.text() == "tcp_v4_rcv+0x99");
    CHECK(frame_texts(e) == std::vector<std::string>{"tcp_v4_rcv+0x99", "ip_local_deliver+0x10"});

    const auto& p = e.pkt;
    CHECK(p.family == PacketFamily::Ipv4);
    CHECK(p.origin == PacketOrigin::Headers);
    CHECK(p.l4_proto == 6);
    CHECK(p.has_ports);
    CHECK_FALSE(p.has_icmp);
    CHECK(p.tcp_flags == 0x02);
    CHECK(p.ttl == 64);
    CHECK(p.sport == 40000);
    CHECK(p.dport == 9);
    CHECK(p.len == 60);
    CHECK(p.ethertype == 0x0800);
    CHECK(p.saddr == *IpAddr::parse("127.0.0.1"));
    CHECK(p.daddr == *IpAddr::parse("127.0.0.1"));
}

TEST_CASE("decode: a UDP/IPv6 drop carries IPv6 addresses and host-order ports") {
    Fixture fx;
    auto ev = tcp_v4_drop();
    ev.pkt.family = NETDX_PKT_IPV6;
    ev.pkt.l4_proto = 17;
    ev.pkt.tcp_flags = 0;
    ev.pkt.sport = 5353;
    ev.pkt.dport = 53;
    ev.pkt.len = 88;
    ev.pkt.ttl = 255;
    ev.pkt.ethertype = 0x86dd;
    const auto src = *IpAddr::parse("fd00::1");
    const auto dst = *IpAddr::parse("2001:db8::53");
    std::memcpy(ev.pkt.saddr, src.bytes().data(), 16);
    std::memcpy(ev.pkt.daddr, dst.bytes().data(), 16);

    const Event e = decode_ok(ev, fx.ctx);
    CHECK(e.pkt.family == PacketFamily::Ipv6);
    CHECK(e.pkt.l4_proto == 17);
    CHECK(e.pkt.has_ports);
    CHECK(e.pkt.sport == 5353);
    CHECK(e.pkt.dport == 53);
    CHECK(e.pkt.len == 88);
    CHECK(e.pkt.ttl == 255);
    CHECK(e.pkt.saddr == src);
    CHECK(e.pkt.daddr == dst);
    CHECK(e.pkt.saddr.to_string() == "fd00::1");
}

TEST_CASE("decode: an ICMP drop has type and code but no ports") {
    Fixture fx;
    auto ev = tcp_v4_drop();
    ev.pkt.l4_proto = 1;
    ev.pkt.flags = NETDX_PKT_HAS_ICMP;
    ev.pkt.tcp_flags = 0;
    ev.pkt.icmp_type = 8;
    ev.pkt.icmp_code = 0;
    ev.pkt.sport = 0;
    ev.pkt.dport = 0;
    set_v4(ev.pkt.saddr, 10, 0, 0, 1);
    set_v4(ev.pkt.daddr, 10, 0, 0, 2);

    const Event e = decode_ok(ev, fx.ctx);
    CHECK(e.pkt.has_icmp);
    CHECK_FALSE(e.pkt.has_ports);
    CHECK(e.pkt.icmp_type == 8);
    CHECK(e.pkt.icmp_code == 0);
    CHECK(e.pkt.saddr.to_string() == "10.0.0.1");
    CHECK(e.pkt.daddr.to_string() == "10.0.0.2");
}

TEST_CASE("decode: ports and ICMP fields are ignored unless their flag is set") {
    Fixture fx;
    auto ev = tcp_v4_drop();
    ev.pkt.flags = 0;
    ev.pkt.icmp_type = 3;
    const Event e = decode_ok(ev, fx.ctx);
    CHECK_FALSE(e.pkt.has_ports);
    CHECK(e.pkt.sport == 0);
    CHECK(e.pkt.dport == 0);
    CHECK(e.pkt.icmp_type == 0);
}

TEST_CASE("decode: an ARP drop carries the sender and target IPv4 addresses") {
    Fixture fx;
    auto ev = tcp_v4_drop();
    ev.pkt.family = NETDX_PKT_ARP;
    ev.pkt.flags = 0;
    ev.pkt.l4_proto = 0;
    ev.pkt.tcp_flags = 0;
    ev.pkt.ttl = 0;
    ev.pkt.ethertype = 0x0806;
    set_v4(ev.pkt.saddr, 192, 168, 1, 10);
    set_v4(ev.pkt.daddr, 192, 168, 1, 1);

    const Event e = decode_ok(ev, fx.ctx);
    CHECK(e.pkt.family == PacketFamily::Arp);
    CHECK(e.pkt.ethertype == 0x0806);
    CHECK(e.pkt.saddr.family() == netdx::engine::IpFamily::V4);
    CHECK(e.pkt.saddr.to_string() == "192.168.1.10");
    CHECK(e.pkt.daddr.to_string() == "192.168.1.1");
    CHECK_FALSE(e.pkt.has_ports);
}

TEST_CASE("decode: socket-origin packet fields keep their origin") {
    Fixture fx;
    auto ev = tcp_v4_drop();
    ev.pkt.origin = NETDX_ORIGIN_SOCKET;
    ev.pkt.ethertype = 0;
    ev.pkt.tcp_flags = 0;
    ev.pkt.ttl = 0;
    ev.pkt.len = 0;
    set_str(ev.dev, "");
    ev.ifindex = 0;

    const Event e = decode_ok(ev, fx.ctx);
    CHECK(e.pkt.origin == PacketOrigin::Socket);
    CHECK(e.pkt.family == PacketFamily::Ipv4);
    CHECK(e.pkt.sport == 40000);
    CHECK(e.pkt.dport == 9);
    CHECK(e.dev.empty());
}

TEST_CASE("decode: a packet without a family has no addresses") {
    Fixture fx;
    auto ev = tcp_v4_drop();
    ev.pkt = netdx_pkt{};
    ev.pkt.ethertype = 0x88cc; // LLDP
    const Event e = decode_ok(ev, fx.ctx);
    CHECK(e.pkt.family == PacketFamily::None);
    CHECK(e.pkt.origin == PacketOrigin::None);
    CHECK_FALSE(e.pkt.saddr.is_set());
    CHECK(e.pkt.ethertype == 0x88cc);
}

TEST_CASE("decode: every record shorter than a drop event is an error, not a crash") {
    Fixture fx;
    const auto full = bytes_of(tcp_v4_drop());
    for (std::size_t len = 0; len < sizeof(netdx_drop_event); ++len) {
        // A copy of exactly `len` bytes, so reading past it would be caught by sanitizers.
        const std::vector<std::uint8_t> cut(full.begin(), full.begin() + static_cast<long>(len));
        auto decoded = decode_record(cut, fx.ctx);
        CHECK_MESSAGE(!decoded.has_value(), "length " << len);
    }
}

TEST_CASE("decode: a header size larger than the record is an error") {
    Fixture fx;
    auto ev = tcp_v4_drop();
    ev.hdr.size = sizeof(ev) + 8;
    auto decoded = decode_record(bytes_of(ev), fx.ctx);
    REQUIRE_FALSE(decoded.has_value());
    CHECK(decoded.error().message.find("header says") != std::string::npos);
}

TEST_CASE("decode: a header size smaller than the drop event is an error") {
    Fixture fx;
    auto ev = tcp_v4_drop();
    ev.hdr.size = sizeof(ev) - 8;
    auto decoded = decode_record(bytes_of(ev), fx.ctx);
    REQUIRE_FALSE(decoded.has_value());
    CHECK(decoded.error().message.find("drop record of") != std::string::npos);

    ev.hdr.size = 0;
    CHECK_FALSE(decode_record(bytes_of(ev), fx.ctx).has_value());
}

TEST_CASE("decode: a record longer than the drop event (newer ABI) still decodes") {
    Fixture fx;
    auto ev = tcp_v4_drop();
    ev.hdr.size = sizeof(ev) + 16;
    auto decoded = decode_record(bytes_of(ev, 16), fx.ctx);
    REQUIRE(decoded.has_value());
    CHECK(decoded->drop.reason == "NO_SOCKET");
}

TEST_CASE("decode: an unknown event kind is an error") {
    Fixture fx;
    auto ev = tcp_v4_drop();
    ev.hdr.kind = 99;
    auto decoded = decode_record(bytes_of(ev), fx.ctx);
    REQUIRE_FALSE(decoded.has_value());
    CHECK(decoded.error().message.find("unknown event kind 99") != std::string::npos);
}

TEST_CASE("decode: an unknown drop reason is shown as its number") {
    Fixture fx;
    auto ev = tcp_v4_drop();
    ev.reason = 200;
    const Event e = decode_ok(ev, fx.ctx);
    CHECK(e.drop.reason_code == 200);
    CHECK(e.drop.reason == "reason 200");

    DecodeContext empty;
    CHECK(decode_ok(tcp_v4_drop(), empty).drop.reason == "reason 3");
}

TEST_CASE("decode: frames above the one equal to the location are stripped") {
    Fixture fx;
    auto ev = tcp_v4_drop();
    // Another kernel build: prog, runner, traceiter, sk_skb_reason_drop, then the dropper.
    set_stack(ev,
              {bpf_prog + 0x40,
               bpf_trace_run4 + 0x50,
               traceiter + 0x20,
               sk_skb_reason_drop + 0x90,
               tcp_v4_rcv + 0x99,
               ip_local_deliver + 0x10});
    const Event e = decode_ok(ev, fx.ctx);
    CHECK(frame_texts(e) == std::vector<std::string>{"tcp_v4_rcv+0x99", "ip_local_deliver+0x10"});
}

TEST_CASE("decode: without the location on the stack, dispatch frames are stripped by name") {
    Fixture fx;
    auto ev = tcp_v4_drop();
    ev.location = tcp_v4_rcv + 0x123; // not on the stack
    set_stack(ev,
              {bpf_prog + 0x40,
               bpf_trace_run4 + 0x50,
               traceiter + 0x20,
               sk_skb_reason_drop + 0x90,
               tcp_v4_rcv + 0x99,
               ip_local_deliver + 0x10,
               sk_skb_reason_drop + 0x10}); // only leading frames are stripped
    const Event e = decode_ok(ev, fx.ctx);
    CHECK(frame_texts(e) == std::vector<std::string>{"tcp_v4_rcv+0x99",
                                                     "ip_local_deliver+0x10",
                                                     "sk_skb_reason_drop+0x10"});
}

TEST_CASE("decode: without a symbolizer frames keep bare addresses") {
    auto ev = tcp_v4_drop();
    DecodeContext ctx;
    const Event e = decode_ok(ev, ctx);
    CHECK(e.drop.location.symbol.empty());
    CHECK(e.drop.location.addr == tcp_v4_rcv + 0x99);
    REQUIRE(e.drop.stack.size() == 2);
    CHECK(e.drop.stack[0].addr == tcp_v4_rcv + 0x99);
    CHECK(e.netns_name.empty());
}

TEST_CASE("decode: a negative or zero stack_bytes means no stack") {
    Fixture fx;
    auto ev = tcp_v4_drop();
    ev.stack_bytes = -14; // -EFAULT
    CHECK(decode_ok(ev, fx.ctx).drop.stack.empty());
    ev.stack_bytes = 0;
    CHECK(decode_ok(ev, fx.ctx).drop.stack.empty());
}

TEST_CASE("decode: stack_bytes is clamped to the stack array and to whole frames") {
    Fixture fx;
    auto ev = tcp_v4_drop();
    for (std::size_t i = 0; i < NETDX_MAX_STACK; ++i) {
        ev.stack[i] = ip_local_deliver + i;
    }
    ev.stack[0] = tcp_v4_rcv + 0x99;
    ev.stack_bytes = 1 << 20;
    CHECK(decode_ok(ev, fx.ctx).drop.stack.size() == NETDX_MAX_STACK);
    ev.stack_bytes = 8 * 3 + 5;
    CHECK(decode_ok(ev, fx.ctx).drop.stack.size() == 3);
}

TEST_CASE("decode: comm and dev are read up to the first NUL within their 16 bytes") {
    Fixture fx;
    auto ev = tcp_v4_drop();
    std::memset(ev.comm, 'x', sizeof(ev.comm)); // no NUL at all
    set_str(ev.dev, "veth0");
    ev.dev[7] = 'z'; // garbage after the NUL
    const Event e = decode_ok(ev, fx.ctx);
    CHECK(e.comm == std::string(16, 'x'));
    CHECK(e.dev == "veth0");
}

TEST_CASE("decode: the netns namer is asked only for a known inode") {
    Fixture fx;
    auto ev = tcp_v4_drop();
    ev.netns = 0;
    const Event e = decode_ok(ev, fx.ctx);
    CHECK(e.netns_name.empty());
    CHECK(fx.namer.calls == 0);
    ev.netns = 4026532000U;
    CHECK(decode_ok(ev, fx.ctx).netns_name.empty());
    CHECK(fx.namer.calls == 1);
}

TEST_CASE("decode: BTF enumerators map to reason names without their prefix") {
    using netdx::probes::drop_reason_short_name;
    CHECK(drop_reason_short_name("SKB_DROP_REASON_NO_SOCKET") == "NO_SOCKET");
    CHECK(drop_reason_short_name("SKB_DROP_REASON_NETFILTER_DROP") == "NETFILTER_DROP");
    CHECK(drop_reason_short_name("SKB_CONSUMED") == "CONSUMED");
    CHECK(drop_reason_short_name("SKB_NOT_DROPPED_YET") == "NOT_DROPPED_YET");
    CHECK(drop_reason_short_name("SKB_DROP_REASON_MAX").empty());
    CHECK(drop_reason_short_name("SKB_DROP_REASON_SUBSYS_MASK").empty());
}

TEST_CASE("decode: a subsystem's reason is named by its subsystem, never a bare number") {
    using netdx::probes::drop_reason_name;
    const netdx::probes::ReasonNames names{
        {3, "NO_SOCKET"}, {1U << 16, "MAC80211_UNUSABLE"}, {2U << 16, "OPENVSWITCH"}};
    CHECK(drop_reason_name(names, 3) == "NO_SOCKET");
    CHECK(drop_reason_name(names, (2U << 16) | 3) == "OPENVSWITCH:3");
    CHECK(drop_reason_name(names, (1U << 16) | 12) == "MAC80211_UNUSABLE:12");
    CHECK(drop_reason_name(names, (7U << 16) | 1) == "reason 458753"); // unknown subsystem
    CHECK(drop_reason_name(names, 500) == "reason 500");
    CHECK(netdx::probes::is_subsystem_reason(2U << 16));
    CHECK_FALSE(netdx::probes::is_subsystem_reason(127));
}

namespace {

netdx_trace_event trace_record(__u16 tracepoint) {
    netdx_trace_event ev{};
    ev.hdr.ts_ns = 7'000'000'000;
    ev.hdr.kind = NETDX_EV_TRACE;
    ev.hdr.size = sizeof(ev);
    ev.tracepoint = tracepoint;
    ev.netns = 4026531840U;
    ev.pid = 77;
    set_str(ev.comm, "curl");
    ev.pkt.family = NETDX_PKT_IPV4;
    ev.pkt.origin = NETDX_ORIGIN_HEADERS;
    ev.pkt.flags = NETDX_PKT_HAS_PORTS;
    ev.pkt.l4_proto = 6;
    ev.pkt.sport = 40000;
    ev.pkt.dport = 80;
    set_v4(ev.pkt.saddr, 10, 0, 0, 1);
    set_v4(ev.pkt.daddr, 10, 0, 0, 2);
    return ev;
}

Event decode_trace_ok(const netdx_trace_event& ev, const DecodeContext& ctx) {
    std::vector<std::uint8_t> bytes(sizeof(ev));
    std::memcpy(bytes.data(), &ev, sizeof(ev));
    auto decoded = decode_record(bytes, ctx);
    REQUIRE_MESSAGE(decoded.has_value(), (decoded ? "" : decoded.error().message));
    return std::move(*decoded);
}

} // namespace

TEST_CASE("decode: a failed route lookup has its table and error, and no stale gateway") {
    Fixture fx;
    auto rec = trace_record(NETDX_TP_FIB_TABLE_LOOKUP);
    rec.has = NETDX_HAS_ERR | NETDX_HAS_TABLE;
    rec.err = -11;
    rec.table = 254;
    set_v4(rec.gateway, 12, 0, 0, 0); // garbage the kernel leaves when there is no gateway
    const Event ev = decode_trace_ok(rec, fx.ctx);
    CHECK(ev.kind == netdx::engine::EventKind::Route);
    CHECK(ev.trace.tracepoint == "fib:fib_table_lookup");
    CHECK(ev.trace.err == -11);
    CHECK(ev.trace.table == 254u);
    CHECK_FALSE(ev.trace.gateway.is_set());
    CHECK(ev.pkt.daddr.to_string() == "10.0.0.2");
    CHECK(ev.netns_name == "host");
    CHECK(ev.drop.reason.empty());

    rec.has |= NETDX_HAS_GATEWAY;
    rec.gw_family = NETDX_PKT_IPV4;
    set_v4(rec.gateway, 10, 0, 0, 254);
    CHECK(decode_trace_ok(rec, fx.ctx).trace.gateway.to_string() == "10.0.0.254");
}

TEST_CASE("decode: states are named as TCP states, or as neighbour states for neigh events") {
    Fixture fx;
    auto sock = trace_record(NETDX_TP_INET_SOCK_SET_STATE);
    sock.has = NETDX_HAS_STATE | NETDX_HAS_OLD_STATE;
    sock.old_state = 2; // TCP_SYN_SENT
    sock.state = 7;     // TCP_CLOSE
    const Event s = decode_trace_ok(sock, fx.ctx);
    CHECK(s.kind == netdx::engine::EventKind::Sock);
    CHECK(s.trace.old_state == "SYN_SENT");
    CHECK(s.trace.state == "CLOSE");

    auto neigh = trace_record(NETDX_TP_NEIGH_UPDATE);
    neigh.has = NETDX_HAS_STATE | NETDX_HAS_OLD_STATE;
    neigh.old_state = 0x01; // NUD_INCOMPLETE
    neigh.state = 0x20;     // NUD_FAILED
    const Event n = decode_trace_ok(neigh, fx.ctx);
    CHECK(n.kind == netdx::engine::EventKind::Neigh);
    CHECK(n.trace.old_state == "INCOMPLETE");
    CHECK(n.trace.state == "FAILED");
    CHECK_FALSE(n.trace.err.has_value()); // not in `has`
}

TEST_CASE("decode: ICMP errors sent, XDP exceptions and RST reasons keep their details") {
    Fixture fx;
    auto icmp = trace_record(NETDX_TP_ICMP_SEND);
    icmp.has = NETDX_HAS_AUX;
    icmp.aux = 3 << 8 | 3;
    const Event i = decode_trace_ok(icmp, fx.ctx);
    CHECK(i.kind == netdx::engine::EventKind::Icmp);
    CHECK(i.trace.sent_icmp_type == 3);
    CHECK(i.trace.sent_icmp_code == 3);

    auto xdp = trace_record(NETDX_TP_XDP_EXCEPTION);
    xdp.has = NETDX_HAS_TABLE | NETDX_HAS_AUX;
    xdp.table = 42;
    xdp.aux = 0;
    set_str(xdp.object, "xdp_abort_all");
    const Event x = decode_trace_ok(xdp, fx.ctx);
    CHECK(x.kind == netdx::engine::EventKind::Xdp);
    CHECK(x.trace.xdp_prog_id == 42);
    CHECK(x.trace.xdp_prog == "xdp_abort_all");
    CHECK(x.trace.xdp_action == "ABORTED");

    auto rst = trace_record(NETDX_TP_TCP_SEND_RESET);
    rst.has = NETDX_HAS_AUX;
    rst.aux = 1;
    CHECK(decode_trace_ok(rst, fx.ctx).trace.rst_reason == 1u);
}

TEST_CASE("decode: an unknown tracepoint id or a short trace record is an error") {
    Fixture fx;
    auto rec = trace_record(999);
    std::vector<std::uint8_t> bytes(sizeof(rec));
    std::memcpy(bytes.data(), &rec, sizeof(rec));
    CHECK_FALSE(decode_record(bytes, fx.ctx).has_value());
    rec.tracepoint = NETDX_TP_TCP_BAD_CSUM;
    rec.hdr.size = sizeof(rec) - 8;
    std::memcpy(bytes.data(), &rec, sizeof(rec));
    bytes.resize(sizeof(rec) - 8);
    CHECK_FALSE(decode_record(bytes, fx.ctx).has_value());
}
