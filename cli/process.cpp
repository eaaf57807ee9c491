// SPDX-License-Identifier: GPL-2.0
#include "process.h"

#include <cerrno>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace netdx::cli {

Result<void> run_program(const std::vector<std::string>& argv) {
    std::string joined;
    for (const auto& a : argv) {
        joined += (joined.empty() ? "" : " ") + a;
    }
    int err_pipe[2];
    if (pipe2(err_pipe, O_CLOEXEC) != 0) {
        return make_error(ErrorKind::Io, "cannot run " + joined, errno);
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    std::vector<char*> args;
    for (const auto& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    pid_t pid = 0;
    int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(err_pipe[1]);
    std::string err_text;
    char buf[512];
    ssize_t n;
    while ((n = read(err_pipe[0], buf, sizeof buf)) > 0) {
        err_text.append(buf, static_cast<std::size_t>(n));
    }
    close(err_pipe[0]);
    if (rc != 0) {
        return make_error(ErrorKind::Environment,
                          "cannot start " + argv[0],
                          rc,
                          "install it (scripts/install-deps.sh)");
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        while (!err_text.empty() && err_text.back() == '\n') {
            err_text.pop_back();
        }
        return make_error(ErrorKind::Environment,
                          "'" + joined + "' failed" + (err_text.empty() ? "" : ": " + err_text));
    }
    return {};
}

} // namespace netdx::cli
