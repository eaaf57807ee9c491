// SPDX-License-Identifier: GPL-2.0
#include "btf_names.h"

#include <cerrno>
#include <memory>
#include <string>

#include <bpf/btf.h>

namespace netdx::probes {
namespace {

constexpr std::string_view enum_name = "skb_drop_reason";

struct BtfDeleter {
    void operator()(btf* b) const { btf__free(b); }
};

} // namespace

Result<ReasonNames> load_drop_reason_names() {
    errno = 0;
    std::unique_ptr<btf, BtfDeleter> vmlinux(btf__load_vmlinux_btf());
    if (!vmlinux) {
        return make_error(ErrorKind::Environment,
                          "cannot load the kernel BTF",
                          errno,
                          "use a kernel built with CONFIG_DEBUG_INFO_BTF=y");
    }
    const btf* b = vmlinux.get();
    const std::string name(enum_name);
    __s32 id = btf__find_by_name_kind(b, name.c_str(), BTF_KIND_ENUM);
    if (id < 0) {
        id = btf__find_by_name_kind(b, name.c_str(), BTF_KIND_ENUM64);
    }
    ReasonNames names;
    if (id < 0) {
        return names;
    }
    const btf_type* t = btf__type_by_id(b, static_cast<__u32>(id));
    if (t == nullptr) {
        return names;
    }
    const int count = btf_vlen(t);
    for (int i = 0; i < count; ++i) {
        std::uint32_t value = 0;
        const char* raw = nullptr;
        if (btf_is_enum(t)) {
            const struct btf_enum* e = btf_enum(t) + i;
            raw = btf__name_by_offset(b, e->name_off);
            value = static_cast<std::uint32_t>(e->val);
        } else {
            const struct btf_enum64* e = btf_enum64(t) + i;
            raw = btf__name_by_offset(b, e->name_off);
            value = static_cast<std::uint32_t>(btf_enum64_value(e));
        }
        if (raw == nullptr) {
            continue;
        }
        const std::string_view short_name = drop_reason_short_name(raw);
        if (!short_name.empty()) {
            names.emplace(value, std::string(short_name));
        }
    }
    return names;
}

} // namespace netdx::probes
