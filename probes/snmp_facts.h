// SPDX-License-Identifier: GPL-2.0
// Kernel network counters of one network namespace: the SNMP/netstat MIBs (/proc/net/snmp,
// /proc/net/netstat, /proc/net/snmp6) and the conntrack statistics (/proc/net/stat/nf_conntrack,
// nf_conntrack_count and nf_conntrack_max). Read-only. /proc/thread-self/net shows the namespace
// of the calling thread, so call the readers on a thread inside the namespace of interest. The
// parsers are pure functions of the file text; the readers only add file access.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "engine/result.h"

namespace netdx::probes {

struct Counter {
    std::string name; // "Group.Name": "TcpExt.ListenOverflows", "Udp6.RcvbufErrors"
    std::int64_t value = 0;
};

// Counters sorted by name, each name once. The kernel prints them unsigned except the few signed
// ones (Tcp.MaxConn is -1); a value above INT64_MAX is rejected by the parsers.
class Counters {
public:
    // Sorts `counters`; a name given twice is an error.
    static Result<Counters> make(std::vector<Counter> counters);

    std::optional<std::int64_t> find(std::string_view name) const;
    const std::vector<Counter>& entries() const { return entries_; }
    std::size_t size() const { return entries_.size(); }
    bool empty() const { return entries_.empty(); }

private:
    friend Counters delta(const Counters& before, const Counters& after);

    std::vector<Counter> entries_;
};

// /proc/net/snmp and /proc/net/netstat: pairs of lines "Group: Name1 Name2 ..." and
// "Group: v1 v2 ..." -> "Group.Name1" = v1, ... Errors (Io) name the 1-based line: a line without
// "Group:", a header without its value line, a value line of another group, a different number
// of names and values, a value that is not a decimal integer, a duplicate name, empty input.
Result<Counters> parse_snmp(std::string_view text);

// /proc/net/snmp6: lines "Ip6InReceives 2". The group is the name up to and including its first
// '6' (Ip6, Icmp6, Udp6, UdpLite6), the rest is the counter: "Icmp6.InType1". Errors as above,
// plus a line that is not exactly a name and a value, or a name without a group.
Result<Counters> parse_snmp6(std::string_view text);

// snmp, netstat and snmp6 of `proc_net_dir`, merged. A missing snmp6 (IPv6 disabled) is skipped;
// any other missing or malformed file is an error naming the file.
Result<Counters> read_counters(const std::string& proc_net_dir = "/proc/thread-self/net");

// after - before for every name present in both. A counter that went down (a reset, or a gauge
// such as Tcp.CurrEstab that shrank) counts as 0; a change beyond INT64_MAX saturates.
Counters delta(const Counters& before, const Counters& after);

// Field -> value, summed over CPUs; "entries" is the namespace-wide count that every CPU line
// repeats, so it is taken once. Newer kernels keep printing a few retired fields as 0.
using ConntrackCounts = std::map<std::string, std::uint64_t, std::less<>>;

struct ConntrackStats {
    bool available = false;            // false: no stat/nf_conntrack, conntrack is not in use here
    ConntrackCounts counts;            // "drop", "early_drop", "insert_failed", "invalid", ...
    std::optional<std::int64_t> count; // nf_conntrack_count, when readable
    std::optional<std::int64_t> max;   // nf_conntrack_max, when readable
};

// /proc/net/stat/nf_conntrack: a line of field names, then one line of hex values per CPU.
// Errors (Io) name the line: no header, no CPU line, a different number of names and values,
// a value that is not hexadecimal, a duplicate field name.
Result<ConntrackCounts> parse_conntrack_stat(std::string_view text);

// <proc_net_dir>/stat/nf_conntrack plus <sysctl_net_dir>/netfilter/nf_conntrack_{count,max}.
// A missing stat file gives available = false and nothing else; missing sysctls stay nullopt.
Result<ConntrackStats>
read_conntrack_stats(const std::string& proc_net_dir = "/proc/thread-self/net",
                     const std::string& sysctl_net_dir = "/proc/sys/net");

nlohmann::json to_json(const Counters& counters); // {"Ip.InReceives": 776, ...}
// {"available": true, "count": 12, "max": 262144, "counts": {"drop": 0, ...}}; count and max are
// null when unknown; {"available": false} when conntrack is not in use.
nlohmann::json to_json(const ConntrackStats& stats);

} // namespace netdx::probes
