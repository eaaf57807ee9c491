// SPDX-License-Identifier: GPL-2.0
// The fields rules can read: `event.*` for now (trail.*, flow.* and fact.* join later). The
// catalog answers the compiler at load time; EventView answers the evaluator for one event.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "condition/field.h"
#include "event.h"
#include "kernel_paths.h"

namespace netdx::engine {

class EventFields final : public condition::FieldCatalog {
public:
    static const EventFields& instance();

    const condition::FieldDef* find(std::string_view name) const override;
    std::vector<std::string_view> names() const override;
    std::span<const condition::FieldDef> all() const;
};

// Reads fields of one event. Derived fields (flow text, netfilter hook) are computed on first
// use and cached, so a view should live for one event's evaluation and then be dropped.
class EventView final : public condition::FieldReader {
public:
    explicit EventView(const Event& ev) : ev_(ev) {}
    condition::Value read(std::uint32_t field_id) const override;
    const Event& event() const { return ev_; }

private:
    const NetfilterPath* netfilter() const;

    const Event& ev_;
    mutable std::optional<std::optional<NetfilterPath>> netfilter_;
    mutable std::string flow_;
    mutable std::string tcp_flags_;
    mutable std::string proto_;
    mutable std::string netns_label_;
    mutable std::string netns_exec_;
};

} // namespace netdx::engine
