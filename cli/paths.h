// SPDX-License-Identifier: GPL-2.0
// Where netdx finds its shipped knowledge: $NETDX_KNOWLEDGE_DIR, else share/netdx/knowledge
// next to an installed binary, else knowledge/ of the source tree for build/netdx.
#pragma once

#include <string>

#include "engine/result.h"

namespace netdx::cli {

Result<std::string> shipped_knowledge_dir();

} // namespace netdx::cli
