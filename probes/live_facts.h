// SPDX-License-Identifier: GPL-2.0
// LiveFacts: the engine's FactSource while tracing. Facts are read in the event's own network
// namespace, lazily (only when a rule asks) and cached per namespace for a short TTL. Reads run on
// one helper thread that enters the namespace with setns(CLONE_NEWNET) and returns to its own
// afterwards, so the calling (main) thread never changes namespace. Everything is read-only.
// Facts that cannot be read are absent to the rules and listed by gaps() for the report.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/facts.h"
#include "engine/report/report.h"
#include "netns.h"
#include "socket_facts.h"
#include "sysctl_facts.h"

namespace netdx::probes {

// What one read of a namespace found. A part that failed is nullopt with its reason.
struct NamespaceFacts {
    std::optional<std::vector<SocketEntry>> sockets;
    std::string sockets_error;
    Sysctls sysctls;
    std::string namespace_error; // the namespace itself could not be entered; nothing was read
};

// The value of fact `name` ("listening", "listener_address", "ip_forward") for `ev` from one
// namespace's facts; monostate when the event lacks what the fact needs or the part is missing.
engine::FactValue
answer_fact(std::string_view name, const engine::Event& ev, const NamespaceFacts& facts);

struct LiveFactsOptions {
    std::chrono::milliseconds ttl{500};      // how long one namespace's read is reused
    std::chrono::milliseconds timeout{2000}; // longest wait for the helper thread
    NetnsPaths netns;                        // named namespaces and the host one
    std::string proc_dir = "/proc";          // /proc/PID/ns/net for unnamed namespaces
    std::string sysctl_root = "/proc/sys/net";
};

class LiveFacts final : public engine::FactSource {
public:
    explicit LiveFacts(LiveFactsOptions options = {});
    ~LiveFacts() override;
    LiveFacts(const LiveFacts&) = delete;
    LiveFacts& operator=(const LiveFacts&) = delete;

    engine::FactValue fact(std::string_view name, const engine::Event& ev) override;

    // Facts that could not be read and why, one entry per namespace and part, first reason kept.
    std::vector<engine::FactGap> gaps() const;

    struct Stats {
        std::uint64_t lookups = 0; // fact() calls
        std::uint64_t reads = 0;   // namespace reads (cache misses)
    };
    const Stats& stats() const { return stats_; }

private:
    struct Cached {
        std::chrono::steady_clock::time_point at;
        std::shared_ptr<const NamespaceFacts> facts;
    };
    class Reader;

    std::shared_ptr<const NamespaceFacts> facts_for(const engine::Event& ev);
    std::shared_ptr<const NamespaceFacts> read_namespace(std::uint32_t inode);
    void note_gap(std::string name, std::string reason);

    LiveFactsOptions options_;
    NetnsRegistry registry_;
    std::uint32_t own_inode_ = 0;
    std::map<std::uint32_t, Cached> cache_;
    std::map<std::string, std::string> gaps_;
    std::unique_ptr<Reader> reader_; // started on the first read
    Stats stats_;
};

} // namespace netdx::probes
