// SPDX-License-Identifier: GPL-2.0
// Symbolizer: kernel code address -> function name and offset. Kallsyms implements it for live
// runs; tests fake it.
#pragma once

#include <cstdint>

#include "engine/event.h"

namespace netdx::probes {

class Symbolizer {
public:
    virtual ~Symbolizer() = default;
    // The frame for `addr`; symbol "" when no symbol covers it.
    virtual engine::Frame lookup(std::uint64_t addr) const = 0;
};

} // namespace netdx::probes
