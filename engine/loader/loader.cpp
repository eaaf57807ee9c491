// SPDX-License-Identifier: GPL-2.0
#include "loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "collector.h"
#include "compiler.h"
#include "reader.h"
#include "reasons.h"

namespace netdx::engine::loader {
namespace {

namespace fs = std::filesystem;

// Expands directories into their rule files; reports paths that cannot be read.
std::vector<std::string> expand_paths(const std::vector<std::string>& paths, Diagnostics& diags) {
    std::vector<std::string> files;
    for (const auto& path : paths) {
        std::error_code ec;
        if (fs::is_directory(path, ec)) {
            std::vector<std::string> found;
            for (const auto& entry : fs::directory_iterator(path, ec)) {
                auto ext = entry.path().extension();
                if (entry.is_regular_file(ec) && (ext == ".yaml" || ext == ".yml")) {
                    found.push_back(entry.path().string());
                }
            }
            if (ec) {
                diags.add(diag::unreadable_file,
                          "cannot list rule directory: " + ec.message(),
                          SourceLoc{path, 0, 0});
            }
            std::sort(found.begin(), found.end());
            files.insert(files.end(), found.begin(), found.end());
        } else if (fs::exists(path, ec)) {
            files.push_back(path);
        } else {
            diags.add(
                diag::unreadable_file, "no such rule file or directory", SourceLoc{path, 0, 0});
        }
    }
    return files;
}

LoadResult build(std::vector<FileSpec> files, Diagnostics diags) {
    LoadResult out;
    out.diagnostics = std::move(diags);
    Collected collected = collect(files, out.diagnostics);
    out.rules = compile(collected, out.diagnostics);
    out.rules.reasons = compile_reasons(files, out.diagnostics);
    for (const auto& file : files) {
        out.rules.files.push_back(file.path);
    }
    return out;
}

} // namespace

LoadResult load_rule_paths(const std::vector<std::string>& paths) {
    Diagnostics diags;
    std::vector<FileSpec> files;
    for (const auto& path : expand_paths(paths, diags)) {
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            diags.add(diag::unreadable_file, "cannot read rule file", SourceLoc{path, 0, 0});
            continue;
        }
        std::ostringstream text;
        text << in.rdbuf();
        files.push_back(read_rule_text(path, text.str(), diags));
    }
    return build(std::move(files), std::move(diags));
}

LoadResult load_rule_text(const std::string& path, const std::string& text) {
    Diagnostics diags;
    std::vector<FileSpec> files;
    files.push_back(read_rule_text(path, text, diags));
    return build(std::move(files), std::move(diags));
}

} // namespace netdx::engine::loader
