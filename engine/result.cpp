// SPDX-License-Identifier: GPL-2.0
#include "result.h"

#include <cstring>
#include <iostream>

namespace netdx {

std::string Error::describe() const {
    std::string text = message;
    if (sys_errno != 0) {
        text += ": ";
        text += std::strerror(sys_errno);
    }
    if (!hint.empty()) {
        text += "\nhint: ";
        text += hint;
    }
    return text;
}

Error make_error(ErrorKind kind, std::string message, int sys_errno, std::string hint) {
    return Error{kind, std::move(message), sys_errno, std::move(hint)};
}

void report_bug(const char* file, int line, const std::string& what) {
    std::cerr << "netdx: internal error at " << file << ":" << line << ": " << what << "\n";
    std::abort();
}

} // namespace netdx
