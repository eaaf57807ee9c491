// SPDX-License-Identifier: GPL-2.0
// The fields rules can read: `event.*` (the event), `trail.*` (the packet's other events),
// `flow.*` (its 5-tuple, both directions), `reason.*` (the knowledge about a drop's reason) and
// `fact.*` (host facts, fetched lazily). The catalog
// answers the compiler at load time; EventView answers the evaluator for one event.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "condition/field.h"
#include "correlator.h"
#include "event.h"
#include "facts.h"
#include "kernel_paths.h"
#include "rule.h"

namespace netdx::engine {

class EventFields final : public condition::FieldCatalog {
public:
    static const EventFields& instance();

    const condition::FieldDef* find(std::string_view name) const override;
    std::vector<std::string_view> names() const override;
    std::span<const condition::FieldDef> all() const;
};

// What surrounds an event when rules read it: its trail and flow, and where facts come from.
struct EventContext {
    Correlator::View correlation;
    FactSource* facts = nullptr;             // null: every fact.* field is absent
    const DropReasonBook* reasons = nullptr; // null: reason.known is false for every drop
};

// Reads fields of one event. Derived fields (flow text, netfilter hook, facts) are computed on
// first use and cached, so a view lives for one event's evaluation; values it returns point
// into the view and the event.
class EventView final : public condition::FieldReader {
public:
    explicit EventView(const Event& ev, EventContext context = {}) : ev_(ev), context_(context) {}
    condition::Value read(std::uint32_t field_id) const override;
    const Event& event() const { return ev_; }
    // The knowledge entry for a drop event's reason; null for other events and unknown reasons.
    const DropReason* drop_reason() const;

private:
    const NetfilterPath* netfilter() const;
    condition::Value fact(std::uint32_t field_id, std::string_view name) const;

    const Event& ev_;
    EventContext context_;
    mutable std::map<std::uint32_t, FactValue> facts_;
    mutable std::optional<const DropReason*> drop_reason_;
    mutable std::vector<std::string_view> trail_kinds_;
    mutable std::optional<std::optional<NetfilterPath>> netfilter_;
    mutable std::string flow_;
    mutable std::string tcp_flags_;
    mutable std::string proto_;
    mutable std::string netns_label_;
    mutable std::string netns_exec_;
    mutable std::string err_name_;
};

} // namespace netdx::engine
