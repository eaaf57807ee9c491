// SPDX-License-Identifier: GPL-2.0
// Skeleton<T>: owns one bpftool-generated skeleton (struct T, functions T__open_opts, T__load,
// T__attach, T__destroy) through its life: open -> (caller sets rodata and map sizes) -> load ->
// attach. Destroying it detaches and unloads everything. Movable, not copyable.
// open_and_load is deliberately absent: .rodata must be written between open and load.
#pragma once

#include <cerrno>
#include <memory>
#include <string>

#include <bpf/libbpf.h>

#include "engine/result.h"

namespace netdx::probes {

// The generated functions of one skeleton type; NETDX_SKELETON_OPS(name) fills it.
template <class T>
struct SkeletonOps {
    T* (*open)(const struct bpf_object_open_opts*);
    int (*load)(T*);
    int (*attach)(T*);
    void (*destroy)(T*);
};

#define NETDX_SKELETON_OPS(name)                                                                   \
    ::netdx::probes::SkeletonOps<name> {                                                           \
        name##__open_opts, name##__load, name##__attach, name##__destroy                           \
    }

template <class T>
class Skeleton {
public:
    // `what` names the object in error messages ("skb_drop").
    static Result<Skeleton> open(const SkeletonOps<T>& ops, std::string what) {
        errno = 0;
        T* raw = ops.open(nullptr);
        if (raw == nullptr) {
            return make_error(ErrorKind::Environment, "cannot open BPF object " + what, errno);
        }
        return Skeleton(ops, raw, std::move(what));
    }

    T* get() const { return skel_.get(); }
    T* operator->() const { return skel_.get(); }

    // Creates the maps and loads the programs (the verifier runs here).
    Result<void> load() { return check(ops_.load(skel_.get()), "load"); }
    Result<void> attach() { return check(ops_.attach(skel_.get()), "attach"); }

private:
    Skeleton(const SkeletonOps<T>& ops, T* raw, std::string what)
        : ops_(ops), skel_(raw, ops.destroy), what_(std::move(what)) {}

    Result<void> check(int rc, const char* step) const {
        if (rc == 0) {
            return {};
        }
        const int err = rc < 0 ? -rc : EINVAL;
        return make_error(ErrorKind::Environment,
                          std::string("cannot ") + step + " BPF object " + what_,
                          err,
                          err == EPERM ? "run as root (sudo netdx ...); some kernels refuse "
                                         "this program type by policy (see netdx -v)"
                                       : "run with -v to see the libbpf and verifier log");
    }

    SkeletonOps<T> ops_;
    std::unique_ptr<T, void (*)(T*)> skel_;
    std::string what_;
};

} // namespace netdx::probes
