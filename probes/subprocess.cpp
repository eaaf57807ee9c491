// SPDX-License-Identifier: GPL-2.0
#include "subprocess.h"

#include <cerrno>
#include <csignal>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unique_fd.h"

namespace netdx::probes {
namespace {

using Clock = std::chrono::steady_clock;

std::string joined(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& a : argv) {
        out += (out.empty() ? "" : " ") + a;
    }
    return out;
}

int wait_child(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

} // namespace

std::string find_program(const std::string& name) {
    if (name.find('/') != std::string::npos) {
        return ::access(name.c_str(), X_OK) == 0 ? name : std::string();
    }
    for (const char* dir : {"/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/"}) {
        std::string path = dir + name;
        if (::access(path.c_str(), X_OK) == 0) {
            return path;
        }
    }
    return {};
}

Result<ProgramOutput> run_capture(const std::vector<std::string>& argv, const RunLimits& limits) {
    if (argv.empty()) {
        return make_error(ErrorKind::Internal, "run_capture: empty command");
    }
    const std::string path = find_program(argv[0]);
    if (path.empty()) {
        return make_error(ErrorKind::Environment,
                          argv[0] + " is not installed",
                          ENOENT,
                          "install it (scripts/install-deps.sh)");
    }
    int out_pipe[2];
    int err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
        return make_error(ErrorKind::Io, "cannot run " + joined(argv), errno);
    }
    UniqueFd out_read(out_pipe[0]);
    UniqueFd out_write(out_pipe[1]);
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
        return make_error(ErrorKind::Io, "cannot run " + joined(argv), errno);
    }
    UniqueFd err_read(err_pipe[0]);
    UniqueFd err_write(err_pipe[1]);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_write.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err_write.get(), STDERR_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    char env_path[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
    char env_locale[] = "LC_ALL=C";
    char* env[] = {env_path, env_locale, nullptr};
    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, path.c_str(), &actions, nullptr, args.data(), env);
    posix_spawn_file_actions_destroy(&actions);
    out_write.reset();
    err_write.reset();
    if (rc != 0) {
        return make_error(ErrorKind::Environment, "cannot start " + path, rc);
    }

    ProgramOutput result;
    const auto deadline = Clock::now() + limits.timeout;
    std::string_view failure;
    char buf[65536];
    pollfd fds[2] = {{out_read.get(), POLLIN, 0}, {err_read.get(), POLLIN, 0}};
    int open_fds = 2;
    while (open_fds > 0 && failure.empty()) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            failure = "timed out";
            break;
        }
        const int n = ::poll(fds, 2, static_cast<int>(left.count()));
        if (n < 0 && errno != EINTR) {
            failure = "poll failed";
            break;
        }
        for (int i = 0; i < 2 && n > 0; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) {
                continue;
            }
            const ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
            if (got <= 0) {
                if (got < 0 && errno == EINTR) {
                    continue;
                }
                fds[i].fd = -1;
                --open_fds;
                continue;
            }
            std::string& sink = i == 0 ? result.out : result.err;
            sink.append(buf, static_cast<std::size_t>(got));
            if (i == 0 && result.out.size() > limits.max_output) {
                failure = "printed too much";
            } else if (i == 1 && result.err.size() > 65536) {
                result.err.resize(65536); // stderr past 64 KiB is noise
            }
        }
    }
    if (!failure.empty()) {
        ::kill(pid, SIGKILL);
        wait_child(pid);
        return make_error(ErrorKind::Environment,
                          "'" + joined(argv) + "' " + std::string(failure) + " (limit " +
                              std::to_string(limits.timeout.count()) + " ms, " +
                              std::to_string(limits.max_output >> 20) + " MiB)");
    }
    const int status = wait_child(pid);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

} // namespace netdx::probes
