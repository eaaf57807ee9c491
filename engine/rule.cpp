// SPDX-License-Identifier: GPL-2.0
#include "rule.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

#include "finding.h"

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
        if (rule.enabled) {
            kinds |= rule.kinds;
        }
    }
    return kinds;
}

bool DropReason::benign_at(std::string_view location) const {
    if (benign_when.empty()) {
        return false;
    }
    return benign_locations.empty() ||
           std::find(benign_locations.begin(), benign_locations.end(), location) !=
               benign_locations.end();
}

std::string canonical_reason_name(std::string_view name) {
    std::string upper;
    upper.reserve(name.size());
    for (char c : name) {
        upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    for (std::string_view prefix : {"SKB_DROP_REASON_", "SKB_"}) {
        if (upper.starts_with(prefix)) {
            return upper.substr(prefix.size());
        }
    }
    return upper;
}

void DropReasonBook::add(DropReason reason) {
    const std::size_t index = entries_.size();
    by_name_.emplace(reason.name, index);
    for (const auto& old : reason.formerly) {
        by_name_.emplace(old, index);
    }
    entries_.push_back(std::move(reason));
}

const DropReason* DropReasonBook::find(std::string_view name) const {
    auto it = by_name_.find(name);
    if (it == by_name_.end()) {
        it = by_name_.find(canonical_reason_name(name));
    }
    return it == by_name_.end() ? nullptr : &entries_[it->second];
}

const Rule* RuleSet::find(std::string_view id) const {
    for (const auto& rule : rules) {
        if (rule.id == id) {
            return &rule;
        }
    }
    return nullptr;
}

bool Escalation::reached(const Finding& f) const {
    double seconds = static_cast<double>(f.last_seen_ns - f.first_seen_ns) / 1e9;
    return (!count || f.count >= *count) && (!rate_per_s || f.rate_per_s() >= *rate_per_s) &&
           (!after_s || seconds >= *after_s);
}

std::string Escalation::describe() const {
    auto number = [](double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", v);
        return std::string(buf);
    };
    std::string out;
    auto add = [&out](const std::string& part) { out += (out.empty() ? "" : ", ") + part; };
    if (count) {
        add(std::to_string(*count) + (*count == 1 ? " event" : " events"));
    }
    if (rate_per_s) {
        add(number(*rate_per_s) + " events/s");
    }
    if (after_s) {
        add("lasting " + number(*after_s) + " s");
    }
    return out;
}

} // namespace netdx::engine
