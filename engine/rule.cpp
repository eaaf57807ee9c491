// SPDX-License-Identifier: GPL-2.0
#include "rule.h"

#include <algorithm>
#include <array>

namespace netdx::engine {
namespace {

constexpr std::array<std::string_view, 3> level_names = {"INFO", "WARN", "ERROR"};

constexpr std::array<std::string_view, 27> categories = {
    "netfilter-drop",    "netfilter-reject",   "no-listener",    "listener-wrong-address",
    "listen-overflow",   "socket-buffer-full", "xdp-drop",       "xdp-error",
    "tc-drop",           "qdisc-drop",         "link-down",      "no-route",
    "blackhole-route",   "unreachable-route",  "prohibit-route", "forwarding-disabled",
    "rp-filter",         "neighbor-failure",   "mtu-exceeded",   "ttl-expired",
    "conntrack-invalid", "conntrack-full",     "checksum-error", "tcp-reset",
    "tcp-retransmit",    "backlog-full",       "kernel-drop",
};

} // namespace

std::string_view level_name(Level level) {
    return level_names[static_cast<std::size_t>(level)];
}

std::optional<Level> parse_level(std::string_view text) {
    for (std::size_t i = 0; i < level_names.size(); ++i) {
        if (level_names[i] == text) {
            return static_cast<Level>(i);
        }
    }
    return std::nullopt;
}

std::span<const std::string_view> finding_categories() {
    return categories;
}

bool is_finding_category(std::string_view name) {
    return std::find(categories.begin(), categories.end(), name) != categories.end();
}

std::string_view advice_kind_name(AdviceKind kind) {
    return kind == AdviceKind::Check ? "check" : "change";
}

EventKindSet RuleSet::kinds_needed() const {
    EventKindSet kinds;
    for (const auto& rule : rules) {
        kinds |= rule.kinds;
    }
    return kinds;
}

} // namespace netdx::engine
