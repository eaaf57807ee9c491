// SPDX-License-Identifier: GPL-2.0
#include "drop_summary.h"

#include <algorithm>
#include <cerrno>
#include <map>
#include <optional>
#include <tuple>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

// clang-format off: the skeleton needs the ABI structs declared first
#include "bpf/drop_summary.h"
#include "bpf/events.h"
#include "drop_summary.skel.h"
// clang-format on

#include "bpf_util.h"
#include "btf_names.h"
#include "engine/log.h"
#include "environment.h"
#include "kallsyms.h"
#include "kernel_filter.h"
#include "netns.h"
#include "skeleton.h"

namespace netdx::probes {
namespace {

// A key that counted nothing for this many reads in a row is deleted from the kernel map (an
// increment racing with the delete is lost; for a key idle this long that is acceptable).
constexpr unsigned idle_reads_before_delete = 60;

using Key = std::tuple<std::uint64_t, std::uint32_t, std::uint32_t>; // location, reason, netns

Key key_of(const netdx_drop_key& k) {
    return {k.location, k.reason, k.netns};
}

struct Seen {
    std::uint64_t total = 0; // the kernel counter at the previous read
    unsigned idle_reads = 0;
};

} // namespace

struct DropSummary::Impl {
    ReasonNames reasons;
    NetnsRegistry netns;
    std::optional<Kallsyms> kallsyms;
    std::map<Key, Seen> seen;
    std::optional<Skeleton<drop_summary_bpf>> skel;

    void stop() {
        if (!skel) {
            return;
        }
        const auto ids = object_prog_ids((*skel)->obj);
        skel.reset();
        if (!wait_progs_unloaded(ids, std::chrono::seconds(1))) {
            NETDX_LOG(Debug) << "drop summary program still listed 1 s after unloading";
        }
    }

    ~Impl() { stop(); }
};

DropSummary::DropSummary(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DropSummary::DropSummary(DropSummary&&) noexcept = default;
DropSummary& DropSummary::operator=(DropSummary&&) noexcept = default;
DropSummary::~DropSummary() = default;

Result<DropSummary> DropSummary::start(const engine::Filter& filter) {
    if (auto env = check_tracing_environment(); !env) {
        return env.error();
    }
    route_libbpf_log();
    auto impl = std::make_unique<Impl>();
    auto reasons = load_drop_reason_names();
    if (!reasons) {
        return reasons.error();
    }
    impl->reasons = std::move(*reasons);

    engine::Filter resolved = filter;
    if (resolved.netns && resolved.netns_inode == 0) {
        auto inode = impl->netns.inode_of(*resolved.netns);
        if (!inode) {
            return inode.error();
        }
        resolved.netns_inode = *inode;
    }
    auto kfilter = to_kernel_filter(resolved);
    if (!kfilter) {
        return kfilter.error();
    }

    auto skel =
        Skeleton<drop_summary_bpf>::open(NETDX_SKELETON_OPS(drop_summary_bpf), "drop_summary");
    if (!skel) {
        return skel.error();
    }
    (*skel)->rodata->targ_filter = *kfilter;
    // The program writes no records: do not create (and charge memory for) the ring buffer.
    if (const int rc = bpf_map__set_autocreate((*skel)->maps.events, false)) {
        return make_error(ErrorKind::Environment, "cannot configure BPF object drop_summary", -rc);
    }
    if (auto loaded = skel->load(); !loaded) {
        return loaded.error();
    }
    if (auto attached = skel->attach(); !attached) {
        return attached.error();
    }
    impl->skel.emplace(std::move(*skel));

    // Now that our program is loaded, its symbol is in kallsyms too.
    if (auto syms = Kallsyms::load()) {
        impl->kallsyms.emplace(std::move(*syms));
        if (impl->kallsyms->size() == 0) {
            NETDX_LOG(Warn) << "/proc/kallsyms shows no addresses (kernel.kptr_restrict): drop "
                               "locations are shown as addresses";
        }
    } else {
        NETDX_LOG(Warn) << "cannot read kernel symbols, drop locations are shown as addresses: "
                        << syms.error().describe();
    }
    return DropSummary(std::move(impl));
}

Result<std::vector<DropCount>> DropSummary::read() {
    auto& im = *impl_;
    if (!im.skel) {
        return make_error(ErrorKind::Internal, "the drop summary is not running");
    }
    const int fd = bpf_map__fd((*im.skel)->maps.drop_counts);
    const int ncpus = libbpf_num_possible_cpus();
    if (ncpus <= 0) {
        return make_error(ErrorKind::Environment, "cannot count the possible CPUs", -ncpus);
    }

    // Collect the keys first: the map is not changed while walking it.
    std::vector<netdx_drop_key> keys;
    netdx_drop_key cursor{};
    netdx_drop_key next{};
    const void* prev = nullptr;
    while (keys.size() < NETDX_DROP_SUMMARY_KEYS) {
        if (bpf_map_get_next_key(fd, prev, &next) != 0) {
            if (errno != ENOENT) {
                return make_error(
                    ErrorKind::Environment, "cannot walk the drop summary map", errno);
            }
            break;
        }
        keys.push_back(next);
        cursor = next;
        prev = &cursor;
    }

    std::vector<DropCount> out;
    std::vector<std::uint64_t> values(static_cast<std::size_t>(ncpus));
    std::map<Key, Seen> seen;
    for (const auto& k : keys) {
        if (bpf_map_lookup_elem(fd, &k, values.data()) != 0) {
            continue; // deleted meanwhile
        }
        std::uint64_t total = 0;
        for (const auto v : values) {
            total += v;
        }
        const Key key = key_of(k);
        Seen now{total, 0};
        std::uint64_t delta = total;
        if (auto it = im.seen.find(key); it != im.seen.end()) {
            // A smaller total means the key was deleted and created again: all of it is new.
            delta = total >= it->second.total ? total - it->second.total : total;
            now.idle_reads = delta == 0 ? it->second.idle_reads + 1 : 0;
        }
        if (now.idle_reads >= idle_reads_before_delete) {
            bpf_map_delete_elem(fd, &k);
            continue;
        }
        seen.emplace(key, now);
        if (delta == 0) {
            continue;
        }
        DropCount c;
        c.reason_code = k.reason;
        c.reason = drop_reason_name(im.reasons, k.reason);
        c.location = im.kallsyms ? im.kallsyms->lookup(k.location) : engine::Frame{};
        c.location.addr = k.location;
        c.netns = k.netns;
        c.netns_name = k.netns ? im.netns.name_of(k.netns) : "";
        c.count = delta;
        out.push_back(std::move(c));
    }
    im.seen = std::move(seen);
    std::stable_sort(out.begin(), out.end(), [](const DropCount& a, const DropCount& b) {
        return a.count > b.count;
    });
    return out;
}

std::uint64_t DropSummary::uncounted() const {
    if (!impl_ || !impl_->skel) {
        return 0;
    }
    return sum_percpu_u64(bpf_map__fd((*impl_->skel)->maps.lost_events));
}

std::vector<std::uint32_t> DropSummary::prog_ids() const {
    if (!impl_ || !impl_->skel) {
        return {};
    }
    return object_prog_ids((*impl_->skel)->obj);
}

void DropSummary::stop() {
    if (impl_) {
        impl_->stop();
    }
}

} // namespace netdx::probes
