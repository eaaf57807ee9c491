// SPDX-License-Identifier: GPL-2.0
#include "sysctl_facts.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <span>
#include <system_error>

namespace netdx::probes {
namespace {

constexpr std::string_view global_keys[] = {
    "ipv4/ip_forward",
    "ipv4/tcp_max_syn_backlog",
    "ipv4/tcp_syncookies",
    "core/somaxconn",
    "core/netdev_max_backlog",
    "core/rmem_default",
    "core/rmem_max",
    "core/wmem_default",
    "core/wmem_max",
    "ipv4/udp_rmem_min",
    "ipv4/tcp_abort_on_overflow",
};
constexpr std::string_view ipv4_conf_keys[] = {
    "forwarding",
    "rp_filter",
    "ignore_routes_with_linkdown",
};
constexpr std::string_view ipv6_conf_keys[] = {"forwarding"};

void read_one(const std::string& root, std::string key, Sysctls& out) {
    std::ifstream in(root + "/" + key);
    std::string text;
    if (!in || !std::getline(in, text)) {
        return;
    }
    std::int64_t v = 0;
    const char* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, v);
    if (ec == std::errc() && (p == end || *p == ' ' || *p == '\t')) {
        out.values.emplace(std::move(key), v);
    }
}

// Every conf/<dev> directory (including "all" and "default") of one family.
void read_conf(const std::string& root,
               const std::string& family,
               std::span<const std::string_view> keys,
               Sysctls& out) {
    std::error_code ec;
    std::filesystem::directory_iterator it(root + "/" + family + "/conf", ec);
    for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        const std::string dev = it->path().filename().string();
        for (const auto key : keys) {
            read_one(root, family + "/conf/" + dev + "/" + std::string(key), out);
        }
    }
}

} // namespace

Sysctls read_sysctls(const std::string& root) {
    Sysctls out;
    for (const auto key : global_keys) {
        read_one(root, std::string(key), out);
    }
    read_conf(root, "ipv4", ipv4_conf_keys, out);
    read_conf(root, "ipv6", ipv6_conf_keys, out);
    return out;
}

} // namespace netdx::probes
