// SPDX-License-Identifier: GPL-2.0
#include "netns.h"

#include <filesystem>
#include <fstream>
#include <system_error>

#include <sys/stat.h>

namespace netdx::probes {
namespace {

constexpr auto rescan_interval = std::chrono::seconds(1);

// Inode of the namespace file at `path` (stat follows the bind mount / symlink), 0 on failure.
std::uint32_t ns_inode(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return 0;
    }
    return static_cast<std::uint32_t>(st.st_ino);
}

// The init namespace's inode: from pid 1, else from kthreadd.
std::uint32_t init_ns_inode(const NetnsPaths& paths) {
    if (const std::uint32_t inode = ns_inode(paths.init_ns); inode != 0) {
        return inode;
    }
    std::string comm;
    std::getline(std::ifstream(paths.kthreadd_dir + "/comm"), comm);
    if (comm != "kthreadd") {
        return 0;
    }
    return ns_inode(paths.kthreadd_dir + "/ns/net");
}

} // namespace

void NetnsRegistry::rescan() {
    by_inode_.clear();
    by_name_.clear();
    init_inode_ = init_ns_inode(paths_);

    std::error_code ec;
    std::filesystem::directory_iterator it(paths_.run_dir, ec);
    for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        const std::string name = it->path().filename().string();
        const std::uint32_t inode = ns_inode(it->path().string());
        if (inode == 0 || name == host_name) {
            continue;
        }
        by_name_.emplace(name, inode);
        // Two names for one namespace: keep the first in name order; "host" wins over both.
        if (inode != init_inode_) {
            by_inode_.emplace(inode, name);
        }
    }
    last_scan_ = std::chrono::steady_clock::now();
    scanned_ = true;
}

std::string NetnsRegistry::name_of(std::uint32_t inode) {
    if (inode == 0) {
        return {};
    }
    if (!scanned_) {
        rescan();
    }
    auto find = [&]() -> std::string {
        if (inode == init_inode_) {
            return std::string(host_name);
        }
        const auto it = by_inode_.find(inode);
        return it == by_inode_.end() ? std::string() : it->second;
    };
    std::string name = find();
    if (name.empty() && std::chrono::steady_clock::now() - last_scan_ >= rescan_interval) {
        rescan();
        name = find();
    }
    return name;
}

std::vector<std::string> NetnsRegistry::names() {
    if (!scanned_) {
        rescan();
    }
    std::vector<std::string> out;
    if (init_inode_ != 0) {
        out.emplace_back(host_name);
    }
    for (const auto& [name, inode] : by_name_) {
        out.push_back(name);
    }
    return out;
}

Result<std::uint32_t> NetnsRegistry::inode_of(std::string_view name) {
    rescan();
    if (name == host_name) {
        if (init_inode_ == 0) {
            return make_error(ErrorKind::Environment,
                              "cannot find the host network namespace: cannot stat " +
                                  paths_.init_ns + " nor " + paths_.kthreadd_dir + "/ns/net",
                              0,
                              "run as root (sudo netdx ...)");
        }
        return init_inode_;
    }
    if (const auto it = by_name_.find(name); it != by_name_.end()) {
        return it->second;
    }
    std::string available;
    for (const auto& n : names()) {
        available += available.empty() ? n : ", " + n;
    }
    return make_error(ErrorKind::Usage,
                      "unknown network namespace '" + std::string(name) + "'",
                      0,
                      "available: " + (available.empty() ? std::string("none") : available) +
                          " (names come from " + paths_.run_dir + ", as `ip netns list` shows)");
}

} // namespace netdx::probes
