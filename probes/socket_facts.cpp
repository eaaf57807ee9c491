// SPDX-License-Identifier: GPL-2.0
#include "socket_facts.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>

#include "unique_fd.h"

namespace netdx::probes {
namespace {

template <class T>
T load(std::span<const std::uint8_t> buf, std::size_t off) {
    T v{};
    std::memcpy(&v, buf.data() + off, sizeof v);
    return v;
}

Error malformed(std::size_t off, const std::string& what) {
    return make_error(ErrorKind::Io,
                      "malformed sock_diag reply at byte " + std::to_string(off) + ": " + what);
}

bool is_wildcard(const engine::IpAddr& a) {
    const auto& b = a.bytes();
    return std::all_of(b.begin(), b.end(), [](std::uint8_t x) { return x == 0; });
}

// ::ffff:a.b.c.d -> a.b.c.d; any other address unchanged.
engine::IpAddr unmap_v4(const engine::IpAddr& a) {
    if (a.family() != engine::IpFamily::V6) {
        return a;
    }
    const auto& b = a.bytes();
    static constexpr std::uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(b.data(), prefix, sizeof prefix) != 0) {
        return a;
    }
    return engine::IpAddr::v4(b.data() + 12);
}

bool receives(const SocketEntry& s, std::uint8_t proto, std::uint16_t dport) {
    if (s.proto != proto || s.port != dport) {
        return false;
    }
    return proto == IPPROTO_TCP ? s.state == tcp_state_listen : s.state == tcp_state_close;
}

bool address_matches(const SocketEntry& s, const engine::IpAddr& daddr) {
    const engine::IpAddr want = unmap_v4(daddr);
    if (is_wildcard(s.addr)) {
        if (s.addr.family() == want.family()) {
            return true;
        }
        // A dual-stack IPv6 wildcard also takes IPv4.
        return s.addr.family() == engine::IpFamily::V6 && !s.v6only &&
               want.family() == engine::IpFamily::V4;
    }
    return unmap_v4(s.addr) == want;
}

// Parses the attributes after an inet_diag_msg; only INET_DIAG_SKV6ONLY is used.
Result<bool> parse_attrs(std::span<const std::uint8_t> buf, std::size_t base, SocketEntry& s) {
    std::size_t off = 0;
    while (off + sizeof(rtattr) <= buf.size()) {
        const auto rta = load<rtattr>(buf, off);
        if (rta.rta_len < sizeof(rtattr) || rta.rta_len > buf.size() - off) {
            return malformed(base + off, "attribute length " + std::to_string(rta.rta_len));
        }
        if (rta.rta_type == INET_DIAG_SKV6ONLY && rta.rta_len >= RTA_LENGTH(1)) {
            s.v6only = buf[off + RTA_LENGTH(0)] != 0;
        }
        off += RTA_ALIGN(rta.rta_len);
    }
    return true;
}

Result<SocketEntry>
parse_diag_msg(std::span<const std::uint8_t> payload, std::size_t base, std::uint8_t proto) {
    if (payload.size() < sizeof(inet_diag_msg)) {
        return malformed(base,
                         "inet_diag_msg needs " + std::to_string(sizeof(inet_diag_msg)) +
                             " bytes, got " + std::to_string(payload.size()));
    }
    const auto msg = load<inet_diag_msg>(payload, 0);
    SocketEntry s;
    s.proto = proto;
    s.state = msg.idiag_state;
    s.port = ntohs(msg.id.idiag_sport);
    s.rqueue = msg.idiag_rqueue;
    s.wqueue = msg.idiag_wqueue;
    s.uid = msg.idiag_uid;
    s.inode = msg.idiag_inode;
    std::uint8_t bytes[16];
    std::memcpy(bytes, msg.id.idiag_src, sizeof bytes);
    if (msg.idiag_family == AF_INET) {
        s.addr = engine::IpAddr::v4(bytes);
    } else if (msg.idiag_family == AF_INET6) {
        s.addr = engine::IpAddr::v6(bytes);
    } else {
        return malformed(base, "unknown address family " + std::to_string(msg.idiag_family));
    }
    const std::size_t attrs = NLMSG_ALIGN(sizeof(inet_diag_msg));
    if (payload.size() > attrs) {
        if (auto ok = parse_attrs(payload.subspan(attrs), base + attrs, s); !ok) {
            return ok.error();
        }
    }
    return s;
}

Result<void> dump(int fd, std::uint8_t family, std::uint8_t proto, std::vector<SocketEntry>& out) {
    struct {
        nlmsghdr nlh;
        inet_diag_req_v2 req;
    } request{};
    request.nlh.nlmsg_len = sizeof request;
    request.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    request.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    request.nlh.nlmsg_seq = 1;
    request.req.sdiag_family = family;
    request.req.sdiag_protocol = proto;
    request.req.idiag_states = proto == IPPROTO_TCP ? 1U << tcp_state_listen : ~0U;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd,
                 &request,
                 sizeof request,
                 0,
                 reinterpret_cast<const sockaddr*>(&kernel),
                 sizeof kernel) < 0) {
        return make_error(ErrorKind::Io, "sock_diag request failed", errno);
    }
    std::vector<std::uint8_t> buf(32768);
    for (;;) {
        const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return make_error(ErrorKind::Io, "reading the sock_diag reply failed", errno);
        }
        auto done = parse_sock_diag({buf.data(), static_cast<std::size_t>(n)}, proto, out);
        if (!done) {
            return done.error();
        }
        if (*done || n == 0) {
            return {};
        }
    }
}

} // namespace

std::string SocketEntry::address_text() const {
    if (addr.family() == engine::IpFamily::V6) {
        return "[" + addr.to_string() + "]:" + std::to_string(port);
    }
    return addr.to_string() + ":" + std::to_string(port);
}

Result<bool> parse_sock_diag(std::span<const std::uint8_t> buf,
                             std::uint8_t proto,
                             std::vector<SocketEntry>& out) {
    std::size_t off = 0;
    while (off < buf.size()) {
        if (buf.size() - off < sizeof(nlmsghdr)) {
            return malformed(off, "truncated netlink header");
        }
        const auto nlh = load<nlmsghdr>(buf, off);
        if (nlh.nlmsg_len < sizeof(nlmsghdr) || nlh.nlmsg_len > buf.size() - off) {
            return malformed(off, "netlink message length " + std::to_string(nlh.nlmsg_len));
        }
        const auto payload = buf.subspan(off + NLMSG_HDRLEN, nlh.nlmsg_len - NLMSG_HDRLEN);
        if (nlh.nlmsg_type == NLMSG_DONE) {
            return true;
        }
        if (nlh.nlmsg_type == NLMSG_ERROR) {
            if (payload.size() < sizeof(int)) {
                return malformed(off, "truncated NLMSG_ERROR");
            }
            const int err = load<int>(payload, 0);
            return make_error(ErrorKind::Io, "sock_diag dump refused by the kernel", -err);
        }
        if (nlh.nlmsg_type == SOCK_DIAG_BY_FAMILY) {
            auto s = parse_diag_msg(payload, off + NLMSG_HDRLEN, proto);
            if (!s) {
                return s.error();
            }
            out.push_back(std::move(*s));
        }
        off += NLMSG_ALIGN(nlh.nlmsg_len);
    }
    return false;
}

Result<std::vector<SocketEntry>> read_sockets() {
    UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
    if (!fd.valid()) {
        return make_error(ErrorKind::Io, "cannot open a NETLINK_SOCK_DIAG socket", errno);
    }
    std::vector<SocketEntry> out;
    for (const std::uint8_t family : {AF_INET, AF_INET6}) {
        for (const std::uint8_t proto : {IPPROTO_TCP, IPPROTO_UDP}) {
            if (auto ok = dump(fd.get(), family, proto, out); !ok) {
                return ok.error();
            }
        }
    }
    return out;
}

bool listening(const std::vector<SocketEntry>& sockets,
               std::uint8_t proto,
               const engine::IpAddr& daddr,
               std::uint16_t dport) {
    return std::any_of(sockets.begin(), sockets.end(), [&](const SocketEntry& s) {
        return receives(s, proto, dport) && address_matches(s, daddr);
    });
}

std::optional<std::string> listener_address(const std::vector<SocketEntry>& sockets,
                                            std::uint8_t proto,
                                            const engine::IpAddr& daddr,
                                            std::uint16_t dport) {
    if (listening(sockets, proto, daddr, dport)) {
        return std::nullopt;
    }
    for (const auto& s : sockets) {
        if (receives(s, proto, dport)) {
            return s.address_text();
        }
    }
    return std::nullopt;
}

} // namespace netdx::probes
