// SPDX-License-Identifier: GPL-2.0
// NetnsNamer: network namespace inode -> name. NetnsRegistry implements it from /run/netns;
// tests fake it.
#pragma once

#include <cstdint>
#include <string>

namespace netdx::probes {

class NetnsNamer {
public:
    virtual ~NetnsNamer() = default;
    // "host" for the init namespace, the /run/netns name, or "" when unknown. Not const: an
    // implementation may rescan on a miss.
    virtual std::string name_of(std::uint32_t inode) = 0;
};

} // namespace netdx::probes
