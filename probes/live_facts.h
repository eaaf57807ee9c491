// SPDX-License-Identifier: GPL-2.0
// LiveFacts: the engine's FactSource while tracing. Facts are read in the event's own network
// namespace, lazily (only when a rule asks) and cached per namespace for a short TTL. Reads run on
// the NetnsWorker thread, so the calling (main) thread never changes namespace. Read-only.
// Facts that cannot be read are absent to the rules and listed by gaps() for the report.
//
// Firewall attribution (fact.nf_*): the firewall of every namespace is snapshotted when tracing
// starts (prime_firewall) and again in the background (tick); when a NETFILTER_DROP asks, a
// fresh snapshot is compared with the newest one taken before the drop.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/facts.h"
#include "engine/report/report.h"
#include "fact_answers.h"
#include "firewall.h"
#include "netlink_parse.h"
#include "netns.h"
#include "netns_worker.h"
#include "snmp_facts.h"
#include "socket_facts.h"
#include "sysctl_facts.h"

namespace netdx::probes {

struct LiveFactsOptions {
    std::chrono::milliseconds ttl{500};                // how long one namespace's read is reused
    std::chrono::milliseconds timeout{2000};           // longest wait for the helper thread
    std::chrono::milliseconds firewall_refresh{30000}; // background firewall snapshots
    std::size_t max_primed = 64;                       // namespaces snapshotted at start
    NetnsPaths netns;                                  // named namespaces and the host one
    std::string proc_dir = "/proc";                    // /proc/PID/ns/net for unnamed namespaces
    std::string sysctl_root = "/proc/sys/net";
};

class LiveFacts final : public engine::FactSource {
public:
    explicit LiveFacts(LiveFactsOptions options = {});
    ~LiveFacts() override;
    LiveFacts(const LiveFacts&) = delete;
    LiveFacts& operator=(const LiveFacts&) = delete;

    engine::FactValue fact(std::string_view name, const engine::Event& ev) override;

    // Queues a firewall snapshot of every namespace there is now (named, the host's, those of
    // running processes; at most max_primed), without waiting: the baseline for attribution.
    void prime_firewall();
    // Waits until the snapshots prime_firewall queued are taken, at most `limit`: a drop that
    // comes before its namespace's baseline cannot be attributed. False on timeout.
    bool wait_primed(std::chrono::milliseconds limit);
    // Call now and then (the session loop does): queues background firewall refreshes when due,
    // and counter samples when watch_counters is on.
    void tick();

    // Samples the SNMP/netstat counters (counter_names()) of the namespaces netdx knows (those
    // prime_firewall found, and every namespace an event came from) once a second, in the
    // background; counter_events() turns each increase into an event of kind Counter.
    void watch_counters(std::uint32_t only_netns = 0);
    std::vector<engine::Event> counter_events();
    static std::span<const std::string_view> counter_names();

    // Facts that could not be read and why, one entry per namespace and part, first reason kept.
    std::vector<engine::FactGap> gaps() const;

    struct Stats {
        std::uint64_t lookups = 0;        // fact() calls
        std::uint64_t reads = 0;          // namespace reads (cache misses)
        std::uint64_t firewall_reads = 0; // firewall snapshots, background ones included
    };
    Stats stats() const;

private:
    struct Cached {
        std::chrono::steady_clock::time_point at;
        std::shared_ptr<const NamespaceFacts> facts;
    };
    struct CachedLinks {
        std::chrono::steady_clock::time_point at;
        std::shared_ptr<const FactsSnapshot> links; // null: could not be read (see gaps)
    };
    // Snapshots taken before any drop we may be asked about, oldest first (a few kept).
    struct FirewallHistory {
        std::deque<std::shared_ptr<const FirewallSnapshot>> snapshots;
        std::string error;
        std::chrono::steady_clock::time_point refreshed;
    };

    std::shared_ptr<const NamespaceFacts> facts_for(const engine::Event& ev);
    std::shared_ptr<const NamespaceFacts> read_namespace(std::uint32_t inode);
    std::shared_ptr<const FactsSnapshot> links_for(const engine::Event& ev);
    const FirewallAnswer& firewall_for(const engine::Event& ev);
    FirewallAnswer attribute(const engine::Event& ev, const DropSite& site);
    Result<UniqueFd> open_namespace(std::uint32_t inode);
    void queue_firewall_snapshot(std::uint32_t inode, bool prime);
    void queue_firewall_snapshot(std::uint32_t inode, UniqueFd ns, bool prime);
    void queue_counter_sample(std::uint32_t inode);
    void note_gap(std::string name, std::string reason);

    LiveFactsOptions options_;
    NetnsRegistry registry_;
    std::uint32_t own_inode_ = 0;
    std::map<std::uint32_t, Cached> cache_;
    std::map<std::uint32_t, CachedLinks> links_cache_;
    std::map<std::string, std::string> gaps_;
    Stats stats_;
    struct CachedAnswer {
        std::chrono::steady_clock::time_point at;
        FirewallAnswer answer;
    };
    std::map<std::string, CachedAnswer> answers_; // by namespace, hook and flow
    std::map<std::uint32_t, std::string> paths_;  // namespace files that worked, by inode

    // Written by background jobs on the worker thread.
    mutable std::mutex firewall_mutex_;
    std::map<std::uint32_t, FirewallHistory> firewall_;
    std::uint64_t background_reads_ = 0;
    std::size_t primes_pending_ = 0;
    struct CounterSample {
        std::optional<Counters> previous; // compared with `latest` by counter_events()
        std::optional<Counters> latest;
        std::uint64_t latest_ns = 0;
    };
    std::map<std::uint32_t, CounterSample> counters_;
    bool watching_counters_ = false;
    std::uint32_t counters_netns_ = 0; // 0: every namespace
    std::chrono::steady_clock::time_point counters_sampled_{};
    std::condition_variable primed_;

    NetnsWorker worker_; // last: joined first, before the state its jobs write goes away
};

} // namespace netdx::probes
