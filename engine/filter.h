// SPDX-License-Identifier: GPL-2.0
// What the operator asked to look at (--host, --port, --proto, ...). Probes turn it into the
// in-kernel filter; reports print it. Unset members match everything.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "ip.h"

namespace netdx::engine {

struct Filter {
    std::optional<IpAddr> host; // either direction
    std::optional<IpAddr> saddr;
    std::optional<IpAddr> daddr;
    std::optional<std::uint16_t> port; // either direction
    std::optional<std::uint16_t> sport;
    std::optional<std::uint16_t> dport;
    std::optional<std::uint8_t> l4_proto;
    std::optional<std::string> netns; // a name from /run/netns, or "host"
    std::uint32_t netns_inode = 0;    // resolved from `netns` by the probes, 0 = any
    std::optional<std::string> dev;

    bool empty() const;
    // "host 10.0.0.2, port 80, proto tcp" or "everything" when empty.
    std::string describe() const;
};

nlohmann::json to_json(const Filter& f);

} // namespace netdx::engine
