// SPDX-License-Identifier: GPL-2.0
// An index from keys to small integers (positions in a vector the caller owns), kept as
// (64-bit hash, position) pairs in one open-addressing array. A lookup reads one cache line of
// the array and then the caller's entry to confirm the key, where std::unordered_map<std::string,
// ...> chases a bucket, a node and the key's heap buffer. The caller stores the keys.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace netdx::engine {

class HashIndex {
public:
    // The position whose key has hash `hash` and satisfies `same(position)`, if any.
    template <class Same>
    std::optional<std::uint32_t> find(std::uint64_t hash, Same&& same) const {
        if (slots_.empty()) {
            return std::nullopt;
        }
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = hash & mask; slots_[i].used(); i = (i + 1) & mask) {
            if (slots_[i].hash == hash && same(slots_[i].position())) {
                return slots_[i].position();
            }
        }
        return std::nullopt;
    }

    // Adds a key known to be absent.
    void insert(std::uint64_t hash, std::uint32_t position) {
        if ((count_ + 1) * 2 > slots_.size()) {
            grow();
        }
        place(slots_, Slot{hash, position + 1});
        ++count_;
    }

    std::size_t size() const { return count_; }

private:
    struct Slot {
        std::uint64_t hash = 0;
        std::uint32_t position_plus_one = 0; // 0: empty
        bool used() const { return position_plus_one != 0; }
        std::uint32_t position() const { return position_plus_one - 1; }
    };

    static void place(std::vector<Slot>& slots, Slot slot) {
        const std::size_t mask = slots.size() - 1;
        std::size_t i = slot.hash & mask;
        while (slots[i].used()) {
            i = (i + 1) & mask;
        }
        slots[i] = slot;
    }

    void grow() {
        std::vector<Slot> bigger(std::max<std::size_t>(64, slots_.size() * 2));
        for (const Slot& slot : slots_) {
            if (slot.used()) {
                place(bigger, slot);
            }
        }
        slots_ = std::move(bigger);
    }

    std::vector<Slot> slots_; // a power of two in size, at most half full
    std::size_t count_ = 0;
};

} // namespace netdx::engine
