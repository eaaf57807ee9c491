// SPDX-License-Identifier: GPL-2.0
#include "value.h"

#include <cstring>

namespace netdx::engine::condition {

static_assert(sizeof(Value) <= 32, "a Value is built on every field read: keep it small");

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

namespace {

// Writes the encoding into memory known to be large enough.
class KeyWriter {
public:
    explicit KeyWriter(char* at) : at_(at) {}
    template <class T>
    void raw(const T& value) {
        std::memcpy(at_, &value, sizeof value);
        at_ += sizeof value;
    }
    void text(std::string_view s) {
        raw(static_cast<std::uint32_t>(s.size()));
        std::memcpy(at_, s.data(), s.size());
        at_ += s.size();
    }
    void ip(const IpAddr& a) {
        raw(static_cast<std::uint8_t>(a.family()));
        raw(a.bytes());
    }

private:
    char* at_;
};

constexpr std::size_t ip_key_size = 1 + 16;

std::size_t list_size(const Value& v) {
    return v.list.at != nullptr ? v.list.size : 0;
}

std::size_t key_size(const Value& v) {
    std::size_t size = 2;
    if (!v.present) {
        return size;
    }
    switch (v.type) {
    case Type::Bool:
        return size + 1;
    case Type::Int:
        return size + sizeof v.i;
    case Type::String:
        return size + 4 + v.s.size();
    case Type::Ip:
        return size + ip_key_size;
    case Type::Cidr:
        return size + ip_key_size + sizeof(int);
    case Type::StringList:
        size += 4;
        for (std::size_t i = 0; i < list_size(v); ++i) {
            size += 4 + v.list[i].size();
        }
        return size;
    }
    return size;
}

} // namespace

std::size_t write_key(const Value& v, std::span<char> out) {
    const std::size_t size = key_size(v);
    if (size > out.size()) {
        return size;
    }
    KeyWriter w(out.data());
    w.raw(static_cast<std::uint8_t>(v.type));
    w.raw(static_cast<std::uint8_t>(v.present));
    if (!v.present) {
        return size;
    }
    switch (v.type) {
    case Type::Bool:
        w.raw(static_cast<std::uint8_t>(v.b));
        break;
    case Type::Int:
        w.raw(v.i);
        break;
    case Type::String:
        w.text(v.s);
        break;
    case Type::Ip:
        w.ip(v.ip);
        break;
    case Type::Cidr:
        w.ip(v.cidr.network());
        w.raw(v.cidr.prefix_len());
        break;
    case Type::StringList:
        w.raw(static_cast<std::uint32_t>(list_size(v)));
        for (std::size_t i = 0; i < list_size(v); ++i) {
            w.text(v.list[i]);
        }
        break;
    }
    return size;
}

} // namespace netdx::engine::condition
