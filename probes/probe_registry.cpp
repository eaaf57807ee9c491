// SPDX-License-Identifier: GPL-2.0
#include "probe_registry.h"

#include "drop_probe.h"

namespace netdx::probes {

std::vector<std::unique_ptr<Probe>> make_all_probes() {
    std::vector<std::unique_ptr<Probe>> probes;
    probes.push_back(make_drop_probe());
    return probes;
}

} // namespace netdx::probes
