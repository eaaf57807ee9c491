// SPDX-License-Identifier: GPL-2.0
#include "kernel_filter.h"

#include <cstring>

namespace netdx::probes {
namespace {

// Sets a (family, address) pair of the kernel filter.
void set_addr(const engine::IpAddr& addr, __u8& family, __u8 (&bytes)[16]) {
    family = addr.family() == engine::IpFamily::V6 ? NETDX_PKT_IPV6 : NETDX_PKT_IPV4;
    std::memcpy(bytes, addr.bytes().data(), sizeof(bytes));
}

} // namespace

Result<netdx_filter> to_kernel_filter(const engine::Filter& filter) {
    netdx_filter kf{};
    if (filter.host && filter.host->is_set()) {
        set_addr(*filter.host, kf.host_family, kf.host);
    }
    if (filter.saddr && filter.saddr->is_set()) {
        set_addr(*filter.saddr, kf.saddr_family, kf.saddr);
    }
    if (filter.daddr && filter.daddr->is_set()) {
        set_addr(*filter.daddr, kf.daddr_family, kf.daddr);
    }
    kf.l4_proto = filter.l4_proto.value_or(0);
    kf.port = filter.port.value_or(0);
    kf.sport = filter.sport.value_or(0);
    kf.dport = filter.dport.value_or(0);
    if (filter.netns && filter.netns_inode == 0) {
        return make_error(ErrorKind::Internal,
                          "network namespace '" + *filter.netns + "' was not resolved to an inode");
    }
    kf.netns = filter.netns_inode;
    if (filter.dev) {
        if (filter.dev->size() >= sizeof(kf.dev)) {
            return make_error(ErrorKind::Usage,
                              "device name '" + *filter.dev + "' is longer than " +
                                  std::to_string(sizeof(kf.dev) - 1) + " characters",
                              0,
                              "Linux interface names have at most 15 characters (ip link)");
        }
        std::memcpy(kf.dev, filter.dev->data(), filter.dev->size());
    }
    return kf;
}

} // namespace netdx::probes
