// SPDX-License-Identifier: GPL-2.0
// Rule fixtures: events (and facts) with the findings they must produce, so every rule can be
// tested without root, BPF or a kernel. YAML files hold a `fixtures:` list; NDJSON files hold one
// JSON object a line, a {"fixture": NAME, ...} line starting each fixture and the lines after it
// being its events. Events are written in a short form (reason, location, packet, netns) or as
// the JSON of a recorded event.
//
//   fixtures:
//     - name: a SYN to a closed port is a missing listener
//       events:
//         - {reason: NO_SOCKET, location: tcp_v4_rcv, packet: "TCP 10.0.0.1:4000 -> 10.0.0.2:80
//         SYN"}
//       facts: {listening: false}
//       expect:
//         - {rule: no-listener-tcp, level: ERROR, count: 1, message: "TCP port 80"}
//       absent: [kernel-drop]
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "diagnostic.h"
#include "event.h"
#include "facts.h"
#include "finding.h"
#include "rule.h"

namespace netdx::engine {

struct ExpectedFinding {
    std::string rule;
    SourceLoc loc;
    std::optional<Level> level;
    std::optional<std::string> category;
    std::optional<std::uint64_t> count; // events the finding counted (suppress rules: events)
    std::optional<std::string> message; // a substring of the message
};

struct Fixture {
    std::string name;
    SourceLoc loc;
    std::vector<Event> events;
    std::map<std::string, FactValue, std::less<>> facts;
    std::vector<ExpectedFinding> expect;
    std::vector<std::pair<std::string, SourceLoc>> absent; // rules that must not fire
    bool exclusive = true;                                 // every finding must be expected
};

// Reads fixtures from a file's text: NDJSON when `path` ends in .ndjson or .jsonl, else YAML.
std::vector<Fixture>
read_fixtures(const std::string& path, const std::string& text, Diagnostics& diags);
// Reads fixture files and directories (*.yaml, *.yml, *.ndjson, *.jsonl, sorted by name).
std::vector<Fixture> read_fixture_paths(const std::vector<std::string>& paths, Diagnostics& diags);

struct FixtureOutcome {
    bool passed = true;
    std::vector<std::string> failures; // one line each: what was expected, what happened
    std::vector<Finding> findings;
};

FixtureOutcome run_fixture(const RuleSet& rules, const Fixture& fixture);

// Parses the short packet form: "TCP 10.0.0.1:41234 -> 10.0.0.2:80 SYN",
// "UDP [fd00::1]:5353 -> [fd00::2]:53", "ICMP 10.0.0.1 -> 10.0.0.2 type 8 code 0",
// "ARP 10.0.0.1 -> 10.0.0.2". Returns an error message on failure.
std::optional<std::string> parse_packet_text(std::string_view text, Packet& out);

} // namespace netdx::engine
