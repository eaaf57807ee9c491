// SPDX-License-Identifier: GPL-2.0
// Pseudonymisation of reports before they leave the host (attached to a ticket, pasted into a
// chat). Every IPv4 and IPv6 address, MAC address, the host's name and every network-namespace
// name becomes a token: ip-1, ip6-1, mac-1, host-1, ns-1. One Redactor gives the same value the
// same token everywhere (in fields, in messages and advice, in CIDRs "ip-3/24", in endpoints
// "ip-1:80" and "[ip6-1]:443", with an IPv6 zone "ip6-2%eth0" kept), so a redacted report still
// reads as a diagnosis: "ip-1:80 is dropped in netns ns-1" in the message and ip-1 in the flow are
// the same machine. Ports, prefix lengths, device names, rule ids and kernel symbols stay.
//
// Kept as they are, because they name no machine and the diagnosis often rests on them (a
// listener bound to 127.0.0.1 instead of 0.0.0.0 is the listener-wrong-address finding):
// loopback (127.0.0.0/8, ::1), the unspecified addresses (0.0.0.0, ::), the limited broadcast
// 255.255.255.255, the MAC addresses 00:00:00:00:00:00 and ff:ff:ff:ff:ff:ff, and the namespace
// name "host" (netdx's own name for the initial namespace).
//
// Addresses are found by scanning (no regex): a run of hex digits, '.' and ':' that stands
// alone as a word and is an address as a whole, so version numbers (6.18.44), times (21:50:07)
// and kernel symbols (nft_do_chain+0x3e8) stay. Names are whole-word matches: "blue" is replaced
// in "netns blue." but not in "blueprint". What it does not know: host names other than the
// report's own (e.g. DNS names inside messages), user names inside paths of the command line.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace netdx::engine {

class Redactor {
public:
    // Names to replace wherever they occur as a whole word: the host's name (a fully qualified
    // name also registers its first label, with the same token) and network-namespace names.
    // Empty names, "host" and "localhost" are ignored; a one-character name is replaced in its
    // own report fields only (in prose it cannot be told from a word). Call before text() so
    // that names inside prose are found.
    void add_hostname(std::string_view name);
    void add_netns(std::string_view name);

    // `in` with every address and every registered name replaced by its token.
    std::string text(std::string_view in);

    // Redacts a netdx.report/1 document in place: learns the host name (host.hostname) and the
    // namespace names (filters.netns, findings[].netns, findings[].evidence[].netns_name), then
    // replaces them and every address in every string value (object keys stay: they are probe
    // names and rule ids; schema, tool.version and host.kernel stay: a four-part kernel release
    // is no address), and sets "redacted": true.
    void report(nlohmann::json& report);

    // How many distinct values have a token.
    std::size_t size() const { return tokens_.size(); }

private:
    enum class Kind : std::uint8_t { Ipv4, Ipv6, Mac, Host, Netns };
    struct Name {
        std::string name;
        std::string token;
    };

    bool is_new_name(std::string_view name) const; // not empty, not kept, not yet registered
    void add_name(std::string_view name, const std::string& token);
    const std::string& token(Kind kind, const std::string& canonical);
    const Name* name_at(std::string_view text, std::size_t pos) const;
    const Name* exact_name(std::string_view value) const;
    // What replaces a run of address characters; "" when the run is not an address or is kept.
    std::string redact_run(std::string_view run);
    void walk(nlohmann::json& value, std::string_view key);

    std::map<std::string, std::string> tokens_;      // kind-tagged canonical value -> token
    std::array<std::size_t, 5> next_{1, 1, 1, 1, 1}; // next token number per Kind
    std::vector<Name> names_;                        // registered names, longest first
};

} // namespace netdx::engine
