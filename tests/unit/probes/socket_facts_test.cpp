// SPDX-License-Identifier: GPL-2.0
// Live host facts: the sock_diag parser on hand-built netlink messages, "does something listen
// here?" over socket lists, sysctls from a fake /proc/sys/net, and LiveFacts in this process's
// own namespace (no root needed).
#include <chrono>
#include <cstring>
#include <vector>

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>

#include "probes/live_facts.h"
#include "probes/socket_facts.h"
#include "probes/sysctl_facts.h"
#include "probes/unique_fd.h"
#include "temp_dir.h"

namespace {

using netdx::engine::Event;
using netdx::engine::FactValue;
using netdx::engine::IpAddr;
using netdx::probes::SocketEntry;

IpAddr ip(const char* text) {
    auto a = IpAddr::parse(text);
    REQUIRE(a.has_value());
    return *a;
}

// Appends one netlink message (header + payload, padded to 4 bytes).
void put_msg(std::vector<std::uint8_t>& buf,
             std::uint16_t type,
             const void* payload,
             std::size_t len,
             std::uint32_t claimed_len = 0) {
    nlmsghdr h{};
    h.nlmsg_len = claimed_len ? claimed_len : static_cast<std::uint32_t>(NLMSG_LENGTH(len));
    h.nlmsg_type = type;
    const auto* hp = reinterpret_cast<const std::uint8_t*>(&h);
    buf.insert(buf.end(), hp, hp + sizeof h);
    const auto* pp = static_cast<const std::uint8_t*>(payload);
    buf.insert(buf.end(), pp, pp + len);
    buf.resize(NLMSG_ALIGN(buf.size()));
}

inet_diag_msg diag_msg(int family, const char* addr, std::uint16_t port, std::uint8_t state) {
    inet_diag_msg m{};
    m.idiag_family = static_cast<std::uint8_t>(family);
    m.idiag_state = state;
    m.id.idiag_sport = htons(port);
    REQUIRE(inet_pton(family, addr, m.id.idiag_src) == 1);
    m.idiag_rqueue = 3;
    m.idiag_wqueue = 128;
    m.idiag_uid = 1000;
    m.idiag_inode = 4242;
    return m;
}

// An inet_diag_msg followed by an INET_DIAG_SKV6ONLY attribute.
std::vector<std::uint8_t> with_v6only(const inet_diag_msg& m, std::uint8_t v6only) {
    std::vector<std::uint8_t> p(NLMSG_ALIGN(sizeof m) + RTA_SPACE(1), 0);
    std::memcpy(p.data(), &m, sizeof m);
    rtattr rta{};
    rta.rta_len = RTA_LENGTH(1);
    rta.rta_type = INET_DIAG_SKV6ONLY;
    std::memcpy(p.data() + NLMSG_ALIGN(sizeof m), &rta, sizeof rta);
    p[NLMSG_ALIGN(sizeof m) + RTA_LENGTH(0)] = v6only;
    return p;
}

SocketEntry sock(std::uint8_t proto, const char* addr, std::uint16_t port, std::uint8_t state) {
    SocketEntry s;
    s.proto = proto;
    s.addr = ip(addr);
    s.port = port;
    s.state = state;
    return s;
}

SocketEntry tcp_listener(const char* addr, std::uint16_t port) {
    return sock(IPPROTO_TCP, addr, port, netdx::probes::tcp_state_listen);
}

Event flow_event(std::uint8_t proto, const char* daddr, std::uint16_t dport) {
    Event ev;
    ev.netns = 1;
    const IpAddr d = ip(daddr);
    ev.pkt.family = d.family() == netdx::engine::IpFamily::V4 ? netdx::engine::PacketFamily::Ipv4
                                                              : netdx::engine::PacketFamily::Ipv6;
    ev.pkt.l4_proto = proto;
    ev.pkt.has_ports = true;
    ev.pkt.daddr = d;
    ev.pkt.dport = dport;
    return ev;
}

} // namespace

TEST_CASE("sock_diag: a dump of two listeners and DONE parses into sockets") {
    std::vector<std::uint8_t> buf;
    const auto a = diag_msg(AF_INET, "127.0.0.1", 8080, 10);
    put_msg(buf, SOCK_DIAG_BY_FAMILY, &a, sizeof a);
    const auto b = with_v6only(diag_msg(AF_INET6, "::", 22, 10), 1);
    put_msg(buf, SOCK_DIAG_BY_FAMILY, b.data(), b.size());
    const int zero = 0;
    put_msg(buf, NLMSG_DONE, &zero, sizeof zero);

    std::vector<SocketEntry> out;
    auto done = netdx::probes::parse_sock_diag(buf, IPPROTO_TCP, out);
    REQUIRE(done.has_value());
    CHECK(*done);
    REQUIRE(out.size() == 2);
    CHECK(out[0].address_text() == "127.0.0.1:8080");
    CHECK(out[0].proto == IPPROTO_TCP);
    CHECK(out[0].state == 10);
    CHECK(out[0].rqueue == 3);
    CHECK(out[0].wqueue == 128);
    CHECK(out[0].uid == 1000);
    CHECK(out[0].inode == 4242);
    CHECK_FALSE(out[0].v6only);
    CHECK(out[1].address_text() == "[::]:22");
    CHECK(out[1].v6only);
}

TEST_CASE("sock_diag: a buffer without DONE is not finished") {
    std::vector<std::uint8_t> buf;
    const auto a = diag_msg(AF_INET, "0.0.0.0", 53, 7);
    put_msg(buf, SOCK_DIAG_BY_FAMILY, &a, sizeof a);
    std::vector<SocketEntry> out;
    auto done = netdx::probes::parse_sock_diag(buf, IPPROTO_UDP, out);
    REQUIRE(done.has_value());
    CHECK_FALSE(*done);
    REQUIRE(out.size() == 1);
    CHECK(out[0].proto == IPPROTO_UDP);
}

TEST_CASE("sock_diag: malformed replies are clear errors") {
    std::vector<SocketEntry> out;
    const auto a = diag_msg(AF_INET, "127.0.0.1", 80, 10);

    SUBCASE("a truncated header") {
        std::vector<std::uint8_t> buf(8, 0);
        auto r = netdx::probes::parse_sock_diag(buf, IPPROTO_TCP, out);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().message == "malformed sock_diag reply at byte 0: truncated netlink header");
    }
    SUBCASE("a length past the end of the buffer") {
        std::vector<std::uint8_t> buf;
        put_msg(buf, SOCK_DIAG_BY_FAMILY, &a, sizeof a, 4096);
        auto r = netdx::probes::parse_sock_diag(buf, IPPROTO_TCP, out);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().message ==
              "malformed sock_diag reply at byte 0: netlink message length 4096");
    }
    SUBCASE("a length shorter than the header") {
        std::vector<std::uint8_t> buf;
        put_msg(buf, SOCK_DIAG_BY_FAMILY, &a, sizeof a, 4);
        auto r = netdx::probes::parse_sock_diag(buf, IPPROTO_TCP, out);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().message == "malformed sock_diag reply at byte 0: netlink message length 4");
    }
    SUBCASE("a short inet_diag_msg") {
        std::vector<std::uint8_t> buf;
        put_msg(buf, SOCK_DIAG_BY_FAMILY, &a, 20);
        auto r = netdx::probes::parse_sock_diag(buf, IPPROTO_TCP, out);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().message == "malformed sock_diag reply at byte 16: inet_diag_msg needs " +
                                       std::to_string(sizeof(inet_diag_msg)) + " bytes, got 20");
    }
    SUBCASE("an unknown address family") {
        auto bad = a;
        bad.idiag_family = AF_UNIX;
        std::vector<std::uint8_t> buf;
        put_msg(buf, SOCK_DIAG_BY_FAMILY, &bad, sizeof bad);
        auto r = netdx::probes::parse_sock_diag(buf, IPPROTO_TCP, out);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().message ==
              "malformed sock_diag reply at byte 16: unknown address family 1");
    }
    SUBCASE("an attribute that runs past its message") {
        auto p = with_v6only(a, 0);
        rtattr rta{};
        rta.rta_len = 200;
        std::memcpy(p.data() + NLMSG_ALIGN(sizeof a), &rta, sizeof rta.rta_len);
        std::vector<std::uint8_t> buf;
        put_msg(buf, SOCK_DIAG_BY_FAMILY, p.data(), p.size());
        auto r = netdx::probes::parse_sock_diag(buf, IPPROTO_TCP, out);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().message == "malformed sock_diag reply at byte " +
                                       std::to_string(16 + NLMSG_ALIGN(sizeof a)) +
                                       ": attribute length 200");
    }
    SUBCASE("the kernel refuses the dump") {
        nlmsgerr e{};
        e.error = -EPERM;
        std::vector<std::uint8_t> buf;
        put_msg(buf, NLMSG_ERROR, &e, sizeof e);
        auto r = netdx::probes::parse_sock_diag(buf, IPPROTO_TCP, out);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().message == "sock_diag dump refused by the kernel");
        CHECK(r.error().sys_errno == EPERM);
    }
    CHECK(out.empty());
}

TEST_CASE("listening: exact address, wildcards, dual-stack and protocol") {
    using netdx::probes::listening;
    const std::vector<SocketEntry> only_loopback = {tcp_listener("127.0.0.1", 8080)};
    CHECK(listening(only_loopback, IPPROTO_TCP, ip("127.0.0.1"), 8080));
    CHECK_FALSE(listening(only_loopback, IPPROTO_TCP, ip("10.201.2.2"), 8080));
    CHECK_FALSE(listening(only_loopback, IPPROTO_TCP, ip("127.0.0.1"), 8081));
    CHECK_FALSE(listening(only_loopback, IPPROTO_UDP, ip("127.0.0.1"), 8080));

    CHECK(listening({tcp_listener("0.0.0.0", 80)}, IPPROTO_TCP, ip("10.0.0.2"), 80));
    CHECK_FALSE(listening({tcp_listener("0.0.0.0", 80)}, IPPROTO_TCP, ip("fd00::2"), 80));
    CHECK(listening({tcp_listener("::", 80)}, IPPROTO_TCP, ip("10.0.0.2"), 80));
    auto v6only = tcp_listener("::", 80);
    v6only.v6only = true;
    CHECK_FALSE(listening({v6only}, IPPROTO_TCP, ip("10.0.0.2"), 80));
    CHECK(listening({v6only}, IPPROTO_TCP, ip("fd00::2"), 80));
    CHECK(listening({tcp_listener("::ffff:10.0.0.2", 80)}, IPPROTO_TCP, ip("10.0.0.2"), 80));

    // TCP: only LISTEN counts; UDP: only unconnected (CLOSE) sockets receive from anyone.
    CHECK_FALSE(listening({sock(IPPROTO_TCP, "0.0.0.0", 80, 1)}, IPPROTO_TCP, ip("10.0.0.2"), 80));
    CHECK(listening({sock(IPPROTO_UDP, "0.0.0.0", 53, 7)}, IPPROTO_UDP, ip("10.0.0.2"), 53));
    CHECK_FALSE(listening({sock(IPPROTO_UDP, "0.0.0.0", 53, 1)}, IPPROTO_UDP, ip("10.0.0.2"), 53));
}

TEST_CASE("listener_address: names a listener at another local address, only when needed") {
    using netdx::probes::listener_address;
    const std::vector<SocketEntry> only_loopback = {tcp_listener("127.0.0.1", 8080)};
    CHECK(listener_address(only_loopback, IPPROTO_TCP, ip("10.201.2.2"), 8080) == "127.0.0.1:8080");
    CHECK_FALSE(listener_address(only_loopback, IPPROTO_TCP, ip("127.0.0.1"), 8080));
    CHECK_FALSE(listener_address(only_loopback, IPPROTO_TCP, ip("10.201.2.2"), 9090));
    CHECK_FALSE(listener_address(only_loopback, IPPROTO_UDP, ip("10.201.2.2"), 8080));
    CHECK(listener_address({tcp_listener("::1", 8080)}, IPPROTO_TCP, ip("10.201.2.2"), 8080) ==
          "[::1]:8080");
}

TEST_CASE("facts: answers come from one namespace's sockets and sysctls") {
    netdx::probes::NamespaceFacts facts;
    facts.sockets = std::vector<SocketEntry>{tcp_listener("127.0.0.1", 8080)};
    facts.sysctls.values["ipv4/ip_forward"] = 0;
    facts.sysctls.values["ipv6/conf/all/forwarding"] = 1;
    using netdx::probes::answer_fact;

    const Event to_veth = flow_event(IPPROTO_TCP, "10.201.2.2", 8080);
    CHECK(answer_fact("listening", to_veth, facts) == FactValue(false));
    CHECK(answer_fact("listener_address", to_veth, facts) ==
          FactValue(std::string("127.0.0.1:8080")));
    CHECK(answer_fact("ip_forward", to_veth, facts) == FactValue(std::int64_t{0}));
    CHECK(answer_fact("ip_forward", flow_event(IPPROTO_TCP, "fd00::1", 1), facts) ==
          FactValue(std::int64_t{1}));
    CHECK(answer_fact("no_such_fact", to_veth, facts) == FactValue{});

    Event no_ports = to_veth;
    no_ports.pkt.has_ports = false;
    CHECK(answer_fact("listening", no_ports, facts) == FactValue{});

    netdx::probes::NamespaceFacts unreadable;
    unreadable.sockets_error = "permission denied";
    CHECK(answer_fact("listening", to_veth, unreadable) == FactValue{});
    CHECK(answer_fact("ip_forward", to_veth, unreadable) == FactValue{});
}

TEST_CASE("sysctls: globals and per-device values from /proc/sys/net, junk left out") {
    netdx::test::TempDir dir;
    dir.write("ipv4/ip_forward", "1\n");
    dir.write("ipv4/tcp_syncookies", "1\n");
    dir.write("core/somaxconn", "4096\n");
    dir.write("ipv4/conf/all/rp_filter", "2\n");
    dir.write("ipv4/conf/veth0/rp_filter", "1\n");
    dir.write("ipv4/conf/veth0/forwarding", "0\n");
    dir.write("ipv4/conf/veth0/ignore_routes_with_linkdown", "garbage\n");
    dir.write("ipv6/conf/all/forwarding", "0\n");
    const auto s = netdx::probes::read_sysctls(dir.path().string());
    REQUIRE(s.find("ipv4/ip_forward"));
    CHECK(*s.find("ipv4/ip_forward") == 1);
    CHECK(*s.find("core/somaxconn") == 4096);
    CHECK(*s.find("ipv4/conf/all/rp_filter") == 2);
    CHECK(*s.find("ipv4/conf/veth0/rp_filter") == 1);
    CHECK(*s.find("ipv4/conf/veth0/forwarding") == 0);
    CHECK(*s.find("ipv6/conf/all/forwarding") == 0);
    CHECK(s.find("ipv4/conf/veth0/ignore_routes_with_linkdown") == nullptr);
    CHECK(s.find("core/netdev_max_backlog") == nullptr);
}

TEST_CASE("live facts: a listener of this process is seen in its own namespace, then cached") {
    netdx::probes::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    REQUIRE(fd.valid());
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    REQUIRE(::listen(fd.get(), 4) == 0);
    REQUIRE(::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sa), &len) == 0);
    const std::uint16_t port = ntohs(sa.sin_port);

    struct stat st {};
    REQUIRE(::stat("/proc/self/ns/net", &st) == 0);
    Event ev = flow_event(IPPROTO_TCP, "127.0.0.1", port);
    ev.netns = static_cast<std::uint32_t>(st.st_ino);

    netdx::probes::LiveFactsOptions options;
    options.ttl = std::chrono::seconds(60);
    netdx::probes::LiveFacts facts(options);
    const auto t0 = std::chrono::steady_clock::now();
    const FactValue first = facts.fact("listening", ev);
    const auto t1 = std::chrono::steady_clock::now();
    Event elsewhere = ev;
    elsewhere.pkt.daddr = ip("127.0.0.2");
    const FactValue other = facts.fact("listener_address", elsewhere);
    const auto t2 = std::chrono::steady_clock::now();
    using us = std::chrono::microseconds;
    MESSAGE("first lookup " << std::chrono::duration_cast<us>(t1 - t0).count() << " us, cached "
                            << std::chrono::duration_cast<us>(t2 - t1).count() << " us");
    CHECK(first == FactValue(true));
    CHECK(other == FactValue("127.0.0.1:" + std::to_string(port)));
    CHECK(facts.stats().lookups == 2);
    CHECK(facts.stats().reads == 1);
    CHECK(facts.gaps().empty());
}

TEST_CASE("live facts: a namespace that cannot be found is a gap, not a value") {
    netdx::test::TempDir dir;
    netdx::probes::LiveFactsOptions options;
    options.netns.run_dir = (dir.path() / "run").string();
    options.netns.init_ns = (dir.path() / "none").string();
    options.netns.kthreadd_dir = (dir.path() / "none").string();
    options.proc_dir = (dir.path() / "proc").string();
    netdx::probes::LiveFacts facts(options);
    Event ev = flow_event(IPPROTO_TCP, "10.0.0.2", 80);
    ev.netns = 4026599999;
    ev.netns_name = "gone";
    CHECK(facts.fact("listening", ev) == FactValue{});
    const auto gaps = facts.gaps();
    REQUIRE(gaps.size() == 1);
    CHECK(gaps[0].name == "facts in netns gone");
    CHECK(gaps[0].reason.find("namespace not found") == 0);
}
