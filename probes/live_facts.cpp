// SPDX-License-Identifier: GPL-2.0
#include "live_facts.h"

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <future>
#include <mutex>
#include <system_error>
#include <thread>

#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/stat.h>

#include "engine/log.h"
#include "unique_fd.h"

namespace netdx::probes {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t max_gaps = 32;

std::uint32_t inode_of_fd(int fd) {
    struct stat st {};
    return ::fstat(fd, &st) == 0 ? static_cast<std::uint32_t>(st.st_ino) : 0;
}

std::uint32_t inode_of_path(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint32_t>(st.st_ino) : 0;
}

bool has_flow_ports(const engine::Event& ev) {
    const auto& pkt = ev.pkt;
    return pkt.has_ports && pkt.daddr.is_set() &&
           (pkt.l4_proto == IPPROTO_TCP || pkt.l4_proto == IPPROTO_UDP);
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

engine::FactValue
answer_fact(std::string_view name, const engine::Event& ev, const NamespaceFacts& facts) {
    if (name == "listening" || name == "listener_address") {
        if (!has_flow_ports(ev) || !facts.sockets) {
            return {};
        }
        const auto& pkt = ev.pkt;
        if (name == "listening") {
            return listening(*facts.sockets, pkt.l4_proto, pkt.daddr, pkt.dport);
        }
        auto other = listener_address(*facts.sockets, pkt.l4_proto, pkt.daddr, pkt.dport);
        return other ? engine::FactValue(std::move(*other)) : engine::FactValue{};
    }
    if (name == "ip_forward") {
        const char* key = nullptr;
        if (ev.pkt.family == engine::PacketFamily::Ipv4) {
            key = "ipv4/ip_forward";
        } else if (ev.pkt.family == engine::PacketFamily::Ipv6) {
            key = "ipv6/conf/all/forwarding";
        }
        const std::int64_t* v = key ? facts.sysctls.find(key) : nullptr;
        return v ? engine::FactValue(*v) : engine::FactValue{};
    }
    return {};
}

// One helper thread that reads namespaces. Each job carries an open namespace file (or none: read
// where the thread already is); the thread enters it, reads, and goes back to its own namespace.
class LiveFacts::Reader {
public:
    explicit Reader(std::string sysctl_root) : sysctl_root_(std::move(sysctl_root)) {
        thread_ = std::thread([this] { run(); });
    }
    ~Reader() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        cv_.notify_one();
        thread_.join();
    }
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;

    std::future<NamespaceFacts> submit(UniqueFd ns) {
        auto job = std::make_shared<Job>();
        job->ns = std::move(ns);
        auto future = job->done.get_future();
        {
            std::lock_guard lock(mutex_);
            jobs_.push_back(std::move(job));
        }
        cv_.notify_one();
        return future;
    }

private:
    struct Job {
        UniqueFd ns;
        std::promise<NamespaceFacts> done;
    };

    void run() {
        // The namespace this thread returns to after each read.
        UniqueFd home(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
        const int home_errno = errno;
        for (;;) {
            std::shared_ptr<Job> job;
            {
                std::unique_lock lock(mutex_);
                cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
                if (stop_) {
                    break;
                }
                job = std::move(jobs_.front());
                jobs_.pop_front();
            }
            job->done.set_value(read(job->ns, home, home_errno));
        }
        std::lock_guard lock(mutex_);
        for (auto& job : jobs_) {
            NamespaceFacts f;
            f.namespace_error = "netdx was stopping";
            job->done.set_value(std::move(f));
        }
    }

    NamespaceFacts read(const UniqueFd& ns, const UniqueFd& home, int home_errno) {
        if (!ns.valid()) {
            return read_here(sysctl_root_);
        }
        NamespaceFacts out;
        if (broken_) {
            out.namespace_error = "the reader thread could not return to its own namespace";
            return out;
        }
        if (!home.valid()) {
            out.namespace_error =
                std::string("cannot open /proc/thread-self/ns/net: ") + std::strerror(home_errno);
            return out;
        }
        if (::setns(ns.get(), CLONE_NEWNET) != 0) {
            out.namespace_error = std::string("cannot enter the namespace (setns): ") +
                                  std::strerror(errno) +
                                  (errno == EPERM ? " (needs CAP_SYS_ADMIN; run as root)" : "");
            return out;
        }
        out = read_here(sysctl_root_);
        if (::setns(home.get(), CLONE_NEWNET) != 0) {
            broken_ = true;
            NETDX_LOG(Error) << "live facts: cannot return to the original namespace: "
                             << std::strerror(errno) << "; no more namespace reads";
        }
        return out;
    }

    std::string sysctl_root_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::shared_ptr<Job>> jobs_;
    bool stop_ = false;
    bool broken_ = false; // only touched by the reader thread
    std::thread thread_;
};

LiveFacts::LiveFacts(LiveFactsOptions options)
    : options_(std::move(options)), registry_(options_.netns),
      own_inode_(inode_of_path(options_.proc_dir + "/self/ns/net")) {}

LiveFacts::~LiveFacts() = default;

engine::FactValue LiveFacts::fact(std::string_view name, const engine::Event& ev) {
    ++stats_.lookups;
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

std::shared_ptr<const NamespaceFacts> LiveFacts::read_namespace(std::uint32_t inode) {
    auto failed = [](std::string why) {
        auto f = std::make_shared<NamespaceFacts>();
        f->namespace_error = std::move(why);
        return f;
    };
    UniqueFd ns;
    if (inode != own_inode_) {
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
        int last_errno = ENOENT;
        for (const auto& path : candidates) {
            ns.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
            if (ns.valid() && inode_of_fd(ns.get()) == inode) {
                break;
            }
            last_errno = ns.valid() ? ESTALE : errno;
            ns.reset();
        }
        if (!ns.valid()) {
            return failed(candidates.empty()
                              ? std::string("namespace not found (gone, or no process lives in "
                                            "it and it has no /run/netns name)")
                              : std::string("cannot open the namespace: ") +
                                    std::strerror(last_errno));
        }
    }
    if (!reader_) {
        reader_ = std::make_unique<Reader>(options_.sysctl_root);
    }
    auto future = reader_->submit(std::move(ns));
    if (future.wait_for(options_.timeout) != std::future_status::ready) {
        return failed("reading the namespace took longer than " +
                      std::to_string(options_.timeout.count()) + " ms");
    }
    return std::make_shared<const NamespaceFacts>(future.get());
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
