// SPDX-License-Identifier: GPL-2.0
// Correlation of events into trails (the events of one packet: same skb address, until the
// packet is freed) and flows (the same 5-tuple, either direction, across namespaces). Rules see
// both through trail.* and flow.* fields. Memory is bounded: the oldest entries are evicted once
// a table is full, so hours of traffic cost the same as minutes.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "event.h"
#include "rule.h"

namespace netdx::engine {

struct FlowState {
    std::uint64_t first_seen_ns = 0;
    std::uint64_t last_seen_ns = 0;
    std::uint32_t events = 0;
    std::uint32_t drops = 0;
    std::vector<std::string> reasons; // distinct drop reasons, first seen first (at most 8)
};

struct TrailState {
    std::uint64_t first_seen_ns = 0;
    std::uint64_t last_seen_ns = 0;
    std::uint32_t events = 0;
    EventKindSet kinds;
};

class Correlator {
public:
    struct Limits {
        std::size_t max_flows = 65536;
        std::size_t max_trails = 65536;
        std::uint64_t flow_idle_ns = 120'000'000'000ULL; // a flow quiet this long starts anew
        // An skb address seen again after this long is another packet (the first was freed
        // without a drop event); a packet can wait seconds in a neighbour queue, not more.
        std::uint64_t trail_window_ns = 5'000'000'000ULL;
    };

    Correlator() : Correlator(Limits{}) {}
    explicit Correlator(Limits limits);

    // What correlation knows about one event, including the event itself.
    struct View {
        const FlowState* flow = nullptr;   // null when the event has no 5-tuple
        const TrailState* trail = nullptr; // null when the event has no skb address
    };

    // Adds `ev` to its trail and flow. The view is valid until the next call.
    View observe(const Event& ev);

    std::size_t flows() const { return flow_count_; }
    std::size_t trails() const { return trails_.size(); }

private:
    struct FlowKey {
        std::array<std::uint8_t, 16> lo_addr{};
        std::array<std::uint8_t, 16> hi_addr{};
        std::uint16_t lo_port = 0;
        std::uint16_t hi_port = 0;
        std::uint8_t proto = 0;
        std::uint8_t family = 0;

        friend bool operator==(const FlowKey&, const FlowKey&) = default;
    };
    static std::uint64_t hash(const FlowKey& key);

    // Open addressing with linear probing in one array: a lookup touches one or two cache lines
    // where a node-based map chases a bucket and a node. Never more than half full.
    struct FlowSlot {
        FlowKey key;
        bool used = false;
        FlowState state;
    };
    FlowState& flow_of(const FlowKey& key);
    void rebuild_flows(std::size_t slot_count, std::size_t keep_newest);

    template <class Map>
    static void evict_oldest_half(Map& map);
    bool trail_expired(const TrailState& trail, std::uint64_t now_ns) const;

    Limits limits_;
    std::vector<FlowSlot> flow_slots_; // a power of two, up to twice max_flows
    std::size_t flow_count_ = 0;
    std::unordered_map<std::uint64_t, TrailState> trails_;
    TrailState current_trail_; // the trail of a drop, which ends with it
};

} // namespace netdx::engine
