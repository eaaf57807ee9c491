// SPDX-License-Identifier: GPL-2.0
// Host facts as the engine sees them: named, typed values about the event's namespace (does
// something listen on the destination port? is forwarding on?), fetched only when a rule reads
// one. Live facts come from probes/ (read-only, per namespace); fixtures supply their own.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "event.h"

namespace netdx::engine {

// A fact's value: absent (monostate), or a bool, an integer or a string.
using FactValue = std::variant<std::monostate, bool, std::int64_t, std::string>;

class FactSource {
public:
    virtual ~FactSource() = default;
    // The value of fact `name` (without "fact.") for `ev`'s namespace and flow. Called at most
    // once per fact and event. monostate when the fact is unknown or cannot be read.
    virtual FactValue fact(std::string_view name, const Event& ev) = 0;
};

// The facts the rules asked about one event, with their answers: what a recording keeps so that
// a replay gives the same findings without the host.
using FactAnswers = std::map<std::string, FactValue, std::less<>>;

// Passes questions to `inner` and remembers the answers until take().
class FactTap final : public FactSource {
public:
    explicit FactTap(FactSource* inner) : inner_(inner) {}

    FactValue fact(std::string_view name, const Event& ev) override {
        FactValue v = inner_ != nullptr ? inner_->fact(name, ev) : FactValue{};
        asked_.insert_or_assign(std::string(name), v);
        return v;
    }
    // The answers since the last take(), and forgets them.
    FactAnswers take() { return std::exchange(asked_, {}); }

private:
    FactSource* inner_;
    FactAnswers asked_;
};

// Answers from a recording: the facts recorded with the event being replayed.
class ReplayedFacts final : public FactSource {
public:
    void set(const FactAnswers* answers) { answers_ = answers; }

    FactValue fact(std::string_view name, const Event&) override {
        if (answers_ == nullptr) {
            return {};
        }
        auto it = answers_->find(name);
        return it == answers_->end() ? FactValue{} : it->second;
    }

private:
    const FactAnswers* answers_ = nullptr;
};

// Facts given as fixed values: what `rules test` fixtures use.
class StaticFacts final : public FactSource {
public:
    std::map<std::string, FactValue, std::less<>> values;

    FactValue fact(std::string_view name, const Event&) override {
        auto it = values.find(name);
        return it == values.end() ? FactValue{} : it->second;
    }
};

} // namespace netdx::engine
