// SPDX-License-Identifier: GPL-2.0
#include "correlator.h"

#include <algorithm>
#include <cstring>

namespace netdx::engine {
namespace {

constexpr std::size_t max_reasons_per_flow = 8;

std::uint64_t last_seen(const FlowState& s) {
    return s.last_seen_ns;
}
std::uint64_t last_seen(const TrailState& s) {
    return s.first_seen_ns;
}

} // namespace

std::size_t Correlator::FlowKeyHash::operator()(const FlowKey& k) const {
    // FNV-1a over the key's bytes: cheap, and the key has no padding worth worrying about.
    std::uint64_t h = 1469598103934665603ULL;
    auto mix = [&h](const void* data, std::size_t n) {
        const auto* p = static_cast<const std::uint8_t*>(data);
        for (std::size_t i = 0; i < n; ++i) {
            h = (h ^ p[i]) * 1099511628211ULL;
        }
    };
    mix(k.lo_addr.data(), k.lo_addr.size());
    mix(k.hi_addr.data(), k.hi_addr.size());
    mix(&k.lo_port, sizeof k.lo_port);
    mix(&k.hi_port, sizeof k.hi_port);
    mix(&k.proto, 1);
    mix(&k.family, 1);
    return static_cast<std::size_t>(h);
}

template <class Map>
void Correlator::evict_oldest_half(Map& map) {
    std::vector<std::uint64_t> times;
    times.reserve(map.size());
    for (const auto& [key, state] : map) {
        times.push_back(last_seen(state));
    }
    auto middle = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
    std::nth_element(times.begin(), middle, times.end());
    const std::uint64_t cutoff = *middle;
    std::erase_if(map, [cutoff](const auto& entry) { return last_seen(entry.second) <= cutoff; });
}

Correlator::View Correlator::observe(const Event& ev) {
    View view;
    if (ev.skb != 0) {
        auto [it, inserted] = trails_.try_emplace(ev.skb);
        TrailState& trail = it->second;
        if (inserted) {
            trail.first_seen_ns = ev.ts_ns;
        }
        ++trail.events;
        trail.kinds.set(static_cast<std::size_t>(ev.kind));
        if (ev.kind == EventKind::Drop) {
            // The packet is gone: its trail ends here, and the address may be reused.
            current_trail_ = trail;
            trails_.erase(it);
            view.trail = &current_trail_;
        } else {
            view.trail = &trail;
            if (trails_.size() > limits_.max_trails) {
                evict_oldest_half(trails_);
                auto again = trails_.find(ev.skb);
                view.trail = again == trails_.end() ? nullptr : &again->second;
            }
        }
    }

    const Packet& p = ev.pkt;
    if (!p.saddr.is_set() || !p.daddr.is_set()) {
        return view;
    }
    FlowKey key;
    const bool forward =
        std::make_pair(p.saddr.bytes(), p.sport) <= std::make_pair(p.daddr.bytes(), p.dport);
    key.lo_addr = forward ? p.saddr.bytes() : p.daddr.bytes();
    key.hi_addr = forward ? p.daddr.bytes() : p.saddr.bytes();
    key.lo_port = forward ? p.sport : p.dport;
    key.hi_port = forward ? p.dport : p.sport;
    key.proto = p.l4_proto;
    key.family = static_cast<std::uint8_t>(p.family);

    if (flows_.size() >= limits_.max_flows && flows_.find(key) == flows_.end()) {
        evict_oldest_half(flows_);
    }
    FlowState& flow = flows_[key];
    if (flow.events == 0 || ev.ts_ns - flow.last_seen_ns > limits_.flow_idle_ns) {
        flow = FlowState{};
        flow.first_seen_ns = ev.ts_ns;
    }
    flow.last_seen_ns = std::max(flow.last_seen_ns, ev.ts_ns);
    ++flow.events;
    if (ev.kind == EventKind::Drop) {
        ++flow.drops;
        const std::string& reason = ev.drop.reason;
        if (flow.reasons.size() < max_reasons_per_flow &&
            std::find(flow.reasons.begin(), flow.reasons.end(), reason) == flow.reasons.end()) {
            flow.reasons.push_back(reason);
        }
    }
    view.flow = &flow;
    return view;
}

} // namespace netdx::engine
