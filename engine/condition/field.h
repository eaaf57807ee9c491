// SPDX-License-Identifier: GPL-2.0
// The contract between the condition language and whatever provides fields. The compiler asks a
// FieldCatalog what a name means (at load time, once); the evaluator asks a FieldReader for the
// value of a field id (per event). The language itself knows no field names.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "value.h"

namespace netdx::engine::condition {

struct FieldDef {
    std::uint32_t id = 0;  // passed back to FieldReader::read
    std::string_view name; // "event.reason"
    Type type = Type::Bool;
    std::string_view description; // one line, for docs and `rules explain`
};

class FieldCatalog {
public:
    virtual ~FieldCatalog() = default;
    virtual const FieldDef* find(std::string_view name) const = 0;
    // Every field name, for "did you mean" hints and documentation.
    virtual std::vector<std::string_view> names() const = 0;
};

class FieldReader {
public:
    virtual ~FieldReader() = default;
    virtual Value read(std::uint32_t field_id) const = 0;
};

} // namespace netdx::engine::condition
