// SPDX-License-Identifier: GPL-2.0
// Values of the condition language: type names and the text templates show.
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "engine/condition/value.h"

namespace {

using netdx::engine::Cidr;
using netdx::engine::IpAddr;
using netdx::engine::condition::format;
using netdx::engine::condition::StringListView;
using netdx::engine::condition::Type;
using netdx::engine::condition::type_name;
using netdx::engine::condition::Value;

std::string_view frame_at(const void* data, std::size_t i) {
    return (*static_cast<const std::vector<std::string>*>(data))[i];
}

} // namespace

TEST_CASE("condition: every type has the name messages use") {
    CHECK(type_name(Type::Bool) == "bool");
    CHECK(type_name(Type::Int) == "int");
    CHECK(type_name(Type::String) == "string");
    CHECK(type_name(Type::Ip) == "ip");
    CHECK(type_name(Type::Cidr) == "cidr");
    CHECK(type_name(Type::StringList) == "list of string");
}

TEST_CASE("condition: values are built present, with their type and its member set") {
    Value i = Value::of_int(-7);
    CHECK(i.present);
    CHECK(i.type == Type::Int);
    CHECK(i.i == -7);
    CHECK_FALSE(i.b);

    Value b = Value::of_bool(true);
    CHECK((b.present && b.type == Type::Bool && b.b));
    Value s = Value::of_string("x");
    CHECK((s.present && s.type == Type::String && s.s == "x"));
    Value a = Value::of_ip(*IpAddr::parse("::1"));
    CHECK((a.present && a.type == Type::Ip && a.ip.to_string() == "::1"));
    CHECK_FALSE(Value::absent(Type::Int).present);
}

TEST_CASE("condition: format shows values as templates print them") {
    CHECK(format(Value::of_bool(false)) == "false");
    CHECK(format(Value::of_int(-42)) == "-42");
    CHECK(format(Value::of_string("NETFILTER_DROP")) == "NETFILTER_DROP");
    CHECK(format(Value::of_ip(*IpAddr::parse("fd00:0::1"))) == "fd00::1");
    Value prefix;
    prefix.type = Type::Cidr;
    prefix.present = true;
    prefix.cidr = *Cidr::parse("10.1.0.0/16");
    CHECK(format(prefix) == "10.1.0.0/16");

    std::vector<std::string> stack = {"kfree_skb", "nf_hook_slow", "ip_rcv"};
    CHECK(format(Value::of_list(StringListView{&stack, stack.size(), &frame_at})) ==
          "kfree_skb <- nf_hook_slow <- ip_rcv");
    CHECK(format(Value::of_list(StringListView{&stack, 0, &frame_at})).empty());

    CHECK(format(Value::absent(Type::String)).empty());
    CHECK(format(Value::absent(Type::Int)).empty());
}
