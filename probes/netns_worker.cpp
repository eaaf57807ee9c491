// SPDX-License-Identifier: GPL-2.0
#include "netns_worker.h"

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <system_error>
#include <thread>

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>

#include "engine/log.h"

namespace netdx::probes {

class NetnsWorker::Thread {
public:
    Thread() : thread_([this] { loop(); }) {}
    ~Thread() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        cv_.notify_one();
        thread_.join();
    }
    Thread(const Thread&) = delete;
    Thread& operator=(const Thread&) = delete;

    void
    submit(UniqueFd ns, std::function<void()> work, std::function<void(Result<void>)> finished) {
        auto entry = std::make_shared<Job>();
        entry->ns = std::move(ns);
        entry->work = std::move(work);
        entry->finished = std::move(finished);
        {
            std::lock_guard lock(mutex_);
            jobs_.push_back(std::move(entry));
        }
        cv_.notify_one();
    }

private:
    struct Job {
        UniqueFd ns;
        std::function<void()> work;
        std::function<void(Result<void>)> finished;
    };

    void loop() {
        // The namespace this thread returns to after each job.
        const UniqueFd home(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
        const int home_errno = errno;
        for (;;) {
            std::shared_ptr<Job> job;
            {
                std::unique_lock lock(mutex_);
                cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
                if (stop_) {
                    break;
                }
                job = std::move(jobs_.front());
                jobs_.pop_front();
            }
            job->finished(run(*job, home, home_errno));
        }
        std::lock_guard lock(mutex_);
        for (auto& job : jobs_) {
            job->finished(make_error(ErrorKind::Environment, "netdx was stopping"));
        }
    }

    Result<void> run(Job& job, const UniqueFd& home, int home_errno) {
        if (!job.ns.valid()) {
            job.work();
            return {};
        }
        if (broken_) {
            return make_error(ErrorKind::Environment,
                              "the namespace reader could not return to its own namespace");
        }
        if (!home.valid()) {
            return make_error(
                ErrorKind::Environment, "cannot open /proc/thread-self/ns/net", home_errno);
        }
        if (::setns(job.ns.get(), CLONE_NEWNET) != 0) {
            const int err = errno;
            return make_error(ErrorKind::Environment,
                              "cannot enter the network namespace (setns)",
                              err,
                              err == EPERM ? "entering a namespace needs CAP_SYS_ADMIN: run as root"
                                           : "");
        }
        job.work();
        if (::setns(home.get(), CLONE_NEWNET) != 0) {
            broken_ = true;
            NETDX_LOG(Error) << "namespace reader: cannot return to the original namespace: "
                             << std::strerror(errno) << "; no more namespace reads";
        }
        return {};
    }

    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::shared_ptr<Job>> jobs_;
    bool stop_ = false;
    bool broken_ = false; // only touched by the worker thread
    std::thread thread_;
};

NetnsWorker::NetnsWorker() = default;
NetnsWorker::~NetnsWorker() = default;

Result<void> NetnsWorker::start() {
    if (thread_) {
        return {};
    }
    try {
        thread_ = std::make_unique<Thread>();
    } catch (const std::system_error& e) {
        return make_error(ErrorKind::Environment,
                          std::string("cannot start the namespace reader thread: ") + e.what(),
                          e.code().value());
    }
    return {};
}

Result<void>
NetnsWorker::submit(UniqueFd ns, std::function<void()> job, std::chrono::milliseconds timeout) {
    if (auto started = start(); !started) {
        return started;
    }
    auto done = std::make_shared<std::promise<Result<void>>>();
    auto future = done->get_future();
    thread_->submit(
        std::move(ns), std::move(job), [done](Result<void> r) { done->set_value(std::move(r)); });
    if (future.wait_for(timeout) != std::future_status::ready) {
        return make_error(ErrorKind::Environment,
                          "reading the namespace took longer than " +
                              std::to_string(timeout.count()) + " ms");
    }
    return future.get();
}

Result<void> NetnsWorker::post(UniqueFd ns,
                               std::function<void()> job,
                               std::function<void(const Error&)> failed) {
    if (auto started = start(); !started) {
        return started;
    }
    thread_->submit(std::move(ns), std::move(job), [failed = std::move(failed)](Result<void> r) {
        if (!r && failed) {
            failed(r.error());
        }
    });
    return {};
}

Result<UniqueFd>
open_netns(const std::string& path, std::uint32_t expected_inode, std::uint32_t* inode) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
        const int err = errno;
        return make_error(ErrorKind::Environment,
                          "cannot open network namespace " + path,
                          err,
                          err == EACCES || err == EPERM ? "run as root (sudo netdx ...)" : "");
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        return make_error(ErrorKind::Environment, "cannot stat " + path, errno);
    }
    if (expected_inode != 0 && st.st_ino != expected_inode) {
        return make_error(ErrorKind::Environment,
                          path + " no longer refers to namespace inode " +
                              std::to_string(expected_inode) + " (it was replaced meanwhile)",
                          0,
                          "try again");
    }
    if (inode != nullptr) {
        *inode = static_cast<std::uint32_t>(st.st_ino);
    }
    return fd;
}

} // namespace netdx::probes
