// SPDX-License-Identifier: GPL-2.0
// BpfProbe<T>: the Probe lifecycle shared by every skeleton built on bpf/common.bpf.h, which gives
// each object the same names: rodata `targ_filter`, ring buffer `events`, per-CPU counter
// `lost_events`. A concrete probe adds its name, tracepoint, event kind and skeleton functions.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "bpf_util.h"
#include "kernel_filter.h"
#include "probe.h"
#include "skeleton.h"

namespace netdx::probes {

template <class T>
class BpfProbe : public Probe {
public:
    Result<void> start(const ProbeOptions& options) override {
        stop();
        auto kfilter = to_kernel_filter(options.filter);
        if (!kfilter) {
            return kfilter.error();
        }
        if (auto ring_ok = check_ring_bytes(options.ring_bytes); !ring_ok) {
            return ring_ok.error();
        }
        auto skel = Skeleton<T>::open(ops(), std::string(name()));
        if (!skel) {
            return skel.error();
        }
        (*skel)->rodata->targ_filter = *kfilter;
        if (options.shared_ring_fd >= 0) {
            if (const int rc = bpf_map__reuse_fd((*skel)->maps.events, options.shared_ring_fd)) {
                return make_error(ErrorKind::Environment,
                                  "cannot share the ring buffer with BPF object " +
                                      std::string(name()),
                                  -rc);
            }
        } else if (const int rc =
                       bpf_map__set_max_entries((*skel)->maps.events, options.ring_bytes)) {
            return make_error(ErrorKind::Environment,
                              "cannot size the ring buffer of BPF object " + std::string(name()),
                              -rc);
        }
        if (auto loaded = skel->load(); !loaded) {
            return loaded.error();
        }
        if (auto attached = skel->attach(); !attached) {
            return attached.error();
        }
        skel_.emplace(std::move(*skel));
        return {};
    }

    void stop() override { skel_.reset(); }
    bool running() const override { return skel_.has_value(); }

    std::uint64_t lost_events() const override {
        return skel_ ? sum_percpu_u64(bpf_map__fd((*skel_)->maps.lost_events)) : 0;
    }

    std::vector<std::uint32_t> prog_ids() const override {
        return skel_ ? object_prog_ids((*skel_)->obj) : std::vector<std::uint32_t>{};
    }

protected:
    virtual SkeletonOps<T> ops() const = 0;

private:
    std::optional<Skeleton<T>> skel_;
};

} // namespace netdx::probes
