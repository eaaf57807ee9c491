// SPDX-License-Identifier: GPL-2.0
#include "reasons.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../exit_codes.h"
#include "engine/event.h"
#include "engine/event_json.h"
#include "engine/fields.h"
#include "engine/report/text_reporter.h"
#include "probes/btf_names.h"

namespace netdx::cli {
namespace {

constexpr std::size_t text_width = 78;

std::string wrap(std::string_view text, std::size_t indent) {
    return engine::wrap_text(text, std::string(indent, ' '), indent, text_width);
}

// Templates rendered without an event show their fallbacks: "ip -s link show DEV".
std::vector<std::string> render_all(const std::vector<engine::Template>& templates) {
    engine::Event blank;
    blank.kind = engine::EventKind::Drop;
    engine::EventView view(blank);
    std::vector<std::string> out;
    for (const auto& t : templates) {
        out.push_back(t.render(view));
    }
    return out;
}

struct KernelReasons {
    std::optional<std::map<std::string, std::uint32_t>> by_name; // nullopt: BTF unreadable
    std::string why;
};

KernelReasons kernel_reasons() {
    KernelReasons k;
    auto names = probes::load_drop_reason_names();
    if (!names) {
        k.why = names.error().describe();
        return k;
    }
    k.by_name.emplace();
    for (const auto& [value, name] : *names) {
        if (!probes::is_subsystem_reason(value)) {
            k.by_name->emplace(name, value);
        }
    }
    return k;
}

std::string history(const engine::DropReason& r) {
    std::string text = "since " + r.since;
    if (!r.removed_in.empty()) {
        text += ", removed in " + r.removed_in;
    }
    if (!r.formerly.empty()) {
        text += ", formerly ";
        for (std::size_t i = 0; i < r.formerly.size(); ++i) {
            text += (i ? ", " : "") + r.formerly[i];
        }
    }
    return text;
}

std::string benign_text(const engine::DropReason& r) {
    std::string text = r.benign_when;
    if (!r.benign_locations.empty()) {
        text += " (at ";
        for (std::size_t i = 0; i < r.benign_locations.size(); ++i) {
            text += (i ? ", " : "") + r.benign_locations[i];
        }
        text += ")";
    }
    return text;
}

std::string enumerator(const engine::DropReason& r) {
    const bool skb_only = r.name == "CONSUMED" || r.name == "NOT_DROPPED_YET";
    return (skb_only ? "SKB_" : "SKB_DROP_REASON_") + r.name;
}

nlohmann::json to_json(const engine::DropReason& r, const KernelReasons* kernel) {
    nlohmann::json j;
    j["name"] = r.name;
    j["enumerator"] = enumerator(r);
    j["subsystem"] = r.subsystem;
    j["since"] = r.since;
    if (!r.removed_in.empty()) {
        j["removed_in"] = r.removed_in;
    }
    j["formerly"] = r.formerly;
    j["summary"] = r.summary;
    j["explanation"] = r.explanation;
    j["causes"] = r.causes;
    j["checks"] = render_all(r.checks);
    j["remediation"] = render_all(r.remediation);
    j["level"] = engine::level_name(r.level);
    if (!r.benign_when.empty()) {
        j["benign"] = {{"when", r.benign_when}, {"locations", r.benign_locations}};
    }
    if (kernel != nullptr && kernel->by_name) {
        auto it = kernel->by_name->find(r.name);
        j["in_kernel"] = it != kernel->by_name->end();
        if (it != kernel->by_name->end()) {
            j["kernel_value"] = it->second;
        }
    }
    j["defined_at"] = r.origin.file + ":" + std::to_string(r.origin.line);
    return j;
}

void print_section(std::ostream& out, std::string_view title) {
    out << "\n" << title << "\n";
}

void print_items(std::ostream& out, const std::vector<std::string>& items, std::string_view mark) {
    for (const auto& item : items) {
        std::string line = wrap(item, 4);
        line.replace(2, mark.size(), mark);
        out << line << "\n";
    }
}

} // namespace

bool explain_reason(std::ostream& out,
                    const engine::DropReasonBook& book,
                    std::string_view name,
                    bool json) {
    const engine::DropReason* r = book.find(name);
    if (r == nullptr) {
        return false;
    }
    const KernelReasons kernel = kernel_reasons();
    const std::string asked = engine::canonical_reason_name(name);
    if (json) {
        out << engine::json_text(to_json(*r, &kernel)) << "\n";
        return true;
    }
    out << r->name << " - " << r->summary << "\n";
    if (asked != r->name) {
        out << "(" << asked << " is this reason's older name)\n";
    }
    std::string in_kernel = "unknown (" + kernel.why + ")";
    if (kernel.by_name) {
        auto it = kernel.by_name->find(r->name);
        in_kernel = it == kernel.by_name->end() ? "no" : "yes, value " + std::to_string(it->second);
    }
    out << wrap(enumerator(*r) + " | subsystem " + r->subsystem + " | " + history(*r) +
                    " | finding level " + std::string(engine::level_name(r->level)) +
                    " | this kernel: " + in_kernel,
                2)
        << "\n";
    print_section(out, "WHAT IT MEANS");
    out << wrap(r->explanation, 2) << "\n";
    print_section(out, "LIKELY CAUSES");
    print_items(out, r->causes, "- ");
    print_section(out, "CHECK (read-only)");
    print_items(out, render_all(r->checks), "- ");
    print_section(out, "FIX");
    print_items(out, render_all(r->remediation), "- ");
    if (!r->benign_when.empty()) {
        print_section(out, "NORMAL WHEN");
        out << wrap(benign_text(*r), 2) << "\n";
    }
    out << "\nDefined at " << r->origin.file << ":" << r->origin.line
        << ". In a finding, DEV, PORT, DEST, ... are filled in from the packet.\n";
    return true;
}

int list_reasons(std::ostream& out, const engine::DropReasonBook& book, bool json) {
    const KernelReasons kernel = kernel_reasons();
    std::vector<std::string> unknown; // the kernel's reasons without an entry
    if (kernel.by_name) {
        for (const auto& [name, value] : *kernel.by_name) {
            if (book.find(name) == nullptr) {
                unknown.push_back(name);
            }
        }
    }
    if (json) {
        nlohmann::json j;
        j["reasons"] = nlohmann::json::array();
        for (const auto& r : book.entries()) {
            j["reasons"].push_back(to_json(r, &kernel));
        }
        j["kernel_readable"] = kernel.by_name.has_value();
        if (!kernel.by_name) {
            j["kernel_error"] = kernel.why;
        }
        j["kernel_reasons_without_entry"] = unknown;
        out << engine::json_text(j) << "\n";
        return exit_ok;
    }
    std::size_t width = 4;
    for (const auto& r : book.entries()) {
        width = std::max(width, r.name.size());
    }
    for (const auto& name : unknown) {
        width = std::max(width, name.size());
    }
    std::vector<const engine::DropReason*> sorted;
    for (const auto& r : book.entries()) {
        sorted.push_back(&r);
    }
    std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->name < b->name; });
    out << std::string("NAME") + std::string(width - 4 + 2, ' ') << "KERNEL  LEVEL  SUMMARY\n";
    std::size_t in_kernel = 0;
    for (const auto* r : sorted) {
        std::string mark = "?";
        if (kernel.by_name) {
            const bool has = kernel.by_name->contains(r->name);
            in_kernel += has ? 1 : 0;
            mark = has ? "yes" : "-";
        }
        std::string level(engine::level_name(r->level));
        out << r->name << std::string(width - r->name.size() + 2, ' ') << mark
            << std::string(8 - mark.size(), ' ') << level << std::string(7 - level.size(), ' ')
            << r->summary << "\n";
    }
    for (const auto& name : unknown) {
        out << name << std::string(width - name.size() + 2, ' ')
            << "yes     WARN   (no entry: reported with the kernel's name and generic advice)\n";
    }
    out << "\n" << book.entries().size() << " reasons known to netdx";
    if (kernel.by_name) {
        out << "; this kernel has " << kernel.by_name->size() << ", " << in_kernel
            << " of them with an entry";
        if (!unknown.empty()) {
            out << " (" << unknown.size() << " without)";
        }
    } else {
        out << "; this kernel's reasons cannot be read: " << kernel.why;
    }
    out << ".\nKERNEL: yes = the running kernel has the reason, - = an older or newer kernel's.\n"
           "Details: netdx rules explain NAME\n";
    return exit_ok;
}

void write_reasons_markdown(std::ostream& out, const engine::DropReasonBook& book) {
    std::vector<const engine::DropReason*> sorted;
    for (const auto& r : book.entries()) {
        sorted.push_back(&r);
    }
    std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) {
        return a->subsystem != b->subsystem ? a->subsystem < b->subsystem : a->name < b->name;
    });
    out << "<!-- Generated from knowledge/drop-reasons/*.yaml by `make docs`; do not edit. -->\n"
           "# Kernel drop reasons\n\n"
           "Every `enum skb_drop_reason` name netdx knows ("
        << book.entries().size()
        << " entries, kernels 5.17 and later), by subsystem. A drop that no specific rule "
           "explains becomes a `kernel-drop` finding carrying its entry's explanation, checks "
           "and fixes; `netdx rules explain NAME` prints one entry and `netdx rules explain "
           "--list` shows which of them the running kernel has. In commands, `DEV`, `PORT`, "
           "`DEST`, ... stand for the values a finding fills in from the packet.\n";
    std::string subsystem;
    for (const auto* r : sorted) {
        if (r->subsystem != subsystem) {
            subsystem = r->subsystem;
            out << "\n## " << subsystem << "\n";
        }
        out << "\n### " << r->name << "\n\n"
            << "**" << r->summary << "** `" << enumerator(*r) << "`, " << history(*r)
            << "; finding level " << engine::level_name(r->level) << ".\n\n"
            << r->explanation << "\n\nLikely causes:\n";
        for (const auto& cause : r->causes) {
            out << "- " << cause << "\n";
        }
        // Commands are shown literally: their quotes, stars and braces are not markdown.
        out << "\nCheck (read-only):\n\n```text\n";
        for (const auto& check : render_all(r->checks)) {
            out << "- " << check << "\n";
        }
        out << "```\n\nFix:\n\n```text\n";
        for (const auto& change : render_all(r->remediation)) {
            out << "- " << change << "\n";
        }
        out << "```\n";
        if (!r->benign_when.empty()) {
            out << "\nNormal when: " << benign_text(*r) << "\n";
        }
    }
}

} // namespace netdx::cli
