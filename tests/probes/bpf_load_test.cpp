// SPDX-License-Identifier: GPL-2.0
// Loads and attaches every probe through the same Tracer the CLI uses, checks that the kernel
// lists their programs, stops, and checks that they are gone. Catches verifier regressions.
// Exit codes: 0 pass, 1 fail, 77 skipped (not root, no BTF, old kernel).
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

#include <bpf/bpf.h>

#include "probes/drop_summary.h"
#include "probes/environment.h"
#include "probes/tracer.h"

namespace {

using netdx::ErrorKind;
using netdx::probes::ProbeOptions;
using netdx::probes::Tracer;

class CountingSink final : public netdx::probes::EventSink {
public:
    void on_event(netdx::engine::Event&&) override { ++events; }
    std::size_t events = 0;
};

// Ids of every BPF program in the kernel.
std::set<std::uint32_t> kernel_prog_ids() {
    std::set<std::uint32_t> ids;
    std::uint32_t id = 0;
    while (bpf_prog_get_next_id(id, &id) == 0) {
        ids.insert(id);
    }
    return ids;
}

std::string prog_name(std::uint32_t id) {
    const int fd = bpf_prog_get_fd_by_id(id);
    if (fd < 0) {
        return "?";
    }
    bpf_prog_info info{};
    std::uint32_t len = sizeof(info);
    std::string name = "?";
    if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) {
        name = info.name;
    }
    ::close(fd);
    return name;
}

class LoadTest {
public:
    int run() {
        if (auto env = netdx::probes::check_tracing_environment(); !env) {
            std::printf("SKIP: %s\n", env.error().message.c_str());
            return 77;
        }
        auto tracer = Tracer::make();
        if (!tracer) {
            fail("Tracer::make: " + tracer.error().describe());
            return 1;
        }
        check_reason_names(*tracer);

        cycle(*tracer, ProbeOptions{}, "no filter");
        ProbeOptions filtered;
        filtered.filter.netns = "host";
        filtered.filter.dev = "lo";
        filtered.filter.port = 9;
        cycle(*tracer, filtered, "netns host, dev lo, port 9");

        ProbeOptions bad_netns;
        bad_netns.filter.netns = "netdx-no-such-namespace";
        expect_usage_error(*tracer, bad_netns, "an unknown netns");
        ProbeOptions bad_ring;
        bad_ring.ring_bytes = 12345;
        expect_usage_error(*tracer, bad_ring, "a ring size that is not a power of two");
        check_drop_summary();

        if (failures_ == 0) {
            std::printf("PASS: every probe loaded, attached and removed\n");
            return 0;
        }
        return 1;
    }

private:
    void fail(const std::string& what) {
        std::printf("FAIL: %s\n", what.c_str());
        ++failures_;
    }

    // `netdx drops --summary` has its own object: load, attach, read, stop, gone.
    void check_drop_summary() {
        std::printf("-- drop summary\n");
        auto summary = netdx::probes::DropSummary::start({});
        if (!summary) {
            fail("drop summary: start: " + summary.error().describe());
            return;
        }
        const auto ids = summary->prog_ids();
        if (ids.empty()) {
            fail("drop summary attached but reports no program ids");
        }
        if (auto counts = summary->read(); !counts) {
            fail("drop summary: read: " + counts.error().describe());
        }
        summary->stop();
        const auto after = kernel_prog_ids();
        for (const auto id : ids) {
            if (after.contains(id)) {
                fail("drop summary prog id " + std::to_string(id) + " still loaded after stop()");
            }
        }
    }

    void check_reason_names(const Tracer& tracer) {
        const auto& reasons = tracer.decode_context().reason_names;
        bool has_no_socket = false;
        for (const auto& [code, name] : reasons) {
            has_no_socket = has_no_socket || name == "NO_SOCKET";
        }
        if (!has_no_socket) {
            fail("drop-reason names from BTF lack NO_SOCKET (" + std::to_string(reasons.size()) +
                 " names)");
        }
    }

    // start -> every probe attached and listed by the kernel -> poll -> stop -> none listed.
    void cycle(Tracer& tracer, const ProbeOptions& options, const std::string& label) {
        std::printf("-- %s\n", label.c_str());
        CountingSink sink;
        auto started = tracer.start({}, options, sink);
        if (!started) {
            fail(label + ": start: " + started.error().describe());
        }
        std::vector<std::uint32_t> ours;
        for (const auto& st : tracer.probe_status()) {
            if (!st.attached) {
                fail("probe " + st.name + " (" + st.tracepoint + ") not attached: " + st.reason);
                continue;
            }
            if (st.prog_ids.empty()) {
                fail("probe " + st.name + " attached but reports no program ids");
            }
            for (const auto id : st.prog_ids) {
                std::printf("probe %s on %s: prog id %u (%s)\n",
                            st.name.c_str(),
                            st.tracepoint.c_str(),
                            id,
                            prog_name(id).c_str());
                ours.push_back(id);
            }
        }
        const auto loaded = kernel_prog_ids();
        for (const auto id : ours) {
            if (!loaded.contains(id)) {
                fail("prog id " + std::to_string(id) + " is not listed by the kernel");
            }
        }
        if (const int rc = tracer.poll(100); rc < 0) {
            fail(label + ": poll returned " + std::to_string(rc));
        }
        std::uint64_t lost = 0;
        for (const auto& l : tracer.lost_events()) {
            lost += l.lost;
        }
        std::printf("polled %zu events, %llu lost, %llu decode errors\n",
                    sink.events,
                    static_cast<unsigned long long>(lost),
                    static_cast<unsigned long long>(tracer.decode_errors()));
        if (tracer.decode_errors() != 0) {
            fail(label + ": records failed to decode");
        }

        tracer.stop();
        // Tracer::stop() returns only once the kernel has freed the program ids.
        const auto after = kernel_prog_ids();
        for (const auto id : ours) {
            if (after.contains(id)) {
                fail("prog id " + std::to_string(id) + " still loaded after stop()");
            }
        }
    }

    void expect_usage_error(Tracer& tracer, const ProbeOptions& options, const std::string& what) {
        CountingSink sink;
        auto started = tracer.start({}, options, sink);
        if (started) {
            fail("start accepted " + what);
            tracer.stop();
        } else if (started.error().kind != ErrorKind::Usage) {
            fail("start with " + what + " is not a usage error: " + started.error().describe());
        } else {
            std::printf("-- %s refused: %s\n", what.c_str(), started.error().describe().c_str());
        }
    }

    int failures_ = 0;
};

} // namespace

int main() {
    return LoadTest().run();
}
