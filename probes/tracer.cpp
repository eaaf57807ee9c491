// SPDX-License-Identifier: GPL-2.0
#include "tracer.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <utility>

#include "bpf_util.h"
#include "btf_names.h"
#include "clock.h"
#include "engine/log.h"
#include "environment.h"
#include "kallsyms.h"
#include "kernel_filter.h"
#include "netns.h"
#include "probe_registry.h"

namespace netdx::probes {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string failure_text(const Error& error) {
    std::string text = error.message;
    if (error.sys_errno != 0) {
        text += ": ";
        text += std::strerror(error.sys_errno);
    }
    return text;
}

} // namespace

struct Tracer::Impl {
    std::optional<Kallsyms> kallsyms; // loaded once the probes are attached
    bool kallsyms_warned = false;
    NetnsRegistry netns;
    DecodeContext ctx;
    std::vector<std::unique_ptr<Probe>> probes;
    std::vector<ProbeStatus> status;
    std::vector<ProbeLoss> final_losses;
    std::uint64_t final_decode_errors = 0;
    UniqueFd ring; // shared by every probe of a run
    // Declared last: destroyed before the probes whose maps it reads.
    std::optional<RingReader> reader;

    std::vector<ProbeLoss> losses() const {
        std::vector<ProbeLoss> out;
        for (const auto& p : probes) {
            if (p->running()) {
                ProbeLoss loss;
                loss.name = p->name();
                loss.lost = p->lost_events();
                out.push_back(std::move(loss));
            }
        }
        return out;
    }

    // Loads /proc/kallsyms, or reloads it: our own bpf_prog_* symbols exist once attached.
    void refresh_symbols() {
        const auto t0 = Clock::now();
        if (kallsyms) {
            if (auto reloaded = kallsyms->reload(); !reloaded) {
                NETDX_LOG(Debug) << "kallsyms reload failed: " << failure_text(reloaded.error());
                return;
            }
        } else {
            auto syms = Kallsyms::load();
            if (!syms) {
                if (!kallsyms_warned) {
                    NETDX_LOG(Warn) << "cannot read kernel symbols, stacks are shown as addresses: "
                                    << failure_text(syms.error());
                    kallsyms_warned = true;
                }
                return;
            }
            kallsyms.emplace(std::move(*syms));
            ctx.symbolizer = &*kallsyms;
        }
        NETDX_LOG(Debug) << "loaded " << kallsyms->size() << " kernel symbols in " << ms_since(t0)
                         << " ms";
        if (kallsyms->size() == 0 && !kallsyms_warned) {
            NETDX_LOG(Warn) << "/proc/kallsyms shows no addresses (kernel.kptr_restrict): stacks "
                               "are shown as addresses";
            kallsyms_warned = true;
        }
    }

    void stop() {
        if (reader) {
            final_decode_errors = reader->decode_errors();
        }
        reader.reset();
        bool any = false;
        for (const auto& p : probes) {
            any = any || p->running();
        }
        std::vector<std::uint32_t> ids;
        if (any) {
            final_losses = losses();
            for (const auto& p : probes) {
                const auto probe_ids = p->prog_ids();
                ids.insert(ids.end(), probe_ids.begin(), probe_ids.end());
            }
        }
        for (auto& p : probes) {
            p->stop();
        }
        ring.reset();
        for (auto& s : status) {
            s.prog_ids.clear();
        }
        // Return only once the kernel no longer lists our programs (bpftool prog show).
        if (!ids.empty()) {
            const auto t0 = Clock::now();
            const bool gone = wait_progs_unloaded(ids, std::chrono::seconds(1));
            NETDX_LOG(Debug) << "probes detached, programs " << (gone ? "freed" : "still listed")
                             << " after " << ms_since(t0) << " ms";
        }
    }

    ~Impl() { stop(); }
};

Tracer::Tracer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tracer::Tracer(Tracer&&) noexcept = default;
Tracer& Tracer::operator=(Tracer&&) noexcept = default;
Tracer::~Tracer() = default;

Result<Tracer> Tracer::make() {
    if (auto env = check_tracing_environment(); !env) {
        return env.error();
    }
    route_libbpf_log();
    auto impl = std::make_unique<Impl>();

    auto t0 = Clock::now();
    auto reasons = load_drop_reason_names();
    if (!reasons) {
        return reasons.error();
    }
    impl->ctx.reason_names = std::move(*reasons);
    NETDX_LOG(Debug) << "loaded " << impl->ctx.reason_names.size()
                     << " drop-reason names from BTF in " << ms_since(t0) << " ms";
    if (impl->ctx.reason_names.empty()) {
        NETDX_LOG(Warn) << "the kernel BTF has no enum skb_drop_reason: drop reasons are shown "
                           "as numbers";
    }

    impl->ctx.netns = &impl->netns;
    impl->ctx.mono_to_realtime_ns = monotonic_to_realtime_offset_ns();
    impl->probes = make_all_probes();
    return Tracer(std::move(impl));
}

Result<void> Tracer::start(const std::set<engine::EventKind>& kinds,
                           const ProbeOptions& options,
                           EventSink& sink) {
    auto& im = *impl_;
    im.stop();
    im.status.clear();
    im.final_losses.clear();
    im.final_decode_errors = 0;

    ProbeOptions opts = options;
    if (opts.filter.netns && opts.filter.netns_inode == 0) {
        auto inode = im.netns.inode_of(*opts.filter.netns);
        if (!inode) {
            return inode.error();
        }
        opts.filter.netns_inode = *inode;
    }
    if (auto ring_ok = check_ring_bytes(opts.ring_bytes); !ring_ok) {
        return ring_ok.error();
    }
    if (auto kfilter = to_kernel_filter(opts.filter); !kfilter) {
        return kfilter.error();
    }

    auto wanted = [&](engine::EventKind kind) { return kinds.empty() || kinds.contains(kind); };
    std::set<engine::EventKind> covered;
    auto ring = create_ring_buffer(opts.ring_bytes);
    if (!ring) {
        return ring.error();
    }
    im.ring = std::move(*ring);
    opts.shared_ring_fd = im.ring.get();
    im.reader.emplace(im.ctx, sink);
    if (auto added = im.reader->add(im.ring.get()); !added) {
        im.reader.reset();
        im.ring.reset();
        return added.error();
    }
    std::size_t attached = 0;
    for (auto& probe : im.probes) {
        if (!wanted(probe->kind())) {
            continue;
        }
        covered.insert(probe->kind());
        ProbeStatus st;
        st.name = probe->name();
        st.tracepoint = probe->tracepoint();
        st.kind = probe->kind();
        const auto t0 = Clock::now();
        auto started = probe->start(opts);
        if (started) {
            st.attached = true;
            st.prog_ids = probe->prog_ids();
            ++attached;
            NETDX_LOG(Debug) << "probe " << st.name << " attached to " << st.tracepoint << " in "
                             << ms_since(t0) << " ms";
        } else {
            st.reason = failure_text(started.error());
            st.hint = started.error().hint;
            NETDX_LOG(Debug) << "probe " << st.name << " not attached: " << st.reason;
        }
        im.status.push_back(std::move(st));
    }
    for (const auto kind : kinds) {
        if (!covered.contains(kind)) {
            ProbeStatus st;
            st.name = engine::event_kind_name(kind);
            st.kind = kind;
            st.reason = "netdx has no probe for this event kind yet";
            im.status.push_back(std::move(st));
        }
    }

    if (attached == 0) {
        im.reader.reset();
        im.ring.reset();
        std::string reasons;
        std::string hint;
        for (const auto& st : im.status) {
            reasons += (reasons.empty() ? "" : "; ") + st.name + ": " + st.reason;
            if (hint.empty()) {
                hint = st.hint;
            }
        }
        return make_error(ErrorKind::Environment,
                          "no probe could be attached (" +
                              (reasons.empty() ? std::string("none selected") : reasons) + ")",
                          0,
                          hint);
    }
    // Read symbols only now, once: they then include our own bpf_prog_* programs (records are
    // decoded in poll(), after this).
    im.refresh_symbols();
    return {};
}

int Tracer::poll(int timeout_ms) {
    if (!impl_->reader) {
        return -EINVAL;
    }
    return impl_->reader->poll(timeout_ms);
}

void Tracer::stop() {
    if (impl_) {
        impl_->stop();
    }
}

const std::vector<ProbeStatus>& Tracer::probe_status() const {
    return impl_->status;
}

std::vector<ProbeLoss> Tracer::lost_events() const {
    if (impl_->reader) {
        return impl_->losses();
    }
    return impl_->final_losses;
}

std::uint64_t Tracer::decode_errors() const {
    return impl_->reader ? impl_->reader->decode_errors() : impl_->final_decode_errors;
}

const DecodeContext& Tracer::decode_context() const {
    return impl_->ctx;
}

} // namespace netdx::probes
