// SPDX-License-Identifier: GPL-2.0
#include "condition.h"

#include "compiler.h"
#include "program.h"

namespace netdx::engine::condition {

std::optional<Condition> Condition::compile(std::string_view text,
                                            const FieldCatalog& fields,
                                            const Scope* scope,
                                            std::vector<Problem>& problems) {
    auto program = detail::compile_program(text, fields, scope, problems);
    if (!program) {
        return std::nullopt;
    }
    return Condition(std::move(program));
}

bool Condition::matches(const FieldReader& reader) const {
    return program_ != nullptr && program_->eval(program_->root, reader);
}

std::string Condition::canonical() const {
    if (program_ == nullptr) {
        return "false";
    }
    std::string out;
    program_->print(program_->root, out);
    return out;
}

const std::vector<std::uint32_t>& Condition::fields_used() const {
    static const std::vector<std::uint32_t> none;
    if (const detail::Program* program = program_.get()) {
        return program->fields_used;
    }
    return none;
}

} // namespace netdx::engine::condition
