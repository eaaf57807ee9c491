// SPDX-License-Identifier: GPL-2.0
// Kernel ring-buffer records (bpf/events.h) -> engine::Event. Pure and bounds-checked: a short,
// oversized or unknown record is an error, never a crash. No libbpf here (target netdx_decode), so
// unit tests and replay tools can use it without BPF.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/event.h"
#include "engine/result.h"
#include "netns_namer.h"
#include "symbolizer.h"

namespace netdx::probes {

// enum skb_drop_reason value -> name without the SKB_DROP_REASON_ prefix (from the kernel's BTF).
// Reasons of other subsystems (mac80211, openvswitch) carry the subsystem in their upper 16
// bits; the map holds each subsystem's name at its base value (subsystem << 16).
using ReasonNames = std::unordered_map<std::uint32_t, std::string>;

// True for a value of another subsystem's reason range (upper 16 bits set).
constexpr bool is_subsystem_reason(std::uint32_t value) {
    return (value >> 16) != 0;
}

// What decoding needs besides the bytes. The pointers are not owned and may be null: without a
// symbolizer frames keep bare addresses, without a namer netns_name stays "".
struct DecodeContext {
    ReasonNames reason_names;
    const Symbolizer* symbolizer = nullptr;
    NetnsNamer* netns = nullptr;
    std::int64_t mono_to_realtime_ns = 0; // CLOCK_REALTIME - CLOCK_MONOTONIC
};

Result<engine::Event> decode_record(std::span<const std::uint8_t> record, const DecodeContext& ctx);

// The ReasonNames name of a BTF enumerator of enum skb_drop_reason: SKB_DROP_REASON_ or SKB_
// removed ("NO_SOCKET", "CONSUMED"); "" for the markers that are not reasons (MAX, SUBSYS_*).
std::string_view drop_reason_short_name(std::string_view enumerator);

// "NO_SOCKET"; "OPENVSWITCH:3" for a subsystem's reason the names only know the subsystem of;
// "reason 200" for a value the names do not cover at all.
std::string drop_reason_name(const ReasonNames& names, std::uint32_t code);

} // namespace netdx::probes
