// SPDX-License-Identifier: GPL-2.0
// Every drop reason the running kernel names (BTF enum skb_drop_reason) must have a real entry
// in knowledge/drop-reasons: present, not filler, and not a copy of another entry's text.
// Exit 0 pass, 1 fail (listing what is missing or wrong), 77 skipped (no kernel BTF).
#include <cctype>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/loader/loader.h"
#include "probes/btf_names.h"

namespace {

std::string normalized(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (std::isspace(static_cast<unsigned char>(c)) == 0) {
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    return out;
}

std::vector<std::string> rendered(const std::vector<netdx::engine::Template>& templates) {
    std::vector<std::string> out;
    for (const auto& t : templates) {
        out.push_back(t.source());
    }
    return out;
}

} // namespace

int main() {
    auto names = netdx::probes::load_drop_reason_names();
    if (!names) {
        std::cout << "SKIP: cannot read the kernel's drop reasons: " << names.error().describe()
                  << "\n";
        return 77;
    }
    if (names->empty()) {
        std::cout << "SKIP: the kernel BTF has no enum skb_drop_reason (kernel older than 5.17)\n";
        return 77;
    }
    const std::string dir = std::string(NETDX_SOURCE_DIR) + "/knowledge/drop-reasons";
    auto loaded = netdx::engine::loader::load_rule_paths({dir});
    int failures = 0;
    if (loaded.diagnostics.has_errors()) {
        netdx::engine::render_text(std::cout, loaded.diagnostics);
        std::cout << "FAIL: " << dir << " does not load cleanly\n";
        ++failures;
    }
    const auto& book = loaded.rules.reasons;

    std::vector<std::string> missing;
    std::size_t kernel_reasons = 0;
    for (const auto& [value, name] : *names) {
        if (netdx::probes::is_subsystem_reason(value)) {
            continue; // "OPENVSWITCH": a subsystem's range, named in its module
        }
        ++kernel_reasons;
        if (book.find(name) == nullptr) {
            missing.push_back(name + " (" + std::to_string(value) + ")");
        }
    }
    if (!missing.empty()) {
        std::cout << "FAIL: " << missing.size() << " of the kernel's " << kernel_reasons
                  << " drop reasons have no entry:\n";
        for (const auto& name : missing) {
            std::cout << "  " << name << "\n";
        }
        ++failures;
    }

    // Independent of the loader's own checks: no empty text, no text shared between entries.
    std::map<std::string, std::string> first_use; // kind + text -> entry
    auto unique = [&](const std::string& entry, const std::string& kind, const std::string& text) {
        if (normalized(text).size() < 3) {
            std::cout << "FAIL: " << entry << ": empty " << kind << "\n";
            ++failures;
            return;
        }
        auto [it, fresh] = first_use.try_emplace(kind + ":" + normalized(text), entry);
        if (!fresh) {
            std::cout << "FAIL: " << entry << ": same " << kind << " as " << it->second << "\n";
            ++failures;
        }
    };
    for (const auto& r : book.entries()) {
        unique(r.name, "summary", r.summary);
        unique(r.name, "explanation", r.explanation);
        std::string advice;
        for (const auto& lines : {rendered(r.checks), rendered(r.remediation), r.causes}) {
            if (lines.empty()) {
                std::cout << "FAIL: " << r.name << ": no causes, checks or remediation\n";
                ++failures;
            }
            for (const auto& line : lines) {
                advice += normalized(line) + "\n";
            }
        }
        unique(r.name, "advice", advice);
    }
    if (failures > 0) {
        return 1;
    }
    std::cout << "PASS: all " << kernel_reasons << " drop reasons of this kernel have an entry ("
              << book.entries().size() << " entries in " << dir << ")\n";
    return 0;
}
