// SPDX-License-Identifier: GPL-2.0
#include "loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include "compiler.h"
#include "reader.h"

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

// The collector: later stages need every id to be unique across the loaded files.
void compile_all(const std::vector<FileSpec>& files, LoadResult& out) {
    std::map<std::string, SourceLoc> seen;
    for (const auto& file : files) {
        out.rules.files.push_back(file.path);
        for (const auto& spec : file.rules) {
            if (!spec.id.value.empty()) {
                auto [it, inserted] = seen.try_emplace(spec.id.value, spec.id.loc);
                if (!inserted) {
                    Diagnostic& d = out.diagnostics.add(
                        diag::duplicate_id, "rule id '" + spec.id.value + "' is already defined");
                    locate(d, *file.text, spec.id, 0, spec.id.value.size());
                    d.hints.push_back("first defined at " + it->second.file + ":" +
                                      std::to_string(it->second.line) + ":" +
                                      std::to_string(it->second.col) +
                                      "; ids must be unique across all rule files");
                    continue;
                }
            }
            auto rule = compile_rule(file, spec, out.diagnostics);
            if (rule && spec.enabled) {
                out.rules.rules.push_back(std::move(*rule));
            }
        }
    }
}

} // namespace

LoadResult load_rule_paths(const std::vector<std::string>& paths) {
    LoadResult out;
    std::vector<FileSpec> files;
    for (const auto& path : expand_paths(paths, out.diagnostics)) {
        std::ifstream in(path, std::ios::binary);
        std::ostringstream text;
        if (!in || !(text << in.rdbuf())) {
            // An empty file reads as a failed stream insertion; that is fine, not an error.
            if (!in) {
                out.diagnostics.add(
                    diag::unreadable_file, "cannot read rule file", SourceLoc{path, 0, 0});
                continue;
            }
        }
        files.push_back(read_rule_text(path, text.str(), out.diagnostics));
    }
    compile_all(files, out);
    return out;
}

LoadResult load_rule_text(const std::string& path, const std::string& text) {
    LoadResult out;
    std::vector<FileSpec> files;
    files.push_back(read_rule_text(path, text, out.diagnostics));
    compile_all(files, out);
    return out;
}

} // namespace netdx::engine::loader
