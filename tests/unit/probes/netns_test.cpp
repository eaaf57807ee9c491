// SPDX-License-Identifier: GPL-2.0
// NetnsRegistry over a fake /run/netns directory: inode <-> name.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include "probes/netns.h"
#include "temp_dir.h"

namespace {

using netdx::probes::NetnsPaths;
using netdx::probes::NetnsRegistry;

std::uint32_t inode_of_file(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return static_cast<std::uint32_t>(st.st_ino);
}

struct FakeNamespaces {
    netdx::test::TempDir dir;
    std::string init = dir.write("proc1-ns-net", "");
    std::string blue = dir.write("run/blue", "");
    std::string red = dir.write("run/red", "");

    NetnsPaths paths() const {
        NetnsPaths p;
        p.run_dir = (dir.path() / "run").string();
        p.init_ns = init;
        p.kthreadd_dir = (dir.path() / "no-kthreadd").string();
        return p;
    }
};

} // namespace

TEST_CASE("netns: inodes map to /run/netns names and the init namespace to host") {
    FakeNamespaces ns;
    NetnsRegistry reg(ns.paths());
    CHECK(reg.name_of(inode_of_file(ns.blue)) == "blue");
    CHECK(reg.name_of(inode_of_file(ns.red)) == "red");
    CHECK(reg.name_of(inode_of_file(ns.init)) == "host");
    CHECK(reg.name_of(0).empty());
    CHECK(reg.name_of(123456789U).empty());
    CHECK(reg.names() == std::vector<std::string>{"host", "blue", "red"});
}

TEST_CASE("netns: names resolve to inodes for the --netns filter") {
    FakeNamespaces ns;
    NetnsRegistry reg(ns.paths());
    auto blue = reg.inode_of("blue");
    REQUIRE(blue.has_value());
    CHECK(*blue == inode_of_file(ns.blue));
    auto host = reg.inode_of("host");
    REQUIRE(host.has_value());
    CHECK(*host == inode_of_file(ns.init));
}

TEST_CASE("netns: an unknown name is a usage error that lists the namespaces") {
    FakeNamespaces ns;
    NetnsRegistry reg(ns.paths());
    auto missing = reg.inode_of("green");
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().kind == netdx::ErrorKind::Usage);
    CHECK(missing.error().message == "unknown network namespace 'green'");
    CHECK(missing.error().hint.find("available: host, blue, red") != std::string::npos);
}

TEST_CASE("netns: a namespace created after the first scan is found after a rescan") {
    FakeNamespaces ns;
    NetnsRegistry reg(ns.paths());
    CHECK(reg.name_of(inode_of_file(ns.blue)) == "blue");
    const auto green = ns.dir.write("run/green", "");
    reg.rescan();
    CHECK(reg.name_of(inode_of_file(green)) == "green");
    // inode_of always rescans.
    const auto pink = ns.dir.write("run/pink", "");
    CHECK(reg.inode_of("pink").has_value());
}

TEST_CASE("netns: a missing /run/netns leaves only host") {
    netdx::test::TempDir dir;
    const auto init = dir.write("init", "");
    NetnsPaths paths;
    paths.run_dir = (dir.path() / "absent").string();
    paths.init_ns = init;
    NetnsRegistry reg(paths);
    CHECK(reg.names() == std::vector<std::string>{"host"});
    CHECK(reg.name_of(inode_of_file(init)) == "host");
    auto missing = reg.inode_of("blue");
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().hint.find("available: host ") != std::string::npos);
}

TEST_CASE("netns: when pid 1's namespace is unreadable, kthreadd's names the host") {
    netdx::test::TempDir dir;
    dir.write("pid2/comm", "kthreadd\n");
    const auto kthreadd_ns = dir.write("pid2/ns/net", "");
    NetnsPaths paths;
    paths.run_dir = (dir.path() / "run").string();
    paths.init_ns = (dir.path() / "pid1-denied").string();
    paths.kthreadd_dir = (dir.path() / "pid2").string();
    NetnsRegistry reg(paths);
    CHECK(reg.name_of(inode_of_file(kthreadd_ns)) == "host");

    // pid 2 that is not kthreadd (a container's pid namespace) is not trusted.
    dir.write("pid2/comm", "bash\n");
    NetnsRegistry other(paths);
    CHECK(other.names().empty());
    auto host = other.inode_of("host");
    REQUIRE_FALSE(host.has_value());
    CHECK(host.error().kind == netdx::ErrorKind::Environment);
}
