// SPDX-License-Identifier: GPL-2.0
#include "rules.h"

#include <filesystem>

#include "engine/loader/loader.h"
#include "paths.h"

namespace netdx::cli {

std::optional<std::vector<std::string>> rule_sources(const std::vector<std::string>& extra,
                                                     std::ostream& err) {
    auto shipped = shipped_knowledge_dir();
    if (!shipped) {
        err << "netdx: error: " << shipped.error().describe() << "\n";
        return std::nullopt;
    }
    // Drop-reason knowledge sits in its own directory so that rule paths given to `rules lint`
    // or --rules need not know about it.
    std::vector<std::string> sources;
    std::error_code ec;
    for (const std::string& dir : {*shipped, std::string(site_rules_dir)}) {
        if (std::filesystem::is_directory(dir, ec)) {
            sources.push_back(dir);
            if (std::filesystem::is_directory(dir + "/drop-reasons", ec)) {
                sources.push_back(dir + "/drop-reasons");
            }
        }
    }
    sources.insert(sources.end(), extra.begin(), extra.end());
    return sources;
}

std::vector<std::string> default_fixture_dirs(std::ostream& err) {
    std::vector<std::string> dirs;
    auto shipped = shipped_knowledge_dir();
    if (!shipped) {
        err << "netdx: error: " << shipped.error().describe() << "\n";
        return dirs;
    }
    std::error_code ec;
    for (const std::string& dir :
         {*shipped + "/fixtures", std::string(site_rules_dir) + "/fixtures"}) {
        if (std::filesystem::is_directory(dir, ec)) {
            dirs.push_back(dir);
        }
    }
    return dirs;
}

void add_rule_paths_option(CLI::App& cmd, std::vector<std::string>& paths) {
    cmd.add_option("--rules",
                   paths,
                   "Extra rule file or directory, loaded after the shipped knowledge and "
                   "/etc/netdx/rules.d (repeatable)")
        ->type_name("PATH")
        ->allow_extra_args(false)
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

std::optional<engine::RuleSet> load_rules(const std::vector<std::string>& extra,
                                          std::ostream& err) {
    auto sources = rule_sources(extra, err);
    if (!sources) {
        return std::nullopt;
    }
    auto loaded = engine::loader::load_rule_paths(*sources);
    engine::render_text(err, loaded.diagnostics);
    if (loaded.diagnostics.has_errors()) {
        err << "netdx: " << loaded.diagnostics.error_count() << " error(s) in the rules\n";
        return std::nullopt;
    }
    return std::move(loaded.rules);
}

} // namespace netdx::cli
