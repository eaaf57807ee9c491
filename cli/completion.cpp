// SPDX-License-Identifier: GPL-2.0
#include "completion.h"

#include <algorithm>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/event.h"
#include "help_format.h"

namespace netdx::cli {
namespace {

// The bash helpers the generated tables call. COMP_WORDS[0] is the netdx being completed, so a
// build tree's ./build/netdx lists its own rules and drop reasons.
constexpr std::string_view helpers = R"sh(# _netdx_files CUR: file and directory names.
_netdx_files() {
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$1")
}

# _netdx_list WORDS CUR: the last item of a comma-separated list.
_netdx_list() {
    local prefix=""
    [[ $2 == *,* ]] && prefix=${2%,*},
    mapfile -t COMPREPLY < <(compgen -P "$prefix" -W "$1" -- "${2##*,}")
}

# _netdx_netns: network namespace names ('ip netns list'), and host.
_netdx_netns() {
    ip netns list 2>/dev/null | cut -d' ' -f1
    echo host
}

# _netdx_devices: the network devices of this namespace.
_netdx_devices() {
    ls /sys/class/net 2>/dev/null
}

# _netdx_explain_names: rule ids and drop reasons, as netdx rules explain takes them.
_netdx_explain_names() {
    local netdx=${COMP_WORDS[0]}
    "$netdx" rules list --json 2>/dev/null | grep -o '"id": *"[^"]*"' | cut -d'"' -f4
    "$netdx" rules explain --list --json 2>/dev/null | grep -o '"name": *"[^"]*"' | cut -d'"' -f4
}
)sh";

constexpr std::string_view driver = R"sh(_netdx() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev="" path="" word i
    COMPREPLY=()
    # The command path typed so far ("rules explain"), skipping options and their values.
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if [[ $word == -* ]]; then
            if _netdx_takes_value "$path" "$word"; then
                i=$((i + 1))
                [[ ${COMP_WORDS[i]} == "=" ]] && i=$((i + 1))
            fi
        elif [[ " $(_netdx_subcommands "$path") " == *" $word "* ]]; then
            path=${path:+$path }$word
        fi
    done
    ((COMP_CWORD > 1)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    # bash splits --opt=value at '=' (COMP_WORDBREAKS).
    if [[ $cur == "=" ]]; then
        cur=""
    elif [[ $prev == "=" ]] && ((COMP_CWORD > 2)); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    fi
    if [[ $prev == -* ]] && _netdx_takes_value "$path" "$prev"; then
        _netdx_values "$path" "$prev" "$cur"
        return 0
    fi
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_netdx_options "$path")" -- "$cur")
        return 0
    fi
    local subcommands
    subcommands=$(_netdx_subcommands "$path")
    if [[ -n $subcommands ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$subcommands" -- "$cur")
        return 0
    fi
    _netdx_values "$path" "" "$cur"
}

complete -F _netdx netdx
)sh";

std::string join(const std::vector<std::string>& words, std::string_view sep) {
    std::string out;
    for (const std::string& w : words) {
        out += (out.empty() ? "" : std::string(sep)) + w;
    }
    return out;
}

// How the value of an option (or a command's positional arguments) completes: a bash statement
// setting COMPREPLY from "$cur", or "" when nothing useful can be offered (an address, a port).
std::string value_action(const CLI::Option& opt) {
    auto words = [](const std::string& list) {
        return "mapfile -t COMPREPLY < <(compgen -W \"" + list + "\" -- \"$cur\")";
    };
    if (std::vector<std::string> choices = value_choices(opt); !choices.empty()) {
        return words(join(choices, " "));
    }
    // Options whose values the App tree does not enumerate, but netdx knows.
    const std::string name = opt.get_single_name();
    if (name == "netns") {
        return words("$(_netdx_netns)");
    }
    if (name == "dev") {
        return words("$(_netdx_devices)");
    }
    if (name == "proto") {
        return words("tcp udp icmp icmpv6");
    }
    if (name == "probes") {
        std::string list = "all";
        for (std::size_t i = 0; i < engine::event_kind_count; ++i) {
            auto kind = static_cast<engine::EventKind>(i);
            if (kind != engine::EventKind::Counter) { // sampled by netdx, not a probe
                list += " " + std::string(engine::event_kind_name(kind));
            }
        }
        return "_netdx_list \"" + list + "\" \"$cur\"";
    }
    const std::string value = value_name(opt);
    if (value == "ID|REASON") {
        return words("$(_netdx_explain_names)");
    }
    // Arguments, unless known otherwise, are files (rule files, reports).
    if (value == "FILE" || value == "PATH" || opt.get_positional()) {
        return "_netdx_files \"$cur\"";
    }
    return "";
}

// The completion tables, filled by walking the App tree.
struct Tables {
    std::vector<std::pair<std::string, std::string>> subcommands; // path -> words
    std::vector<std::pair<std::string, std::string>> options;     // path -> words
    std::vector<std::pair<std::string, std::string>> valued;      // path -> options with a value
    std::vector<std::pair<std::string, std::vector<std::string>>> actions; // action -> patterns
};

void add_action(Tables& t, const std::string& action, const std::string& pattern) {
    if (action.empty()) {
        return;
    }
    for (auto& [a, patterns] : t.actions) {
        if (a == action) {
            if (std::find(patterns.begin(), patterns.end(), pattern) == patterns.end()) {
                patterns.push_back(pattern); // once: a command may take two arguments
            }
            return;
        }
    }
    t.actions.push_back({action, {pattern}});
}

// Fills the tables for the command `app`, at `path` ("" for netdx, "rules explain"), and below.
void walk(Tables& t, const CLI::App& app, const std::string& path) {
    std::vector<std::string> subs;
    for (const CLI::App* sub : subcommands(app)) {
        subs.push_back(sub->get_name());
    }
    if (!subs.empty()) {
        t.subcommands.push_back({path, join(subs, " ")});
    }
    std::vector<std::string> names;
    std::vector<std::string> with_value;
    for (const CLI::Option* opt : app.get_options()) {
        if (opt->get_group().empty()) {
            continue; // hidden
        }
        if (opt->get_positional()) {
            add_action(t, value_action(*opt), "\"" + path + ":\"");
            continue;
        }
        std::vector<std::string> spellings;
        for (const std::string& s : opt->get_snames()) {
            spellings.push_back("-" + s);
        }
        for (const std::string& l : opt->get_lnames()) {
            spellings.push_back("--" + l);
        }
        names.insert(names.end(), spellings.begin(), spellings.end());
        if (!takes_value(*opt)) {
            continue;
        }
        for (const std::string& spelling : spellings) {
            with_value.push_back(spelling);
            add_action(t, value_action(*opt), "\"" + path + ":" + spelling + "\"");
        }
    }
    t.options.push_back({path, join(names, " ")});
    if (!with_value.empty()) {
        t.valued.push_back({path, join(with_value, " ")});
    }
    for (const CLI::App* sub : subcommands(app)) {
        walk(t, *sub, path.empty() ? sub->get_name() : path + " " + sub->get_name());
    }
}

void word_table(std::ostream& out,
                const std::string& function,
                const std::string& comment,
                const std::vector<std::pair<std::string, std::string>>& rows) {
    out << "# " << comment << "\n" << function << "() {\n    case $1 in\n";
    for (const auto& [path, words] : rows) {
        out << "    \"" << path << "\") echo \"" << words << "\" ;;\n";
    }
    out << "    esac\n}\n\n";
}

} // namespace

std::string bash_completion(const CLI::App& app) {
    Tables t;
    walk(t, app, "");
    const std::string name = app.get_name();
    std::ostringstream out;
    out << "# SPDX-License-Identifier: GPL-2.0\n"
        << "# shellcheck shell=bash\n"
        << "# bash completion for " << name << ". Generated by `" << name
        << " --generate-completion bash` (make docs)\n"
        << "# from the options the commands register, like --help; do not edit. Installed as\n"
        << "# share/bash-completion/completions/" << name << "; to try it from the sources:\n"
        << "#   source scripts/" << name << ".bash-completion\n\n";
    out << helpers << "\n";
    word_table(out,
               "_netdx_subcommands",
               "_netdx_subcommands PATH: the subcommands of the command PATH (\"\" is " + name +
                   ").",
               t.subcommands);
    word_table(
        out, "_netdx_options", "_netdx_options PATH: the options of the command PATH.", t.options);

    out << "# _netdx_takes_value PATH OPTION: whether OPTION of the command PATH reads a value.\n"
        << "_netdx_takes_value() {\n    case $1 in\n";
    for (const auto& [path, words] : t.valued) {
        out << "    \"" << path << "\") [[ \" " << words << " \" == *\" $2 \"* ]] ;;\n";
    }
    out << "    *) return 1 ;;\n    esac\n}\n\n";

    out << "# _netdx_values PATH OPTION CUR: sets COMPREPLY to the values of OPTION (to the\n"
        << "# arguments of the command PATH when OPTION is \"\") that start with CUR.\n"
        << "_netdx_values() {\n    local cur=$3\n    case \"$1:$2\" in\n";
    for (const auto& [action, patterns] : t.actions) {
        for (std::size_t i = 0; i < patterns.size(); ++i) {
            out << (i == 0 ? "    " : " | \\\n        ") << patterns[i];
        }
        out << ")\n        " << action << "\n        ;;\n";
    }
    out << "    esac\n}\n\n";
    out << driver;
    return out.str();
}

} // namespace netdx::cli
