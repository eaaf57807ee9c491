// SPDX-License-Identifier: GPL-2.0
#include "correlator.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace netdx::engine {
namespace {

constexpr std::size_t max_reasons_per_flow = 8;

std::uint64_t last_seen(const TrailState& s) {
    return s.last_seen_ns;
}

} // namespace

Correlator::Correlator(Limits limits) : limits_(limits) {
    limits_.max_flows = std::max<std::size_t>(limits_.max_flows, 2);
    // Grows on demand up to twice max_flows, so a quiet host does not pay for a busy one.
    flow_slots_.resize(std::min<std::size_t>(1024, std::bit_ceil(limits_.max_flows * 2)));
}

std::uint64_t Correlator::hash(const FlowKey& k) {
    // Five 64-bit words through a multiply-xorshift mixer: a handful of cycles, and every input
    // bit reaches the low bits that pick the slot.
    std::array<std::uint64_t, 5> words{};
    std::memcpy(words.data(), k.lo_addr.data(), 16);
    std::memcpy(words.data() + 2, k.hi_addr.data(), 16);
    words[4] = std::uint64_t{k.lo_port} | std::uint64_t{k.hi_port} << 16 |
               std::uint64_t{k.proto} << 32 | std::uint64_t{k.family} << 40;
    std::uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (std::uint64_t w : words) {
        h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 31;
    }
    return h;
}

FlowState& Correlator::flow_of(const FlowKey& key) {
    const std::size_t mask = flow_slots_.size() - 1;
    for (std::size_t i = hash(key) & mask;; i = (i + 1) & mask) {
        FlowSlot& slot = flow_slots_[i];
        if (slot.used && slot.key == key) {
            return slot.state;
        }
        if (!slot.used) {
            if (flow_count_ >= limits_.max_flows) {
                rebuild_flows(flow_slots_.size(), limits_.max_flows / 2);
                return flow_of(key);
            }
            if ((flow_count_ + 1) * 2 > flow_slots_.size()) {
                rebuild_flows(flow_slots_.size() * 2, flow_count_);
                return flow_of(key);
            }
            slot.used = true;
            slot.key = key;
            slot.state = FlowState{};
            ++flow_count_;
            return slot.state;
        }
    }
}

// Keeps the `keep_newest` most recently seen flows, re-inserted into a clean table of
// `slot_count` slots (linear probing has no tombstone-free delete).
void Correlator::rebuild_flows(std::size_t slot_count, std::size_t keep_newest) {
    std::vector<FlowSlot> live;
    live.reserve(flow_count_);
    for (auto& slot : flow_slots_) {
        if (slot.used) {
            live.push_back(std::move(slot));
        }
    }
    if (live.size() > keep_newest) {
        auto newest_first = [](const FlowSlot& a, const FlowSlot& b) {
            return a.state.last_seen_ns > b.state.last_seen_ns;
        };
        std::nth_element(live.begin(),
                         live.begin() + static_cast<std::ptrdiff_t>(keep_newest),
                         live.end(),
                         newest_first);
        live.resize(keep_newest);
    }
    flow_slots_.assign(slot_count, FlowSlot{});
    flow_count_ = 0;
    const std::size_t mask = flow_slots_.size() - 1;
    for (auto& entry : live) {
        std::size_t i = hash(entry.key) & mask;
        while (flow_slots_[i].used) {
            i = (i + 1) & mask;
        }
        flow_slots_[i] = std::move(entry);
        ++flow_count_;
    }
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

bool Correlator::trail_expired(const TrailState& trail, std::uint64_t now_ns) const {
    return now_ns > trail.last_seen_ns && now_ns - trail.last_seen_ns > limits_.trail_window_ns;
}

Correlator::View Correlator::observe(const Event& ev) {
    View view;
    if (ev.skb != 0 && ev.kind == EventKind::Drop) {
        // The packet is gone: its trail ends here, and the address may be reused. Most drops
        // have no earlier event, so look up before allocating a node only to free it.
        auto it = trails_.find(ev.skb);
        if (it != trails_.end() && !trail_expired(it->second, ev.ts_ns)) {
            current_trail_ = it->second;
        } else {
            current_trail_ = TrailState{};
            current_trail_.first_seen_ns = ev.ts_ns;
        }
        if (it != trails_.end()) {
            trails_.erase(it);
        }
        current_trail_.last_seen_ns = ev.ts_ns;
        ++current_trail_.events;
        current_trail_.kinds.set(static_cast<std::size_t>(ev.kind));
        view.trail = &current_trail_;
    } else if (ev.skb != 0) {
        auto [it, inserted] = trails_.try_emplace(ev.skb);
        TrailState& trail = it->second;
        if (!inserted && trail_expired(trail, ev.ts_ns)) {
            trail = TrailState{};
            inserted = true;
        }
        if (inserted) {
            trail.first_seen_ns = ev.ts_ns;
        }
        trail.last_seen_ns = ev.ts_ns;
        ++trail.events;
        trail.kinds.set(static_cast<std::size_t>(ev.kind));
        view.trail = &trail;
        if (trails_.size() > limits_.max_trails) {
            evict_oldest_half(trails_);
            auto again = trails_.find(ev.skb);
            view.trail = again == trails_.end() ? nullptr : &again->second;
        }
    }

    const Packet& p = ev.pkt;
    if (!p.saddr.is_set() || !p.daddr.is_set()) {
        return view;
    }
    FlowKey key;
    // Both directions share one key: the lower (address, port) end goes first.
    const int order = std::memcmp(p.saddr.bytes().data(), p.daddr.bytes().data(), 16);
    const bool forward = order < 0 || (order == 0 && p.sport <= p.dport);
    key.lo_addr = forward ? p.saddr.bytes() : p.daddr.bytes();
    key.hi_addr = forward ? p.daddr.bytes() : p.saddr.bytes();
    key.lo_port = forward ? p.sport : p.dport;
    key.hi_port = forward ? p.dport : p.sport;
    key.proto = p.l4_proto;
    key.family = static_cast<std::uint8_t>(p.family);

    FlowState& flow = flow_of(key);
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
