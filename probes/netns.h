// SPDX-License-Identifier: GPL-2.0
// Network namespace names: inode <-> name, from the bind mounts in /run/netns (what `ip netns`
// creates) plus "host" for the init namespace. Paths are injectable for tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/result.h"
#include "netns_namer.h"

namespace netdx::probes {

struct NetnsPaths {
    std::string run_dir = "/run/netns";     // one file per named namespace
    std::string init_ns = "/proc/1/ns/net"; // the namespace called "host"
    // Fallback when init_ns cannot be read (a supervisor running as pid 1 may deny it, even to
    // root): kthreadd, pid 2, always lives in the init namespace; used only if its comm says so.
    std::string kthreadd_dir = "/proc/2";
};

class NetnsRegistry final : public NetnsNamer {
public:
    static constexpr std::string_view host_name = "host";

    explicit NetnsRegistry(NetnsPaths paths = {}) : paths_(std::move(paths)) {}

    // Cached; on a miss the directory is scanned again, at most once per second.
    std::string name_of(std::uint32_t inode) override;

    // For --netns: "host" or a /run/netns name -> inode (always rescans first). Unknown names give
    // a Usage error listing the namespaces that exist.
    Result<std::uint32_t> inode_of(std::string_view name);

    // Every known name, "host" first, then the rest sorted.
    std::vector<std::string> names();

    void rescan();

private:
    NetnsPaths paths_;
    std::uint32_t init_inode_ = 0;
    std::map<std::uint32_t, std::string> by_inode_;
    std::map<std::string, std::uint32_t, std::less<>> by_name_;
    std::chrono::steady_clock::time_point last_scan_{};
    bool scanned_ = false;
};

} // namespace netdx::probes
