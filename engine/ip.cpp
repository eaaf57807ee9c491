// SPDX-License-Identifier: GPL-2.0
#include "ip.h"

#include <charconv>
#include <cstring>

#include <arpa/inet.h>

namespace netdx::engine {

IpAddr IpAddr::v4(const std::uint8_t bytes[4]) {
    IpAddr a;
    a.family_ = IpFamily::V4;
    std::memcpy(a.bytes_.data(), bytes, 4);
    return a;
}

IpAddr IpAddr::v6(const std::uint8_t bytes[16]) {
    IpAddr a;
    a.family_ = IpFamily::V6;
    std::memcpy(a.bytes_.data(), bytes, 16);
    return a;
}

std::optional<IpAddr> IpAddr::parse(std::string_view text) {
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) {
        return std::nullopt;
    }
    char buf[INET6_ADDRSTRLEN];
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    std::uint8_t bytes[16];
    if (inet_pton(AF_INET, buf, bytes) == 1) {
        return v4(bytes);
    }
    if (inet_pton(AF_INET6, buf, bytes) == 1) {
        return v6(bytes);
    }
    return std::nullopt;
}

std::string IpAddr::to_string() const {
    char buf[INET6_ADDRSTRLEN] = "";
    switch (family_) {
    case IpFamily::V4:
        inet_ntop(AF_INET, bytes_.data(), buf, sizeof buf);
        break;
    case IpFamily::V6:
        inet_ntop(AF_INET6, bytes_.data(), buf, sizeof buf);
        break;
    case IpFamily::None:
        break;
    }
    return buf;
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
    auto slash = text.find('/');
    auto addr = IpAddr::parse(text.substr(0, slash));
    if (!addr) {
        return std::nullopt;
    }
    int max_len = addr->family() == IpFamily::V4 ? 32 : 128;
    int len = max_len;
    if (slash != std::string_view::npos) {
        auto digits = text.substr(slash + 1);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), len);
        if (ec != std::errc{} || end != digits.data() + digits.size() || len < 0 || len > max_len) {
            return std::nullopt;
        }
    }
    // Store the network address with host bits cleared, so equal prefixes compare equal.
    std::uint8_t bytes[16];
    std::memcpy(bytes, addr->bytes().data(), 16);
    for (int bit = len; bit < max_len; ++bit) {
        bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
    }
    Cidr c;
    c.network_ = addr->family() == IpFamily::V4 ? IpAddr::v4(bytes) : IpAddr::v6(bytes);
    c.prefix_len_ = len;
    return c;
}

bool Cidr::contains(const IpAddr& addr) const {
    if (addr.family() != network_.family() || !addr.is_set()) {
        return false;
    }
    const auto& a = addr.bytes();
    const auto& n = network_.bytes();
    int full = prefix_len_ / 8;
    if (std::memcmp(a.data(), n.data(), static_cast<std::size_t>(full)) != 0) {
        return false;
    }
    int rest = prefix_len_ % 8;
    if (rest == 0) {
        return true;
    }
    auto mask = static_cast<std::uint8_t>(0xffu << (8 - rest));
    return (a[static_cast<std::size_t>(full)] & mask) == (n[static_cast<std::size_t>(full)] & mask);
}

std::string Cidr::to_string() const {
    return network_.to_string() + "/" + std::to_string(prefix_len_);
}

} // namespace netdx::engine
