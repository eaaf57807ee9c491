// SPDX-License-Identifier: GPL-2.0
#include "value.h"

namespace netdx::engine::condition {

namespace {
// Every field read builds a Value (about 100 bytes). Built member by member, or copied from a
// constant GCC can see, it is zeroed with `rep stos`, measured at ~20 ns a value; copied from
// behind a volatile pointer it is a few vector moves (~4 ns). Plain C++, no intrinsics.
constexpr Value blank{};
const Value* const volatile blank_ptr = &blank;
} // namespace

std::string_view type_name(Type type) {
    switch (type) {
    case Type::Bool:
        return "bool";
    case Type::Int:
        return "int";
    case Type::String:
        return "string";
    case Type::Ip:
        return "ip";
    case Type::Cidr:
        return "cidr";
    case Type::StringList:
        return "list of string";
    }
    return "unknown";
}

Value Value::of_bool(bool v) {
    Value value = *blank_ptr;
    value.type = Type::Bool;
    value.present = true;
    value.b = v;
    return value;
}

Value Value::of_int(std::int64_t v) {
    Value value = *blank_ptr;
    value.type = Type::Int;
    value.present = true;
    value.i = v;
    return value;
}

Value Value::of_string(std::string_view v) {
    Value value = *blank_ptr;
    value.type = Type::String;
    value.present = true;
    value.s = v;
    return value;
}

Value Value::of_ip(const IpAddr& v) {
    Value value = *blank_ptr;
    value.type = Type::Ip;
    value.present = true;
    value.ip = v;
    return value;
}

Value Value::of_list(StringListView v) {
    Value value = *blank_ptr;
    value.type = Type::StringList;
    value.present = true;
    value.list = v;
    return value;
}

std::string format(const Value& v) {
    if (!v.present) {
        return {};
    }
    switch (v.type) {
    case Type::Bool:
        return v.b ? "true" : "false";
    case Type::Int:
        return std::to_string(v.i);
    case Type::String:
        return std::string(v.s);
    case Type::Ip:
        return v.ip.to_string();
    case Type::Cidr:
        return v.cidr.to_string();
    case Type::StringList: {
        std::string out;
        for (std::size_t i = 0; i < v.list.size && v.list.at != nullptr; ++i) {
            if (i > 0) {
                out += " <- ";
            }
            out += v.list[i];
        }
        return out;
    }
    }
    return {};
}

} // namespace netdx::engine::condition
