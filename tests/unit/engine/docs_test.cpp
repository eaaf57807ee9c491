// SPDX-License-Identifier: GPL-2.0
// The rule reference must keep up with the code: a field or code nobody documented is a bug.
#include <fstream>
#include <sstream>
#include <string>

#include <doctest/doctest.h>

#include "engine/diagnostic.h"
#include "engine/fields.h"
#include "engine/rule.h"

namespace {

std::string rules_doc() {
    std::ifstream in(std::string(NETDX_SOURCE_DIR) + "/docs/rules.md");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace

TEST_CASE("docs/rules.md documents every field, diagnostic code and category") {
    const std::string doc = rules_doc();
    REQUIRE_FALSE(doc.empty());
    for (const auto& def : netdx::engine::EventFields::instance().all()) {
        INFO("field ", def.name);
        CHECK(doc.find("| `" + std::string(def.name) + "` |") != std::string::npos);
    }
    for (const auto* code : netdx::engine::diag::all) {
        INFO("code ", code->id);
        CHECK(doc.find("| `" + std::string(code->id) + "` | " + std::string(code->name)) !=
              std::string::npos);
    }
    for (auto category : netdx::engine::finding_categories()) {
        INFO("category ", category);
        CHECK(doc.find("`" + std::string(category) + "`") != std::string::npos);
    }
}
