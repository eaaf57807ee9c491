// SPDX-License-Identifier: GPL-2.0
#include "manpage.h"

#include <algorithm>
#include <sstream>
#include <string_view>
#include <vector>

#include "exit_codes.h"
#include "help_format.h"
#include "rules.h"

namespace netdx::cli {
namespace {

// Text for roff: backslashes, hyphens (so options copy and paste as ASCII) and quotes escaped,
// and a control character at the start of a line neutralised.
std::string roff(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
        case '\\':
            out += "\\e";
            break;
        case '-':
            out += "\\-";
            break;
        case '\'':
            out += "\\(aq";
            break;
        case '`':
            out += "\\(ga";
            break;
        default:
            out += c;
        }
    }
    return !out.empty() && out.front() == '.' ? "\\&" + out : out;
}

std::string bold(std::string_view text) {
    return "\\fB" + roff(text) + "\\fR";
}

std::string italic(std::string_view text) {
    return "\\fI" + roff(text) + "\\fR";
}

// Paragraphs; right after a heading the first one needs no .PP.
void prose(std::ostream& out, std::string_view text, bool after_heading = false) {
    for (const std::string& para : paragraphs(text)) {
        out << (after_heading ? "" : ".PP\n") << roff(para) << "\n";
        after_heading = false;
    }
}

// "netdx rules explain [OPTIONS] [ID|REASON]" for the SYNOPSIS and each command's section.
std::string synopsis(const CLI::App& app) {
    std::string out = bold(command_path(app));
    std::vector<const CLI::Option*> positionals;
    bool has_options = false;
    for (const CLI::Option* opt : visible_options(app)) {
        if (opt->get_positional()) {
            positionals.push_back(opt);
        } else {
            has_options = true;
        }
    }
    if (has_options) {
        out += " [" + italic("OPTIONS") + "]";
    }
    for (const CLI::Option* opt : positionals) {
        std::string arg = italic(value_name(*opt));
        if (opt->get_expected_max() > 1) {
            arg += "...";
        }
        out += " " + (opt->get_required() ? arg : "[" + arg + "]");
    }
    if (!subcommands(app).empty()) {
        out += " " + italic("COMMAND");
    }
    return out;
}

void option_entry(std::ostream& out, const CLI::Option& opt) {
    std::string head;
    if (opt.get_positional()) {
        head = italic(value_name(opt));
    } else {
        for (const std::string& name : opt.get_snames()) {
            head += (head.empty() ? "" : ", ") + bold("-" + name);
        }
        for (const std::string& name : opt.get_lnames()) {
            head += (head.empty() ? "" : ", ") + bold("--" + name);
        }
        if (std::string value = value_name(opt); !value.empty()) {
            head += " " + italic(value);
        }
    }
    std::string text;
    for (const std::string& para : paragraphs(opt.get_description())) {
        text += (text.empty() ? "" : " ") + roff(para);
    }
    auto sentence = [&text](const std::string& s) {
        if (!text.empty() && text.back() != '.') {
            text += '.';
        }
        text += (text.empty() ? "" : " ") + s + ".";
    };
    if (std::vector<std::string> choices = value_choices(opt);
        !choices.empty() && value_name(opt).find('|') == std::string::npos) {
        std::string list;
        for (const std::string& c : choices) {
            list += (list.empty() ? "" : ", ") + bold(c);
        }
        sentence("One of " + list);
    }
    if (takes_value(opt) && !opt.get_default_str().empty()) {
        sentence("Default: " + bold(opt.get_default_str()));
    }
    for (const CLI::Option* other : opt.get_needs()) {
        sentence("Only with " + bold(other->get_name()));
    }
    for (const CLI::Option* other : opt.get_excludes()) {
        sentence("Not with " + bold(other->get_name()));
    }
    out << ".TP\n" << head << "\n" << text << "\n";
}

void options(std::ostream& out, const CLI::App& app) {
    std::vector<const CLI::Option*> shown = visible_options(app);
    for (const CLI::Option* opt : shown) {
        if (opt->get_positional()) {
            option_entry(out, *opt);
        }
    }
    // The default group first, then the others in the order their options were added, each
    // under its name.
    std::vector<std::string> groups{"Options"};
    for (const CLI::Option* opt : shown) {
        if (!opt->get_positional() &&
            std::find(groups.begin(), groups.end(), opt->get_group()) == groups.end()) {
            groups.push_back(opt->get_group());
        }
    }
    for (const std::string& group : groups) {
        if (group != "Options") {
            out << ".PP\n" << italic(group + ":") << "\n";
        }
        for (const CLI::Option* opt : shown) {
            if (!opt->get_positional() && opt->get_group() == group) {
                option_entry(out, *opt);
            }
        }
    }
}

// A footer (help_format.h): runs of indented lines are literal blocks (examples); other lines
// are prose, and a line starting with a capitalised "Label:" starts a new paragraph.
struct FooterBlock {
    bool literal = false;
    std::vector<std::string> lines;
};

std::vector<FooterBlock> footer_blocks(std::string_view footer) {
    std::vector<FooterBlock> blocks;
    std::istringstream in{std::string(footer)};
    for (std::string line; std::getline(in, line);) {
        bool literal = line.rfind("  ", 0) == 0;
        std::size_t colon = line.find(':');
        bool label = !literal && !line.empty() && line.front() >= 'A' && line.front() <= 'Z' &&
                     colon != std::string::npos &&
                     line.find_first_not_of(
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz ") == colon;
        if (blocks.empty() || blocks.back().literal != literal || label) {
            blocks.push_back({literal, {}});
        }
        blocks.back().lines.push_back(literal ? line.substr(2) : line);
    }
    return blocks;
}

void literal(std::ostream& out, const std::vector<std::string>& lines) {
    out << ".RS 4\n.nf\n";
    for (const std::string& line : lines) {
        out << roff(line) << "\n";
    }
    out << ".fi\n.RE\n";
}

void footer(std::ostream& out, std::string_view text) {
    for (const FooterBlock& block : footer_blocks(text)) {
        if (block.literal) {
            literal(out, block.lines);
            continue;
        }
        std::string joined;
        for (const std::string& line : block.lines) {
            joined += (joined.empty() ? "" : " ") + line;
        }
        prose(out, joined);
    }
}

void command_section(std::ostream& out, const CLI::App& app) {
    out << ".SS \"" << roff(command_path(app)) << "\"\n";
    out << synopsis(app) << "\n";
    prose(out, app.get_description());
    options(out, app);
    footer(out, app.get_footer());
    for (const CLI::App* sub : subcommands(app)) {
        command_section(out, *sub);
    }
}

void synopsis_lines(std::ostream& out, const CLI::App& app) {
    for (const CLI::App* sub : subcommands(app)) {
        if (subcommands(*sub).empty()) {
            out << synopsis(*sub) << "\n";
        }
        synopsis_lines(out, *sub);
    }
}

bool has_option(const CLI::App& app, const std::string& name) {
    if (app.get_option_no_throw(name) != nullptr) {
        return true;
    }
    for (const CLI::App* sub : subcommands(app)) {
        if (has_option(*sub, name)) {
            return true;
        }
    }
    return false;
}

} // namespace

std::string man_page(const CLI::App& app) {
    std::ostringstream out;
    const std::string name = app.get_name();
    std::string upper;
    for (char c : name) {
        upper += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    // The summary reads "netdx finds why ...": NAME wants "netdx \- finds why ...".
    std::string what = summary(app);
    if (what.rfind(name + " ", 0) == 0) {
        what.erase(0, name.size() + 1);
    }
    if (!what.empty() && what.back() == '.') {
        what.pop_back();
    }

    out << ".\\\" SPDX-License-Identifier: GPL-2.0\n"
        << ".\\\" Generated by `" << name << " --generate-man` (make docs) from the options the\n"
        << ".\\\" commands register, like --help; do not edit.\n"
        << ".TH " << upper << " 1 \"\" \"" << roff(name + " " + NETDX_VERSION)
        << "\" \"User Commands\"\n"
        << ".nh\n.ad l\n"; // no hyphenation, ragged right: names and paths stay whole
    out << ".SH NAME\n" << roff(name) << " \\- " << roff(what) << "\n";

    out << ".SH SYNOPSIS\n.nf\n";
    out << bold(name) << " [" << italic("GLOBAL OPTIONS") << "] " << italic("COMMAND") << " ["
        << italic("OPTIONS") << "]\n";
    synopsis_lines(out, app);
    out << ".fi\n";

    out << ".SH DESCRIPTION\n";
    std::vector<std::string> paras = paragraphs(app.get_description());
    for (std::size_t i = 1; i < paras.size(); ++i) {
        prose(out, paras[i], i == 1);
    }
    prose(out,
          "Each command, and each of its options, is described below, as in " + name +
              " COMMAND --help.",
          paras.size() <= 1);

    out << ".SH GLOBAL OPTIONS\n";
    prose(out, "They come before the command.", true);
    options(out, app);

    out << ".SH COMMANDS\n";
    for (const CLI::App* sub : subcommands(app)) {
        command_section(out, *sub);
    }

    out << ".SH EXIT STATUS\n";
    const struct {
        int code;
        const char* meaning;
    } exit_codes[] = {
        {exit_ok, "Success: no finding of level ERROR, or the command did what it was asked."},
        {exit_error_found,
         "An ERROR finding: diagnose found a fault. A command that uses 1 otherwise says so "
         "under Exit codes in its section above."},
        {exit_usage, "Usage error: bad options or arguments, rule file errors, an unknown name."},
        {exit_environment,
         "Environment: missing privileges (root, or CAP_BPF and CAP_PERFMON), no BTF, or a "
         "kernel without the support netdx needs; netdx check says which."},
        {exit_internal, "Internal error: a bug in netdx."},
    };
    for (const auto& [code, meaning] : exit_codes) {
        out << ".TP\n" << bold(std::to_string(code)) << "\n" << roff(meaning) << "\n";
    }

    out << ".SH ENVIRONMENT\n"
        << ".TP\n"
        << bold("NETDX_KNOWLEDGE_DIR") << "\n"
        << roff("The shipped knowledge directory to use instead of share/netdx/knowledge beside "
                "the installed binary.")
        << "\n";
    if (has_option(app, "--color")) {
        out << ".TP\n"
            << bold("NO_COLOR") << "\n"
            << roff("When set, --color=auto does not colour the output; nor does TERM=dumb.")
            << "\n";
    }

    out << ".SH FILES\n"
        << ".TP\n"
        << italic(std::string(site_rules_dir)) << "\n"
        << roff("Site rule files (*.yaml), loaded after the shipped knowledge and before "
                "--rules paths; later files may override rules, lists and macros by id. Their "
                "fixtures go in the fixtures subdirectory.")
        << "\n"
        << ".TP\n"
        << italic("PREFIX/share/netdx/knowledge") << "\n"
        << roff("The shipped knowledge: rule files, drop-reasons/ and fixtures/. PREFIX is the "
                "parent of the directory holding the netdx binary; NETDX_KNOWLEDGE_DIR overrides "
                "it.")
        << "\n";

    out << ".SH EXAMPLES\n";
    for (const FooterBlock& block : footer_blocks(app.get_footer())) {
        if (block.literal) {
            literal(out, block.lines);
        }
    }

    out << ".SH SEE ALSO\n"
        << ".BR ip (8),\n.BR ip\\-netns (8),\n.BR iptables (8),\n.BR nft (8),\n.BR ss (8),\n"
        << ".BR bpftool (8),\n.BR dropwatch (1)\n";
    prose(out,
          "In the netdx sources: docs/quickstart.md (a first session), docs/diagnoses.md (every "
          "fault netdx diagnoses), docs/rules.md (the rule format), docs/drop-reasons.md (every "
          "kernel drop reason), docs/architecture.md.");
    return out.str();
}

} // namespace netdx::cli
