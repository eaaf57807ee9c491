// SPDX-License-Identifier: GPL-2.0
// Every probe netdx has, one instance each, in the order they are started.
#pragma once

#include <memory>
#include <vector>

#include "probe.h"

namespace netdx::probes {

std::vector<std::unique_ptr<Probe>> make_all_probes();

} // namespace netdx::probes
