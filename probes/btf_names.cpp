// SPDX-License-Identifier: GPL-2.0
#include "btf_names.h"

#include <cerrno>
#include <memory>
#include <string>

#include <bpf/btf.h>

namespace netdx::probes {
namespace {

constexpr std::string_view enum_name = "skb_drop_reason";
constexpr std::string_view subsystem_enum_name = "skb_drop_reason_subsys";
constexpr std::string_view subsystem_prefix = "SKB_DROP_REASON_SUBSYS_";
constexpr unsigned subsystem_shift = 16;

struct BtfDeleter {
    void operator()(btf* b) const { btf__free(b); }
};

const btf_type* find_enum(const btf* b, std::string_view name) {
    const std::string text(name);
    __s32 id = btf__find_by_name_kind(b, text.c_str(), BTF_KIND_ENUM);
    if (id < 0) {
        id = btf__find_by_name_kind(b, text.c_str(), BTF_KIND_ENUM64);
    }
    return id < 0 ? nullptr : btf__type_by_id(b, static_cast<__u32>(id));
}

template <class Fn>
void for_each_enumerator(const btf* b, const btf_type* t, Fn fn) {
    const int count = btf_vlen(t);
    for (int i = 0; i < count; ++i) {
        const char* raw = nullptr;
        std::uint64_t value = 0;
        if (btf_is_enum(t)) {
            const struct btf_enum* e = btf_enum(t) + i;
            raw = btf__name_by_offset(b, e->name_off);
            value = static_cast<std::uint32_t>(e->val);
        } else {
            const struct btf_enum64* e = btf_enum64(t) + i;
            raw = btf__name_by_offset(b, e->name_off);
            value = btf_enum64_value(e);
        }
        if (raw != nullptr) {
            fn(std::string_view(raw), value);
        }
    }
}

// Reasons of other subsystems (mac80211, openvswitch) are (subsystem << 16) | code; their names
// live in the subsystem's module, so only the subsystem is named here: "OPENVSWITCH".
void add_subsystem_names(const btf* b, ReasonNames& names) {
    const btf_type* t = find_enum(b, subsystem_enum_name);
    if (t == nullptr) {
        return;
    }
    for_each_enumerator(b, t, [&](std::string_view raw, std::uint64_t value) {
        if (value == 0 || value > 0xffff || !raw.starts_with(subsystem_prefix) ||
            raw.ends_with("_NUM")) {
            return;
        }
        raw.remove_prefix(subsystem_prefix.size());
        names.emplace(static_cast<std::uint32_t>(value << subsystem_shift), std::string(raw));
    });
}

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
    ReasonNames names;
    const btf_type* t = find_enum(b, enum_name);
    if (t == nullptr) {
        return names;
    }
    for_each_enumerator(b, t, [&](std::string_view raw, std::uint64_t value) {
        const std::string_view short_name = drop_reason_short_name(raw);
        if (!short_name.empty()) {
            names.emplace(static_cast<std::uint32_t>(value), std::string(short_name));
        }
    });
    add_subsystem_names(b, names);
    return names;
}

} // namespace netdx::probes
