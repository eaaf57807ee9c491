// SPDX-License-Identifier: GPL-2.0
#include "live_facts.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <system_error>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include "clock.h"
#include "engine/log.h"
#include "firewall_reader.h"
#include "netlink_facts.h"
#include "snmp_facts.h"

namespace netdx::probes {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t max_gaps = 32;
// Snapshots kept per namespace: enough that one taken before a drop survives a refresh that
// lands between the drop and its attribution.
constexpr std::size_t firewall_history = 3;
// A fresh snapshot is reused for the next drops within this window.
constexpr auto firewall_reuse = std::chrono::milliseconds(200);
// An attribution serves the same namespace, hook and flow this long; at most this many kept.
constexpr auto answer_reuse = std::chrono::seconds(1);
constexpr std::size_t max_answers = 256;

std::uint32_t inode_of_path(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint32_t>(st.st_ino) : 0;
}

// Reads the facts of the namespace the calling thread is in.
NamespaceFacts read_here(const std::string& sysctl_root) {
    NamespaceFacts out;
    if (auto sockets = read_sockets(); sockets) {
        out.sockets = std::move(*sockets);
    } else {
        out.sockets_error = sockets.error().describe();
    }
    out.sysctls = read_sysctls(sysctl_root);
    return out;
}

} // namespace

LiveFacts::LiveFacts(LiveFactsOptions options)
    : options_(std::move(options)), registry_(options_.netns),
      own_inode_(inode_of_path(options_.proc_dir + "/self/ns/net")) {}

LiveFacts::~LiveFacts() = default;

LiveFacts::Stats LiveFacts::stats() const {
    Stats s = stats_;
    std::lock_guard lock(firewall_mutex_);
    s.firewall_reads += background_reads_;
    return s;
}

engine::FactValue LiveFacts::fact(std::string_view name, const engine::Event& ev) {
    ++stats_.lookups;
    if (is_firewall_fact(name)) {
        return answer_firewall_fact(name, firewall_for(ev));
    }
    if (is_link_fact(name)) {
        const auto links = links_for(ev);
        return links ? answer_link_fact(name, ev, *links) : engine::FactValue{};
    }
    const auto facts = facts_for(ev);
    if (!facts) {
        return {};
    }
    const std::string where =
        "netns " + (ev.netns_name.empty() ? std::to_string(ev.netns) : ev.netns_name);
    if (!facts->namespace_error.empty()) {
        note_gap("facts in " + where, facts->namespace_error);
        return {};
    }
    if ((name == "listening" || name == "listener_address") && !facts->sockets) {
        note_gap("sockets (sock_diag) in " + where, facts->sockets_error);
    }
    if (name == "ip_forward" && facts->sysctls.values.empty()) {
        note_gap("sysctls in " + where, "nothing readable under " + options_.sysctl_root);
    }
    return answer_fact(name, ev, *facts);
}

std::shared_ptr<const NamespaceFacts> LiveFacts::facts_for(const engine::Event& ev) {
    if (ev.netns == 0) {
        note_gap("facts of events without a namespace", "the event does not name its namespace");
        return nullptr;
    }
    const auto now = Clock::now();
    if (auto it = cache_.find(ev.netns); it != cache_.end() && now - it->second.at < options_.ttl) {
        return it->second.facts;
    }
    auto facts = read_namespace(ev.netns);
    ++stats_.reads;
    NETDX_LOG(Debug)
        << "live facts: read netns " << ev.netns << " in "
        << std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - now).count()
        << " us";
    cache_[ev.netns] = Cached{Clock::now(), facts};
    return facts;
}

std::shared_ptr<const FactsSnapshot> LiveFacts::links_for(const engine::Event& ev) {
    if (ev.netns == 0) {
        note_gap("facts of events without a namespace", "the event does not name its namespace");
        return nullptr;
    }
    const auto now = Clock::now();
    if (auto it = links_cache_.find(ev.netns);
        it != links_cache_.end() && now - it->second.at < options_.ttl) {
        return it->second.links;
    }
    std::shared_ptr<const FactsSnapshot> links;
    const std::string where =
        "netns " + (ev.netns_name.empty() ? std::to_string(ev.netns) : ev.netns_name);
    auto ns = open_namespace(ev.netns);
    if (!ns) {
        note_gap("links (rtnetlink) in " + where, ns.error().describe());
    } else {
        const NetnsId id{ev.netns_name, ev.netns};
        auto snap = worker_.run_result<FactsSnapshot>(
            std::move(*ns), [id] { return read_rtnl_facts(id); }, options_.timeout);
        if (snap) {
            links = std::make_shared<const FactsSnapshot>(std::move(*snap));
        } else {
            note_gap("links (rtnetlink) in " + where, snap.error().describe());
        }
    }
    links_cache_[ev.netns] = CachedLinks{Clock::now(), links};
    return links;
}

Result<UniqueFd> LiveFacts::open_namespace(std::uint32_t inode) {
    if (inode == own_inode_) {
        return UniqueFd(); // the worker thread is already there
    }
    if (auto known = paths_.find(inode); known != paths_.end()) {
        if (auto fd = open_netns(known->second, inode); fd) {
            return fd;
        }
        paths_.erase(known); // that process is gone, or the name now means another namespace
    }
    // By name (/run/netns or the host), else any process that lives in it.
    std::vector<std::string> candidates;
    if (const std::string name = registry_.name_of(inode); !name.empty()) {
        if (name == NetnsRegistry::host_name) {
            candidates.push_back(options_.netns.init_ns);
            candidates.push_back(options_.netns.kthreadd_dir + "/ns/net");
        } else {
            candidates.push_back(options_.netns.run_dir + "/" + name);
        }
    }
    std::error_code ec;
    std::filesystem::directory_iterator it(options_.proc_dir, ec);
    for (; !ec && it != std::filesystem::directory_iterator() && candidates.empty();
         it.increment(ec)) {
        const std::string pid = it->path().filename().string();
        if (pid.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        const std::string path = it->path().string() + "/ns/net";
        if (inode_of_path(path) == inode) {
            candidates.push_back(path);
        }
    }
    if (candidates.empty()) {
        return make_error(ErrorKind::Environment,
                          "namespace not found (gone, or no process lives in it and it has no "
                          "/run/netns name)");
    }
    std::optional<Error> last;
    for (const auto& path : candidates) {
        auto fd = open_netns(path, inode);
        if (fd) {
            if (paths_.size() < max_answers) {
                paths_.emplace(inode, path);
            }
            return fd;
        }
        last = fd.error();
    }
    return *last;
}

std::shared_ptr<const NamespaceFacts> LiveFacts::read_namespace(std::uint32_t inode) {
    auto failed = [](std::string why) {
        auto f = std::make_shared<NamespaceFacts>();
        f->namespace_error = std::move(why);
        return f;
    };
    auto ns = open_namespace(inode);
    if (!ns) {
        return failed(ns.error().describe());
    }
    auto facts = worker_.run<NamespaceFacts>(
        std::move(*ns),
        [root = options_.sysctl_root] { return read_here(root); },
        options_.timeout);
    if (!facts) {
        return failed(facts.error().describe());
    }
    return std::make_shared<const NamespaceFacts>(std::move(*facts));
}

void LiveFacts::queue_firewall_snapshot(std::uint32_t inode, bool prime) {
    auto ns = open_namespace(inode);
    if (!ns) {
        std::lock_guard lock(firewall_mutex_);
        firewall_[inode].error = ns.error().describe();
        return;
    }
    queue_firewall_snapshot(inode, std::move(*ns), prime);
}

void LiveFacts::queue_firewall_snapshot(std::uint32_t inode, UniqueFd ns, bool prime) {
    if (prime) {
        std::lock_guard lock(firewall_mutex_);
        ++primes_pending_;
    }
    auto done = [this, prime] {
        if (prime) {
            --primes_pending_;
            primed_.notify_all();
        }
    };
    auto store = [this, inode, done](FirewallSnapshot snap) {
        std::lock_guard lock(firewall_mutex_);
        done();
        auto& history = firewall_[inode];
        NETDX_LOG(Debug) << "live facts: firewall snapshot of netns " << inode << ": "
                         << snap.rules.size() << " rules in "
                         << (snap.finished_unix_ns - snap.started_unix_ns) / 1000 << " us";
        history.snapshots.push_back(std::make_shared<const FirewallSnapshot>(std::move(snap)));
        while (history.snapshots.size() > firewall_history) {
            history.snapshots.pop_front();
        }
        ++background_reads_;
    };
    auto posted = worker_.post(
        std::move(ns),
        [store] { store(read_firewall()); },
        [this, inode, done](const Error& e) {
            std::lock_guard lock(firewall_mutex_);
            done();
            firewall_[inode].error = e.describe();
        });
    if (!posted) {
        note_gap("firewall snapshots", posted.error().describe());
        std::lock_guard lock(firewall_mutex_);
        done();
    }
}

bool LiveFacts::wait_primed(std::chrono::milliseconds limit) {
    std::unique_lock lock(firewall_mutex_);
    const bool ok = primed_.wait_for(lock, limit, [this] { return primes_pending_ == 0; });
    if (!ok) {
        lock.unlock();
        note_gap("firewall baseline",
                 "snapshots of every namespace took longer than " + std::to_string(limit.count()) +
                     " ms; drops in namespaces not yet read cannot be attributed");
    }
    return ok;
}

void LiveFacts::prime_firewall() {
    // One file per namespace: its /run/netns name, the host's, else the first process in it.
    std::map<std::uint32_t, std::string> paths;
    auto add = [&paths](const std::string& path) {
        if (const auto inode = inode_of_path(path); inode != 0) {
            paths.emplace(inode, path);
        }
    };
    add(options_.netns.init_ns);
    std::error_code ec;
    for (std::filesystem::directory_iterator it(options_.netns.run_dir, ec);
         !ec && it != std::filesystem::directory_iterator();
         it.increment(ec)) {
        add(it->path().string());
    }
    for (std::filesystem::directory_iterator it(options_.proc_dir, ec);
         !ec && it != std::filesystem::directory_iterator();
         it.increment(ec)) {
        const std::string pid = it->path().filename().string();
        if (pid.find_first_not_of("0123456789") == std::string::npos) {
            add(it->path().string() + "/ns/net");
        }
    }
    NETDX_LOG(Debug) << "live facts: firewall baselines of " << paths.size() << " namespaces";
    std::size_t queued = 0;
    const auto now = Clock::now();
    for (const auto& [inode, path] : paths) {
        if (queued == options_.max_primed) {
            note_gap("firewall baseline",
                     "more than " + std::to_string(options_.max_primed) +
                         " namespaces: the others get their first snapshot when a drop asks");
            break;
        }
        auto ns = inode == own_inode_ ? Result<UniqueFd>(UniqueFd()) : open_netns(path, inode);
        {
            std::lock_guard lock(firewall_mutex_);
            firewall_[inode].refreshed = now;
            if (!ns) {
                firewall_[inode].error = ns.error().describe();
                continue;
            }
        }
        queue_firewall_snapshot(inode, std::move(*ns), true);
        ++queued;
    }
}

std::span<const std::string_view> LiveFacts::counter_names() {
    // Counters that go up when the kernel refuses traffic without freeing a packet through
    // kfree_skb, or where the counter names the cause better than the drop.
    static constexpr std::string_view names[] = {
        "TcpExt.ListenOverflows",
        "TcpExt.ListenDrops",
        "TcpExt.TCPBacklogDrop",
        "TcpExt.TCPReqQFullDrop",
        "Udp.RcvbufErrors",
        "Udp6.RcvbufErrors",
        "Ip.OutNoRoutes",
        "Ip.InAddrErrors",
    };
    return names;
}

void LiveFacts::watch_counters(std::uint32_t only_netns) {
    watching_counters_ = true;
    counters_netns_ = only_netns;
    std::vector<std::uint32_t> inodes;
    {
        std::lock_guard lock(firewall_mutex_);
        for (const auto& [inode, history] : firewall_) {
            if (only_netns == 0 || inode == only_netns) {
                inodes.push_back(inode);
            }
        }
    }
    if (only_netns != 0 && inodes.empty()) {
        inodes.push_back(only_netns);
    }
    for (const auto inode : inodes) {
        queue_counter_sample(inode); // the baseline
    }
    counters_sampled_ = Clock::now();
}

void LiveFacts::queue_counter_sample(std::uint32_t inode) {
    auto ns = open_namespace(inode);
    if (!ns) {
        return; // gone: nothing to watch
    }
    auto posted = worker_.post(std::move(*ns), [this, inode] {
        auto counters = read_counters();
        std::lock_guard lock(firewall_mutex_);
        auto& sample = counters_[inode];
        if (counters) {
            sample.latest = std::move(*counters);
            sample.latest_ns = wall_clock_ns();
        }
    });
    if (!posted) {
        note_gap("counters", posted.error().describe());
    }
}

std::vector<engine::Event> LiveFacts::counter_events() {
    std::vector<engine::Event> out;
    std::lock_guard lock(firewall_mutex_);
    for (auto& [inode, sample] : counters_) {
        if (!sample.latest) {
            continue;
        }
        if (sample.previous) {
            const Counters moved = delta(*sample.previous, *sample.latest);
            for (const auto name : counter_names()) {
                const auto by = moved.find(name);
                if (!by || *by <= 0) {
                    continue;
                }
                engine::Event ev;
                ev.kind = engine::EventKind::Counter;
                ev.ts_ns = sample.latest_ns;
                ev.netns = inode;
                ev.netns_name = registry_.name_of(inode);
                ev.trace.tracepoint = "netdx:counters";
                ev.trace.counter = std::string(name);
                ev.trace.counter_delta = *by;
                out.push_back(std::move(ev));
            }
        }
        sample.previous = std::move(sample.latest);
        sample.latest.reset();
    }
    return out;
}

void LiveFacts::tick() {
    const auto now = Clock::now();
    if (watching_counters_ && now - counters_sampled_ >= std::chrono::seconds(1)) {
        counters_sampled_ = now;
        std::vector<std::uint32_t> inodes;
        {
            std::lock_guard lock(firewall_mutex_);
            for (const auto& [inode, history] : firewall_) {
                if (counters_netns_ == 0 || inode == counters_netns_) {
                    inodes.push_back(inode);
                }
            }
            if (counters_netns_ != 0 && inodes.empty()) {
                inodes.push_back(counters_netns_);
            }
        }
        for (const auto inode : inodes) {
            queue_counter_sample(inode);
        }
    }
    std::vector<std::uint32_t> due;
    {
        std::lock_guard lock(firewall_mutex_);
        for (auto& [inode, history] : firewall_) {
            if (history.error.empty() && now - history.refreshed >= options_.firewall_refresh) {
                history.refreshed = now;
                due.push_back(inode);
            }
        }
    }
    for (const auto inode : due) {
        queue_firewall_snapshot(inode, false);
    }
}

const FirewallAnswer& LiveFacts::firewall_for(const engine::Event& ev) {
    static const FirewallAnswer none;
    const auto site = drop_site(ev);
    if (!site) {
        return none;
    }
    // Conditions read fact.nf_* for every NETFILTER_DROP: a flood of one flow must not cost a
    // snapshot and a comparison per packet, so an answer serves the same namespace, hook and
    // flow for a second.
    const auto& pkt = ev.pkt;
    std::string key = std::to_string(ev.netns) + '|' + site->hook + '|' + site->family + '|' +
                      (site->nftables ? "n|" : "x|") + std::to_string(pkt.l4_proto) + '|' +
                      std::to_string(pkt.dport) + '|';
    key.append(reinterpret_cast<const char*>(pkt.saddr.bytes().data()), pkt.saddr.bytes().size());
    key.append(reinterpret_cast<const char*>(pkt.daddr.bytes().data()), pkt.daddr.bytes().size());
    const auto now = Clock::now();
    if (auto it = answers_.find(key); it != answers_.end() && now - it->second.at < answer_reuse) {
        return it->second.answer;
    }
    if (answers_.size() >= max_answers) {
        std::erase_if(answers_,
                      [now](const auto& kv) { return now - kv.second.at >= answer_reuse; });
        if (answers_.size() >= max_answers) {
            answers_.clear();
        }
    }
    auto& slot = answers_[key];
    slot.at = now;
    slot.answer = attribute(ev, *site);
    return slot.answer;
}

FirewallAnswer LiveFacts::attribute(const engine::Event& ev, const DropSite& site) {
    FirewallAnswer answer;
    const std::string where =
        "netns " + (ev.netns_name.empty() ? std::to_string(ev.netns) : ev.netns_name);
    auto unavailable = [&](const std::string& why) {
        note_gap("firewall rules in " + where, why);
        answer.summary = "cannot name the rule: " + why;
        return answer;
    };
    if (ev.netns == 0) {
        return unavailable("the drop does not name its namespace");
    }
    auto ns = open_namespace(ev.netns);
    if (!ns) {
        return unavailable(ns.error().describe());
    }
    // The rule texts may need a second visit: keep a handle instead of finding it again.
    UniqueFd ns_again(ns->valid() ? ::fcntl(ns->get(), F_DUPFD_CLOEXEC, 0) : -1);
    // The newest snapshot we have (the previous drop's, or a background one) if fresh enough,
    // else a new one, taken after the drop: the counters include it.
    std::shared_ptr<const FirewallSnapshot> after;
    std::shared_ptr<const FirewallSnapshot> before;
    {
        std::lock_guard lock(firewall_mutex_);
        auto& history = firewall_[ev.netns];
        for (auto it = history.snapshots.rbegin(); it != history.snapshots.rend(); ++it) {
            if ((*it)->finished_unix_ns < ev.ts_ns) {
                before = *it;
                break;
            }
        }
        if (!history.snapshots.empty()) {
            const auto& newest = history.snapshots.back();
            const auto age_ns = wall_clock_ns() - newest->finished_unix_ns;
            if (newest->started_unix_ns > ev.ts_ns &&
                age_ns <
                    static_cast<std::uint64_t>(std::chrono::nanoseconds(firewall_reuse).count())) {
                after = newest;
            }
        }
    }
    if (!after) {
        auto snap = worker_.run<FirewallSnapshot>(
            std::move(*ns), [] { return read_firewall(); }, options_.timeout);
        ++stats_.firewall_reads;
        if (!snap) {
            return unavailable(snap.error().describe());
        }
        after = std::make_shared<const FirewallSnapshot>(std::move(*snap));
        std::lock_guard lock(firewall_mutex_);
        auto& history = firewall_[ev.netns];
        if (history.snapshots.empty()) {
            history.refreshed = Clock::now();
        }
        history.snapshots.push_back(after);
        while (history.snapshots.size() > firewall_history) {
            history.snapshots.pop_front();
        }
    }
    for (const auto& gap : after->gaps) {
        note_gap("firewall rules in " + where, gap);
    }
    if (!before) {
        answer.summary = "cannot name the rule: netdx had no snapshot of the firewall in " + where +
                         " from before this drop (it was first seen now); later drops "
                         "are compared with the snapshot taken now";
        return answer;
    }
    Attribution a = attribute_drop(*before, *after, site);
    // Rule texts cost a tool run: read them only for the tables of the rules named.
    std::set<std::pair<std::string, std::string>> tables;
    for (const auto& c : a.candidates) {
        if (c.rule != nullptr && c.rule->text.empty()) {
            tables.insert({c.rule->family, c.rule->table});
        }
    }
    if (!tables.empty() && (ns_again.valid() || ev.netns == own_inode_)) {
        auto with_texts = worker_.run<FirewallSnapshot>(
            std::move(ns_again),
            [copy = *after, tables]() mutable {
                for (const auto& [family, table] : tables) {
                    read_rule_texts(copy, family, table);
                }
                return copy;
            },
            options_.timeout);
        if (with_texts) {
            after = std::make_shared<const FirewallSnapshot>(std::move(*with_texts));
            a = attribute_drop(*before, *after, site);
        }
    }
    answer.summary = summarize(a, site);
    answer.attribution = std::move(a);
    answer.after = std::move(after);
    return answer;
}

void LiveFacts::note_gap(std::string name, std::string reason) {
    if (gaps_.size() < max_gaps) {
        gaps_.emplace(std::move(name), std::move(reason));
    }
}

std::vector<engine::FactGap> LiveFacts::gaps() const {
    std::vector<engine::FactGap> out;
    for (const auto& [name, reason] : gaps_) {
        out.push_back({name, reason});
    }
    return out;
}

} // namespace netdx::probes
