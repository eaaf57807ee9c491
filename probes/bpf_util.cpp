// SPDX-License-Identifier: GPL-2.0
#include "bpf_util.h"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <string>
#include <thread>

#include <unistd.h>

#include <bpf/bpf.h>

#include "engine/log.h"

namespace netdx::probes {
namespace {

__attribute__((format(printf, 2, 0))) int
libbpf_print(enum libbpf_print_level level, const char* format, va_list args) {
    const auto netdx_level = level == LIBBPF_DEBUG ? log::Level::Trace : log::Level::Debug;
    if (!log::enabled(netdx_level)) {
        return 0;
    }
    char buf[1024];
    const int n = std::vsnprintf(buf, sizeof(buf), format, args);
    if (n < 0) {
        return 0;
    }
    std::string text(buf);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    if (level == LIBBPF_DEBUG) {
        NETDX_LOG(Trace) << "libbpf: " << text;
    } else {
        NETDX_LOG(Debug) << "libbpf: " << text;
    }
    return n;
}

} // namespace

std::uint64_t sum_percpu_u64(int map_fd) {
    const int ncpus = libbpf_num_possible_cpus();
    if (map_fd < 0 || ncpus <= 0) {
        return 0;
    }
    std::vector<std::uint64_t> values(static_cast<std::size_t>(ncpus));
    const std::uint32_t key = 0;
    if (bpf_map_lookup_elem(map_fd, &key, values.data()) != 0) {
        return 0;
    }
    std::uint64_t sum = 0;
    for (const auto v : values) {
        sum += v;
    }
    return sum;
}

std::vector<std::uint32_t> object_prog_ids(const bpf_object* obj) {
    std::vector<std::uint32_t> ids;
    for (bpf_program* prog = bpf_object__next_program(obj, nullptr); prog != nullptr;
         prog = bpf_object__next_program(obj, prog)) {
        const int fd = bpf_program__fd(prog);
        if (fd < 0) {
            continue;
        }
        bpf_prog_info info{};
        std::uint32_t len = sizeof(info);
        if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) {
            ids.push_back(info.id);
        }
    }
    return ids;
}

bool wait_progs_unloaded(const std::vector<std::uint32_t>& ids, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        bool loaded = false;
        for (const auto id : ids) {
            const int fd = bpf_prog_get_fd_by_id(id);
            if (fd >= 0) {
                ::close(fd);
                loaded = true;
                break;
            }
        }
        if (!loaded) {
            return true;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

Result<void> check_ring_bytes(std::uint32_t bytes) {
    const long page = ::sysconf(_SC_PAGESIZE);
    const auto page_bytes = static_cast<std::uint32_t>(page > 0 ? page : 4096);
    if (bytes < page_bytes || (bytes & (bytes - 1)) != 0 || bytes % page_bytes != 0) {
        return make_error(ErrorKind::Usage,
                          "ring buffer size " + std::to_string(bytes) +
                              " is not a power of two multiple of the page size (" +
                              std::to_string(page_bytes) + ")",
                          0,
                          "use e.g. 4194304 (4 MiB)");
    }
    return {};
}

Result<UniqueFd> create_ring_buffer(std::uint32_t bytes) {
    if (auto ok = check_ring_bytes(bytes); !ok) {
        return ok.error();
    }
    UniqueFd fd(bpf_map_create(BPF_MAP_TYPE_RINGBUF, "netdx_events", 0, 0, bytes, nullptr));
    if (!fd.valid()) {
        return make_error(ErrorKind::Environment,
                          "cannot create a BPF ring buffer of " + std::to_string(bytes) + " bytes",
                          errno);
    }
    return fd;
}

void route_libbpf_log() {
    libbpf_set_print(libbpf_print);
}

} // namespace netdx::probes
