// SPDX-License-Identifier: GPL-2.0
// Kallsyms parsing and lookup against a small fixture in /proc/kallsyms format.
#include <fstream>

#include <doctest/doctest.h>

#include "probes/kallsyms.h"
#include "temp_dir.h"

namespace {

using netdx::probes::Kallsyms;

constexpr const char* fixture =
    "0000000000000000 A fixed_percpu_data\n"
    "ffffffff81000000 T _stext\n"
    "ffffffff81000000 T startup_64\n"
    "ffffffff81a00000 t tcp_v4_rcv\n"
    "ffffffff81a00800 T tcp_v4_do_rcv\n"
    "ffffffff81b00000 W weak_function\n"
    "ffffffff82000000 D some_data\n"
    "ffffffff82000000 r some_rodata\n"
    "this line is garbage\n"
    "ffffffff81c00000\n"
    "ffffffffc0001000 t bpf_prog_6deef7357e7b4530_handle_kfree_skb\t[bpf]\n"
    "ffffffff81800000 T out_of_order"; // no final newline

} // namespace

TEST_CASE("kallsyms: text symbols are indexed and looked up by address") {
    netdx::test::TempDir dir;
    const auto path = dir.write("kallsyms", fixture);
    auto syms = Kallsyms::load(path);
    REQUIRE(syms.has_value());
    // _stext/startup_64 share an address: one entry. Data, absolute and garbage lines are skipped.
    CHECK(syms->size() == 6);

    auto f = syms->lookup(0xffffffff81a00099);
    CHECK(f.addr == 0xffffffff81a00099);
    CHECK(f.symbol == "tcp_v4_rcv");
    CHECK(f.offset == 0x99);
    CHECK(f.text() == "tcp_v4_rcv+0x99");

    CHECK(syms->lookup(0xffffffff81a00800).text() == "tcp_v4_do_rcv+0x0");
    CHECK(syms->lookup(0xffffffff81000010).symbol == "_stext");
    CHECK(syms->lookup(0xffffffff81800004).symbol == "out_of_order");
    CHECK(syms->lookup(0xffffffff81b00001).symbol == "weak_function");
    CHECK(syms->lookup(0xffffffffc0001040).symbol == "bpf_prog_6deef7357e7b4530_handle_kfree_skb");
}

TEST_CASE("kallsyms: an address below every symbol has no symbol") {
    netdx::test::TempDir dir;
    auto syms = Kallsyms::load(dir.write("kallsyms", fixture));
    REQUIRE(syms.has_value());
    const auto f = syms->lookup(0x1000);
    CHECK(f.symbol.empty());
    CHECK(f.addr == 0x1000);
    CHECK(f.offset == 0);
}

TEST_CASE("kallsyms: a file with hidden (zero) addresses loads but resolves nothing") {
    netdx::test::TempDir dir;
    auto syms = Kallsyms::load(dir.write("kallsyms",
                                         "0000000000000000 T _stext\n"
                                         "0000000000000000 t tcp_v4_rcv\n"));
    REQUIRE(syms.has_value());
    CHECK(syms->size() == 0);
    CHECK(syms->lookup(0xffffffff81a00099).symbol.empty());
}

TEST_CASE("kallsyms: reload picks up symbols added since the first load") {
    netdx::test::TempDir dir;
    const auto path = dir.write("kallsyms", "ffffffff81a00000 t tcp_v4_rcv\n");
    auto syms = Kallsyms::load(path);
    REQUIRE(syms.has_value());
    CHECK(syms->lookup(0xffffffffc0001040).symbol == "tcp_v4_rcv");

    std::ofstream(path, std::ios::app) << "ffffffffc0001000 t bpf_prog_abc_handle\t[bpf]\n";
    REQUIRE(syms->reload().has_value());
    CHECK(syms->lookup(0xffffffffc0001040).text() == "bpf_prog_abc_handle+0x40");
}

TEST_CASE("kallsyms: a missing file is an Io error and reload keeps the old table") {
    netdx::test::TempDir dir;
    auto missing = Kallsyms::load((dir.path() / "nope").string());
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().kind == netdx::ErrorKind::Io);
    CHECK(missing.error().message.find("nope") != std::string::npos);

    const auto path = dir.write("kallsyms", "ffffffff81a00000 t tcp_v4_rcv\n");
    auto syms = Kallsyms::load(path);
    REQUIRE(syms.has_value());
    std::filesystem::remove(path);
    CHECK_FALSE(syms->reload().has_value());
    CHECK(syms->lookup(0xffffffff81a00001).symbol == "tcp_v4_rcv");
}

TEST_CASE("kallsyms: the running kernel's table loads (addresses are zero without root)") {
    auto syms = Kallsyms::load();
    REQUIRE_MESSAGE(syms.has_value(), (syms ? "" : syms.error().describe()));
    CHECK(syms->lookup(0).symbol.empty());
}
