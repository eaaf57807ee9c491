// SPDX-License-Identifier: GPL-2.0
// IPv4/IPv6 addresses and CIDR prefixes, as values: parse, print, compare, contain.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace netdx::engine {

enum class IpFamily : std::uint8_t { None = 0, V4 = 4, V6 = 6 };

class IpAddr {
public:
    IpAddr() = default;
    static IpAddr v4(const std::uint8_t bytes[4]);
    static IpAddr v6(const std::uint8_t bytes[16]);
    // Accepts dotted IPv4 and any textual IPv6 form inet_pton accepts.
    static std::optional<IpAddr> parse(std::string_view text);

    IpFamily family() const { return family_; }
    bool is_set() const { return family_ != IpFamily::None; }
    // 4 or 16 bytes in network order; the rest are zero.
    const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
    std::string to_string() const;

    friend bool operator==(const IpAddr&, const IpAddr&) = default;

private:
    IpFamily family_ = IpFamily::None;
    std::array<std::uint8_t, 16> bytes_{};
};

class Cidr {
public:
    Cidr() = default;
    // "10.0.0.0/8", "fd00::/64"; a bare address is a host prefix (/32 or /128).
    static std::optional<Cidr> parse(std::string_view text);

    const IpAddr& network() const { return network_; }
    int prefix_len() const { return prefix_len_; }
    bool contains(const IpAddr& addr) const;
    std::string to_string() const;

    friend bool operator==(const Cidr&, const Cidr&) = default;

private:
    IpAddr network_;
    int prefix_len_ = 0;
};

} // namespace netdx::engine
