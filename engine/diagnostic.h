// SPDX-License-Identifier: GPL-2.0
// Diagnostics for user input (rule files, conditions, templates, replay files): a coded message
// with a 1-based position, the source line, a caret underline and hints. Loaders keep going after
// an error and collect every problem, so one run reports them all.
#pragma once

#include <array>
#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace netdx::engine {

enum class Severity { Error, Warning };

// One entry of the code table. The id's first letter gives the severity: E... error, W... warning.
struct DiagCode {
    std::string_view id;
    std::string_view name;
    std::string_view description;

    Severity severity() const { return id.front() == 'W' ? Severity::Warning : Severity::Error; }
};

// The single table of diagnostic codes. Codes are stable: never renumber, never reuse.
namespace diag {
inline constexpr DiagCode yaml_syntax{"E001", "yaml-syntax", "The file is not valid YAML."};
inline constexpr DiagCode wrong_type{
    "E002",
    "wrong-type",
    "A key holds the wrong kind of value (e.g. a list where text is expected)."};
inline constexpr DiagCode missing_key{"E003", "missing-key", "A required key is missing."};
inline constexpr DiagCode duplicate_id{
    "E004", "duplicate-id", "Two rules, lists or macros in the loaded files use the same id."};
inline constexpr DiagCode unknown_category{
    "E005", "unknown-category", "The category is not one of the stable finding categories."};
inline constexpr DiagCode unknown_level{
    "E006", "unknown-level", "The level is not INFO, WARN or ERROR."};
inline constexpr DiagCode unknown_event_kind{
    "E007", "unknown-event-kind", "An entry of 'events' is not a known event kind."};
inline constexpr DiagCode invalid_id{
    "E008", "invalid-id", "An id is not kebab-case (lower-case letters, digits and dashes)."};
inline constexpr DiagCode unreadable_file{
    "E009", "unreadable-file", "A rule file or directory cannot be read."};
inline constexpr DiagCode condition_syntax{
    "E010", "condition-syntax", "The condition does not follow the expression grammar."};
inline constexpr DiagCode unknown_field{
    "E011", "unknown-field", "A condition or template names a field that does not exist."};
inline constexpr DiagCode type_mismatch{
    "E012", "type-mismatch", "An operator is applied to values of types it does not accept."};
inline constexpr DiagCode bad_regex{
    "E013", "bad-regex", "A regular expression does not compile (RE2)."};
inline constexpr DiagCode bad_literal{
    "E014", "bad-literal", "A literal is malformed (address, prefix, integer or string)."};
inline constexpr DiagCode unknown_name{
    "E015", "unknown-name", "A condition names a list or macro that is not defined."};
inline constexpr DiagCode macro_cycle{
    "E016", "macro-cycle", "Macros refer to each other in a cycle."};
inline constexpr DiagCode bad_template{
    "E017", "bad-template", "A message or advice template has an unbalanced or empty {field}."};
inline constexpr DiagCode unsupported_version{
    "E018", "unsupported-version", "The file requires a newer rule format than this netdx reads."};
inline constexpr DiagCode override_missing{
    "E019",
    "override-missing",
    "An override names a rule, list or macro that no earlier file defines."};
inline constexpr DiagCode bad_override{
    "E020",
    "bad-override",
    "An override uses an action the key does not allow, or names a key the entry does not give."};
inline constexpr DiagCode too_complex{
    "E021", "too-complex", "A rule file is too large or too deeply nested to load safely."};
inline constexpr DiagCode bad_escalation{
    "E022",
    "bad-escalation",
    "An escalation step has no threshold, or does not raise the rule's level."};
inline constexpr DiagCode empty_text{
    "E023", "empty-text", "A drop-reason text is empty, filler (TODO, ...) or too short to help."};
inline constexpr DiagCode duplicate_text{
    "E024",
    "duplicate-text",
    "A drop-reason entry repeats a line, or shares its summary, explanation or advice with "
    "another entry."};
inline constexpr DiagCode unknown_key{
    "W001", "unknown-key", "A key is not part of the rule format and is ignored."};

inline constexpr DiagCode unused_name{
    "W002", "unused-name", "A list or macro is defined but no rule uses it."};
inline constexpr DiagCode every_event_kind{
    "W003", "every-event-kind", "A rule listens to every event kind, so it runs on every event."};
inline constexpr DiagCode never_true{
    "W004", "never-true", "A condition can never be true, so the rule never fires."};

inline constexpr std::array all = {
    &yaml_syntax,   &wrong_type,         &missing_key,         &duplicate_id,     &unknown_category,
    &unknown_level, &unknown_event_kind, &invalid_id,          &unreadable_file,  &condition_syntax,
    &unknown_field, &type_mismatch,      &bad_regex,           &bad_literal,      &unknown_name,
    &macro_cycle,   &bad_template,       &unsupported_version, &override_missing, &bad_override,
    &too_complex,   &bad_escalation,     &empty_text,          &duplicate_text,   &unknown_key,
    &unused_name,   &every_event_kind,   &never_true};
} // namespace diag

// A 1-based position in a named file. line == 0 means "the whole file".
struct SourceLoc {
    std::string file;
    std::size_t line = 0;
    std::size_t col = 0;
};

// The text shown under the message: usually the source line, with a caret at `column`.
// For a condition written over several YAML lines, it is the condition itself instead.
struct Snippet {
    std::string text;
    std::size_t column = 0; // 1-based column of the caret in `text`; 0 = no caret
    std::size_t length = 1; // underline width (at least 1)
};

struct Diagnostic {
    const DiagCode* code = nullptr;
    std::string message;
    SourceLoc loc;
    std::vector<std::string> context; // outer to inner: "rule 'x'", "key 'condition'"
    std::vector<std::string> hints;
    Snippet snippet;

    Severity severity() const { return code->severity(); }
};

class Diagnostics {
public:
    Diagnostic& add(const DiagCode& code, std::string message, SourceLoc loc = {});
    void append(const Diagnostics& other);

    const std::vector<Diagnostic>& items() const { return items_; }
    std::size_t error_count() const;
    std::size_t warning_count() const;
    bool has_errors() const { return error_count() > 0; }
    bool empty() const { return items_.empty(); }

private:
    std::vector<Diagnostic> items_;
};

// "file:line:col: error[E011]: message", then the snippet with a "^~~~" underline, then hints.
void render_text(std::ostream& out, const Diagnostic& d);
void render_text(std::ostream& out, const Diagnostics& ds);
// {code, name, severity, message, loc{file,line,col}, context, snippet, hints}
nlohmann::json to_json(const Diagnostic& d);

// The 1-based line `line` of `text` without its newline, or "" past the end.
std::string_view line_of(std::string_view text, std::size_t line);

// The closest candidate within a small edit distance, for "did you mean ...?" hints, or "".
std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates);

} // namespace netdx::engine
