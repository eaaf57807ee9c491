// SPDX-License-Identifier: GPL-2.0
// Kernel text symbols from /proc/kallsyms (or any file in its format), for symbolizing drop
// locations and stacks. Names live in one string buffer; lookups are a binary search.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/result.h"
#include "symbolizer.h"

namespace netdx::probes {

class Kallsyms final : public Symbolizer {
public:
    // Reads and indexes `path`. Fails when the file cannot be read; a file whose addresses are
    // all zero (kptr_restrict hides them from non-root) loads but resolves nothing.
    static Result<Kallsyms> load(std::string path = "/proc/kallsyms");

    // Reads the file again, e.g. after loading BPF programs (their bpf_prog_* symbols appear).
    // On failure the previous table is kept.
    Result<void> reload();

    // The text symbol at or below `addr`; symbol "" when `addr` is below every symbol.
    engine::Frame lookup(std::uint64_t addr) const override;

    std::size_t size() const { return entries_.size(); }
    const std::string& path() const { return path_; }

private:
    struct Entry {
        std::uint64_t addr;
        std::uint32_t name_offset;
        std::uint32_t name_length;
    };

    explicit Kallsyms(std::string path) : path_(std::move(path)) {}
    std::string_view name(const Entry& e) const;

    std::string path_;
    std::vector<Entry> entries_; // sorted by address, one per address
    std::string names_;
};

} // namespace netdx::probes
