// SPDX-License-Identifier: GPL-2.0
// libFuzzer target: bytes -> load_rule_text, as if read from a rule file. Every diagnostic is
// rendered as text (to a null stream) and as JSON, so the rendering code is fuzzed too, and must
// keep these invariants: it has a code; positions are 1-based, or line 0 and col 0 for "the whole
// file"; the line is at most the file's line count + 1. Loaded rules are evaluated and their
// templates rendered on a hand-built event.
//
// A broken invariant aborts. NETDX_FUZZ_ALLOW=name,name (names as printed) reports those once and
// goes on instead, so a known loader bug does not stop a run from finding the next one.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ostream>
#include <set>
#include <streambuf>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/diagnostic.h"
#include "engine/event.h"
#include "engine/event_json.h"
#include "engine/fields.h"
#include "engine/loader/loader.h"
#include "tests/unit/engine/test_events.h"

namespace {

using netdx::engine::Diagnostic;

class NullBuffer final : public std::streambuf {
protected:
    int overflow(int c) override { return c; }
    std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

bool allowed(std::string_view name) {
    const char* env = std::getenv("NETDX_FUZZ_ALLOW");
    if (env == nullptr) {
        return false;
    }
    std::string_view list(env);
    while (!list.empty()) {
        auto comma = list.find(',');
        if (list.substr(0, comma) == name) {
            return true;
        }
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    }
    return false;
}

void violation(std::string_view name, const std::string& text, const std::string& detail) {
    static std::set<std::string, std::less<>> reported;
    if (allowed(name)) {
        if (reported.emplace(name).second) {
            std::fprintf(stderr,
                         "fuzz_loader: allowed violation %.*s (reported once): %s\n",
                         static_cast<int>(name.size()),
                         name.data(),
                         detail.c_str());
        }
        return;
    }
    std::fprintf(stderr,
                 "fuzz_loader: invariant %.*s broken: %s\n  input (%zu bytes): %.*s\n",
                 static_cast<int>(name.size()),
                 name.data(),
                 detail.c_str(),
                 text.size(),
                 static_cast<int>(std::min<std::size_t>(text.size(), 2000)),
                 text.data());
    std::abort();
}

// Lines as an editor counts them: a final line without '\n' counts, an empty text has none.
std::size_t line_count(std::string_view text) {
    std::size_t n = 0;
    for (char c : text) {
        n += c == '\n' ? 1 : 0;
    }
    return n + (!text.empty() && text.back() != '\n' ? 1 : 0);
}

std::string where(const Diagnostic& d) {
    return std::string(d.code != nullptr ? d.code->id : "(no code)") + " at " + d.loc.file + ":" +
           std::to_string(d.loc.line) + ":" + std::to_string(d.loc.col) + " '" + d.message + "'";
}

void check(const Diagnostic& d, const std::string& path, const std::string& text) {
    if (d.code == nullptr) {
        violation("no-code", text, d.message);
        return; // nothing below can run without a code
    }
    if (d.message.empty()) {
        violation("no-message", text, where(d));
    }
    if (d.loc.line == 0 && d.loc.col != 0) {
        violation("col-without-line", text, where(d));
    }
    if (d.loc.line > 0 && d.loc.col == 0) {
        violation("zero-col", text, where(d));
    }
    if (d.loc.line > line_count(text) + 1) {
        violation("line-past-end", text, where(d));
    }
    if (!d.loc.file.empty() && d.loc.file != path) {
        violation("wrong-file", text, where(d));
    }
}

void render(const Diagnostic& d, std::ostream& null_out, const std::string& text) {
    netdx::engine::render_text(null_out, d);
    nlohmann::json j = netdx::engine::to_json(d);
    try {
        // What `rules lint --json` writes: raw bytes of the file must not make it throw.
        (void)netdx::engine::json_text(j);
    } catch (const nlohmann::json::exception& e) {
        violation("json-invalid-utf8", text, where(d) + ": " + e.what());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const netdx::engine::Event event =
        netdx::test::tcp_drop("NETFILTER_DROP", {"nf_hook_slow", "ip_local_deliver"});
    const std::string path = "fuzz.yaml";
    const std::string text(reinterpret_cast<const char*>(data), size);

    auto result = netdx::engine::loader::load_rule_text(path, text);

    NullBuffer buffer;
    std::ostream null_out(&buffer);
    for (const auto& d : result.diagnostics.items()) {
        check(d, path, text);
        render(d, null_out, text);
    }
    netdx::engine::render_text(null_out, result.diagnostics);

    netdx::engine::EventView view(event);
    for (const auto& rule : result.rules.rules) {
        (void)rule.condition.matches(view);
        (void)rule.condition.canonical();
        if (rule.message) {
            (void)rule.message->render(view);
        }
        for (const auto& advice : rule.advice) {
            (void)advice.text.render(view);
        }
    }
    (void)result.rules.kinds_needed();
    return 0;
}
