// SPDX-License-Identifier: GPL-2.0
#include "bpf_prog_info.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "unique_fd.h"

namespace netdx::probes {
namespace {

// The tcx attach types (Linux 6.6); the uapi headers of libbpf 1.1 predate them.
constexpr int attach_tcx_ingress = 46;
constexpr int attach_tcx_egress = 47;
// A tcx hook holds at most 64 programs (BPF_MPROG_MAX).
constexpr std::size_t tcx_max_progs = 64;

struct BtfDeleter {
    void operator()(btf* b) const { btf__free(b); }
};

// The name of the function `type_id` in the kernel's BTF object `btf_id`; empty when it cannot be
// read (the caller then keeps the kernel's short name).
std::string btf_func_name(std::uint32_t btf_id, std::uint32_t type_id) {
    std::unique_ptr<btf, BtfDeleter> b(btf__load_from_kernel_by_id(btf_id));
    if (!b) {
        return {};
    }
    const btf_type* t = btf__type_by_id(b.get(), type_id);
    if (t == nullptr || !btf_is_func(t)) {
        return {};
    }
    const char* name = btf__name_by_offset(b.get(), t->name_off);
    return name != nullptr ? std::string(name) : std::string();
}

std::string prog_type_name(std::uint32_t type) {
    const char* name = libbpf_bpf_prog_type_str(static_cast<bpf_prog_type>(type));
    return name != nullptr ? std::string(name) : "type " + std::to_string(type);
}

} // namespace

Result<BpfProgInfo> bpf_prog_info(std::uint32_t id) {
    UniqueFd fd(bpf_prog_get_fd_by_id(id));
    if (!fd.valid()) {
        const int err = errno;
        return make_error(ErrorKind::Environment,
                          "cannot open BPF program " + std::to_string(id),
                          err,
                          err == EPERM ? "reading BPF programs by id needs CAP_SYS_ADMIN: run as "
                                         "root (sudo netdx ...)"
                                       : "");
    }
    // One call returns the info and the first function record (the program's entry point).
    struct bpf_prog_info info {};
    bpf_func_info entry{};
    info.nr_func_info = 1;
    info.func_info_rec_size = sizeof entry;
    info.func_info = reinterpret_cast<std::uintptr_t>(&entry);
    std::uint32_t len = sizeof info;
    if (bpf_obj_get_info_by_fd(fd.get(), &info, &len) != 0) {
        const int err = errno;
        return make_error(ErrorKind::Environment,
                          "cannot read the info of BPF program " + std::to_string(id),
                          err);
    }
    BpfProgInfo out;
    out.id = info.id;
    out.name.assign(info.name, ::strnlen(info.name, sizeof info.name));
    out.type = prog_type_name(info.type);
    if (info.btf_id != 0 && info.nr_func_info > 0) {
        if (auto full = btf_func_name(info.btf_id, entry.type_id); !full.empty()) {
            out.name = std::move(full);
        }
    }
    return out;
}

Result<std::vector<std::uint32_t>> tcx_prog_ids(int ifindex, TcxDirection direction) {
    std::array<std::uint32_t, tcx_max_progs> ids{};
    struct bpf_prog_query_opts opts {};
    opts.sz = sizeof opts;
    opts.prog_ids = ids.data();
    opts.prog_cnt = static_cast<std::uint32_t>(ids.size());
    const int type = direction == TcxDirection::Ingress ? attach_tcx_ingress : attach_tcx_egress;
    // For tcx the kernel reads query.target_ifindex, which shares its place with target_fd.
    if (bpf_prog_query_opts(ifindex, static_cast<bpf_attach_type>(type), &opts) != 0) {
        const int err = errno;
        if (err == ENODEV) { // the device went away after the link dump
            return std::vector<std::uint32_t>{};
        }
        return make_error(ErrorKind::Environment,
                          std::string("cannot query the tcx ") +
                              (direction == TcxDirection::Ingress ? "ingress" : "egress") +
                              " programs of device " + std::to_string(ifindex),
                          err);
    }
    const std::size_t count = std::min<std::size_t>(opts.prog_cnt, ids.size());
    return std::vector<std::uint32_t>(ids.begin(),
                                      ids.begin() + static_cast<std::ptrdiff_t>(count));
}

} // namespace netdx::probes
