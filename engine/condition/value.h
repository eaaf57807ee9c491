// SPDX-License-Identifier: GPL-2.0
// Types and runtime values of the condition language. A Value is a small non-owning view: the
// strings and lists it refers to live in the event (or the compiled condition) being evaluated,
// so reading a field never allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "../ip.h"

namespace netdx::engine::condition {

enum class Type : std::uint8_t {
    Bool,
    Int,
    String,
    Ip,
    Cidr,       // literals only: 10.0.0.0/8
    StringList, // e.g. event.stack: the function names of a kernel stack
};

std::string_view type_name(Type type); // "bool", "int", "string", "ip", "cidr", "list of string"

// A read-only list of strings that does not own its elements (e.g. the symbols of a stack).
struct StringListView {
    const void* data = nullptr;
    std::size_t size = 0;
    std::string_view (*at)(const void* data, std::size_t index) = nullptr;

    std::string_view operator[](std::size_t i) const { return at(data, i); }
};

// The value of a field for one event. `present == false` means the event has no such value
// (e.g. no ports on an ICMP packet, no hook on a drop outside netfilter).
// A typed value read from an event or written as a literal. Only the member that `type` names
// is meaningful (the others share its storage), which keeps a Value at 32 bytes: every field
// read on the hot path builds one.
struct Value {
    Type type = Type::Bool;
    bool present = false;
    bool b = false;
    union {
        std::int64_t i;
        std::string_view s;
        IpAddr ip;
        Cidr cidr;
        StringListView list;
    };

    constexpr Value() : i(0) {}

    static Value absent(Type t) {
        Value v;
        v.type = t;
        return v;
    }
    // Inline: one is built on every field read.
    static Value of_bool(bool v) {
        Value value = present_of(Type::Bool);
        value.b = v;
        return value;
    }
    static Value of_int(std::int64_t v) {
        Value value = present_of(Type::Int);
        value.i = v;
        return value;
    }
    static Value of_string(std::string_view v) {
        Value value = present_of(Type::String);
        value.s = v;
        return value;
    }
    static Value of_ip(const IpAddr& v) {
        Value value = present_of(Type::Ip);
        value.ip = v;
        return value;
    }
    static Value of_list(StringListView v) {
        Value value = present_of(Type::StringList);
        value.list = v;
        return value;
    }

private:
    static Value present_of(Type t) {
        Value v;
        v.type = t;
        v.present = true;
        return v;
    }
};

// The text a template shows for a value: strings as they are, addresses in their usual form,
// lists joined with " <- " (a stack reads innermost first), absent values as "".
std::string format(const Value& v);

// An unambiguous binary encoding of `v`: equal values give equal bytes and different values
// different bytes. For finding roll-up keys, not for display; far cheaper than format().
// Writes it to `out` when it fits and returns its size either way.
std::size_t write_key(const Value& v, std::span<char> out);

} // namespace netdx::engine::condition
