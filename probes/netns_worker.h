// SPDX-License-Identifier: GPL-2.0
// The one way netdx reads another network namespace: a long-lived helper thread that enters the
// namespace with setns(CLONE_NEWNET), runs a job (netlink dumps, /proc/thread-self/net files,
// tool runs, which all act in the thread's namespace) and returns to its own namespace. The
// calling thread never changes namespace, so probes and the ring reader are unaffected.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "engine/result.h"
#include "unique_fd.h"

namespace netdx::probes {

class NetnsWorker {
public:
    NetnsWorker();
    ~NetnsWorker(); // waits for the running job, fails the queued ones
    NetnsWorker(const NetnsWorker&) = delete;
    NetnsWorker& operator=(const NetnsWorker&) = delete;

    // Runs `job` inside the namespace `ns` refers to (an invalid fd: where the worker thread
    // already is) and returns its value. An error when the namespace cannot be entered or the job
    // has not finished after `timeout`; a job that overran still completes on the worker, so it
    // must own everything it touches (capture by value).
    template <class T>
    Result<T> run(UniqueFd ns, std::function<T()> job, std::chrono::milliseconds timeout) {
        auto value = std::make_shared<std::optional<T>>();
        auto done = submit(
            std::move(ns), [value, job = std::move(job)] { *value = job(); }, timeout);
        if (!done) {
            return done.error();
        }
        return std::move(**value);
    }

    // run() for a job that can fail itself: its error comes back as is.
    template <class T>
    Result<T>
    run_result(UniqueFd ns, std::function<Result<T>()> job, std::chrono::milliseconds timeout) {
        auto value = std::make_shared<std::optional<Result<T>>>();
        auto done = submit(
            std::move(ns), [value, job = std::move(job)] { value->emplace(job()); }, timeout);
        if (!done) {
            return done.error();
        }
        return std::move(**value);
    }

    // Queues `job` and returns at once. When the namespace cannot be entered the job does not
    // run and `failed` (if any) gets the reason, on the worker thread.
    Result<void>
    post(UniqueFd ns, std::function<void()> job, std::function<void(const Error&)> failed = {});

private:
    class Thread;
    Result<void> start();
    Result<void> submit(UniqueFd ns, std::function<void()> job, std::chrono::milliseconds timeout);

    std::unique_ptr<Thread> thread_; // started on the first job
};

// Opens a namespace file (/run/netns/NAME, /proc/PID/ns/net) and checks that it still is the
// namespace with inode `expected_inode` (0: any); `inode` (when given) gets the inode it has.
Result<UniqueFd> open_netns(const std::string& path,
                            std::uint32_t expected_inode = 0,
                            std::uint32_t* inode = nullptr);

} // namespace netdx::probes
