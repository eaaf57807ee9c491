// SPDX-License-Identifier: GPL-2.0
#include "kallsyms.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <limits>

#include <fcntl.h>
#include <unistd.h>

namespace netdx::probes {
namespace {

// Reads the whole file. /proc files report size 0, so this reads until EOF.
Result<std::string> read_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return make_error(ErrorKind::Io, "cannot open " + path, errno);
    }
    // seq_file hands out about a page per read(): grow geometrically, resize once at the end.
    std::string text(std::size_t{8} << 20, '\0');
    std::size_t used = 0;
    for (;;) {
        if (used == text.size()) {
            text.resize(text.size() * 2);
        }
        const ssize_t n = ::read(fd, text.data() + used, text.size() - used);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            const int err = errno;
            ::close(fd);
            return make_error(ErrorKind::Io, "cannot read " + path, err);
        }
        if (n == 0) {
            break;
        }
        used += static_cast<std::size_t>(n);
    }
    ::close(fd);
    text.resize(used);
    return text;
}

bool is_text_type(char type) {
    return type == 't' || type == 'T' || type == 'w' || type == 'W';
}

} // namespace

Result<Kallsyms> Kallsyms::load(std::string path) {
    Kallsyms syms(std::move(path));
    if (auto loaded = syms.reload(); !loaded) {
        return loaded.error();
    }
    return syms;
}

Result<void> Kallsyms::reload() {
    auto text = read_file(path_);
    if (!text) {
        return text.error();
    }
    std::vector<Entry> entries;
    std::string names;
    entries.reserve(text->size() / 40);
    names.reserve(text->size() / 2);

    // "<hex addr> <type> <name>[\t[module]]\n"
    std::string_view rest = *text;
    while (!rest.empty()) {
        const auto eol = rest.find('\n');
        std::string_view line = rest.substr(0, eol);
        rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 1);

        std::uint64_t addr = 0;
        const auto [after_addr, ec] =
            std::from_chars(line.data(), line.data() + line.size(), addr, 16);
        if (ec != std::errc{} || addr == 0) {
            continue;
        }
        line.remove_prefix(static_cast<std::size_t>(after_addr - line.data()));
        // " T name"
        if (line.size() < 4 || line[0] != ' ' || line[2] != ' ' || !is_text_type(line[1])) {
            continue;
        }
        line.remove_prefix(3);
        line = line.substr(0, line.find('\t'));
        if (line.empty() ||
            names.size() + line.size() > std::numeric_limits<std::uint32_t>::max()) {
            continue;
        }
        entries.push_back(Entry{addr,
                                static_cast<std::uint32_t>(names.size()),
                                static_cast<std::uint32_t>(line.size())});
        names.append(line);
    }

    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        return a.addr < b.addr;
    });
    // Aliases share an address: keep the first listed.
    entries.erase(std::unique(entries.begin(),
                              entries.end(),
                              [](const Entry& a, const Entry& b) { return a.addr == b.addr; }),
                  entries.end());
    entries.shrink_to_fit();
    names.shrink_to_fit();
    entries_ = std::move(entries);
    names_ = std::move(names);
    return {};
}

std::string_view Kallsyms::name(const Entry& e) const {
    return std::string_view(names_).substr(e.name_offset, e.name_length);
}

engine::Frame Kallsyms::lookup(std::uint64_t addr) const {
    auto it = std::upper_bound(entries_.begin(),
                               entries_.end(),
                               addr,
                               [](std::uint64_t a, const Entry& e) { return a < e.addr; });
    if (it == entries_.begin()) {
        return engine::Frame{addr, {}, 0};
    }
    --it;
    return engine::Frame{addr, std::string(name(*it)), addr - it->addr};
}

} // namespace netdx::probes
