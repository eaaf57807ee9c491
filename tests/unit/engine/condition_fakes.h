// SPDX-License-Identifier: GPL-2.0
// Stand-ins for the field catalog and the rule loader's scope, so the condition language is
// tested on its own, with fields of every type.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/condition/condition.h"

namespace netdx::test {

namespace field_ids {
enum FakeFieldId : std::uint32_t {
    Reason = 1,
    Dport,
    Saddr,
    Stack,
    HasPorts,
    NfHook,
    Sport,
    Daddr,
    Comm
};
} // namespace field_ids
using namespace field_ids;

class FakeFields final : public engine::condition::FieldCatalog {
public:
    const engine::condition::FieldDef* find(std::string_view name) const override {
        for (const auto& f : defs_) {
            if (f.name == name) {
                return &f;
            }
        }
        return nullptr;
    }
    std::vector<std::string_view> names() const override {
        std::vector<std::string_view> out;
        for (const auto& f : defs_) {
            out.push_back(f.name);
        }
        return out;
    }

private:
    using Type = engine::condition::Type;
    std::vector<engine::condition::FieldDef> defs_ = {
        {Reason, "event.reason", Type::String, ""},
        {Dport, "event.dport", Type::Int, ""},
        {Saddr, "event.saddr", Type::Ip, ""},
        {Stack, "event.stack", Type::StringList, ""},
        {HasPorts, "event.has_ports", Type::Bool, ""},
        {NfHook, "event.nf_hook", Type::String, ""},
        {Sport, "event.sport", Type::Int, ""},
        {Daddr, "event.daddr", Type::Ip, ""},
        {Comm, "event.comm", Type::String, ""},
    };
};

// Named lists and macros held in maps, as the rule loader would provide them.
class FakeScope final : public engine::condition::Scope {
public:
    std::map<std::string, std::vector<std::string>, std::less<>> lists;
    std::map<std::string, std::string, std::less<>> macros;

    std::optional<std::span<const std::string>> list(std::string_view name) const override {
        auto it = lists.find(name);
        if (it == lists.end()) {
            return std::nullopt;
        }
        return std::span<const std::string>(it->second);
    }
    std::optional<std::string_view> macro(std::string_view name) const override {
        auto it = macros.find(name);
        if (it == macros.end()) {
            return std::nullopt;
        }
        return std::string_view(it->second);
    }
    std::vector<std::string_view> list_names() const override { return keys(lists); }
    std::vector<std::string_view> macro_names() const override { return keys(macros); }

private:
    template <class Map>
    static std::vector<std::string_view> keys(const Map& map) {
        std::vector<std::string_view> out;
        for (const auto& entry : map) {
            out.push_back(entry.first);
        }
        return out;
    }
};

} // namespace netdx::test
