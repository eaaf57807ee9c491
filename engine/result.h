// SPDX-License-Identifier: GPL-2.0
// Result<T>: the return type of everything that can fail because of the environment (privileges,
// BTF, files, attach). Member names follow std::expected so the type can be swapped for it later.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace netdx {

// What kind of failure, which also decides the process exit code (design.md section 7).
enum class ErrorKind {
    Usage,       // bad flags or input files: exit 2
    Environment, // privileges, BTF, kernel support, missing tools: exit 3
    Io,          // a file or socket operation failed
    Internal,    // a bug in netdx
};

struct Error {
    ErrorKind kind = ErrorKind::Internal;
    std::string message;
    int sys_errno = 0; // errno when a system call failed, else 0
    std::string hint;  // what the operator can do about it, may be empty

    // "message: strerror(errno)" followed by "\nhint: ..." when there is a hint.
    std::string describe() const;
};

Error make_error(ErrorKind kind, std::string message, int sys_errno = 0, std::string hint = {});

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error error) : v_(std::move(error)) {}

    bool has_value() const { return v_.index() == 0; }
    explicit operator bool() const { return has_value(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)) {}

    bool has_value() const { return !error_.has_value(); }
    explicit operator bool() const { return has_value(); }
    const Error& error() const { return *error_; }

private:
    std::optional<Error> error_;
};

// Prints "netdx: internal error at file:line: what" and aborts. For broken invariants only.
[[noreturn]] void report_bug(const char* file, int line, const std::string& what);

} // namespace netdx

#define NETDX_BUG(what) ::netdx::report_bug(__FILE__, __LINE__, (what))
