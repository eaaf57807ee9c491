// SPDX-License-Identifier: GPL-2.0
#include "diagnoser.h"

#include <algorithm>

#include "fields.h"

namespace netdx::engine {

double Finding::rate_per_s() const {
    double seconds = static_cast<double>(last_seen_ns - first_seen_ns) / 1e9;
    return static_cast<double>(count) / std::max(1.0, seconds);
}

Diagnoser::Diagnoser(const RuleSet& rules, Options options) : options_(options) {
    for (const auto& rule : rules.rules) {
        if (!rule.enabled) {
            continue;
        }
        if (rule.suppress) {
            suppressed_.emplace_back(&rule, 0);
        }
        for (std::size_t k = 0; k < event_kind_count; ++k) {
            if (!rule.kinds.test(k)) {
                continue;
            }
            auto& bucket = rule.suppress   ? index_[k].suppress
                           : rule.fallback ? index_[k].fallback
                                           : index_[k].primary;
            bucket.push_back(&rule);
        }
    }
}

const std::vector<Diagnoser::Change>& Diagnoser::process(const Event& ev) {
    changes_.clear();
    matched_.clear();
    ++stats_.events;
    const KindIndex& rules = index_[static_cast<std::size_t>(ev.kind)];
    EventView view(ev, {correlator_.observe(ev), options_.facts});

    for (const Rule* rule : rules.suppress) {
        if (rule->condition.matches(view)) {
            ++stats_.suppressed;
            for (auto& [r, count] : suppressed_) {
                count += r == rule ? 1 : 0;
            }
            return changes_;
        }
    }
    for (const Rule* rule : rules.primary) {
        if (rule->condition.matches(view)) {
            matched_.push_back(rule);
        }
    }
    if (matched_.empty()) {
        for (const Rule* rule : rules.fallback) {
            if (rule->condition.matches(view)) {
                matched_.push_back(rule);
            }
        }
    }
    if (!matched_.empty()) {
        ++stats_.explained;
    }
    for (const Rule* rule : matched_) {
        record(*rule, view);
    }
    return changes_;
}

std::string Diagnoser::rollup_key(const Rule& rule, const EventView& view) const {
    std::string key = rule.id;
    key += '\0';
    if (rule.key_fields.empty()) {
        key += rule.message ? rule.message->render(view) : std::string();
        return key;
    }
    for (auto id : rule.key_fields) {
        key += condition::format(view.read(id));
        key += '\x1f';
    }
    return key;
}

void Diagnoser::record(const Rule& rule, const EventView& view) {
    const Event& ev = view.event();
    auto [it, inserted] = by_key_.try_emplace(rollup_key(rule, view), findings_.size());
    if (!inserted) {
        Finding& f = findings_[it->second];
        ++f.count;
        f.first_seen_ns = std::min(f.first_seen_ns, ev.ts_ns);
        f.last_seen_ns = std::max(f.last_seen_ns, ev.ts_ns);
        if (f.evidence.size() < options_.max_evidence) {
            f.evidence.push_back(ev);
        }
        escalate(rule, it->second);
        return;
    }
    Finding& f = findings_.emplace_back();
    f.rule_id = rule.id;
    f.category = rule.category;
    f.level = f.initial_level = rule.level;
    f.message = rule.message ? rule.message->render(view) : std::string();
    for (const auto& step : rule.advice) {
        f.advice.push_back({step.kind, step.text.render(view)});
    }
    f.count = 1;
    f.first_seen_ns = f.last_seen_ns = ev.ts_ns;
    f.flow = ev.pkt;
    f.netns = ev.netns_name;
    f.netns_inode = ev.netns;
    f.device = ev.dev;
    if (options_.max_evidence > 0) {
        f.evidence.push_back(ev);
    }
    saw_error_ = saw_error_ || rule.level == Level::Error;
    changes_.push_back({findings_.size() - 1, false});
    escalate(rule, findings_.size() - 1);
}

void Diagnoser::escalate(const Rule& rule, std::size_t index) {
    Finding& f = findings_[index];
    const Escalation* reached = nullptr;
    for (const auto& step : rule.escalations) {
        if (step.level > f.level && step.reached(f)) {
            reached = &step; // ascending by level: the last reached is the highest
        }
    }
    if (reached == nullptr) {
        return;
    }
    f.level = reached->level;
    f.escalated_because = reached->describe();
    saw_error_ = saw_error_ || f.level == Level::Error;
    // A finding created by this same event is reported once, already at its new level.
    for (const auto& change : changes_) {
        if (change.index == index) {
            return;
        }
    }
    changes_.push_back({index, true});
}

std::vector<std::pair<std::string, std::uint64_t>> Diagnoser::suppressed_by_rule() const {
    std::vector<std::pair<std::string, std::uint64_t>> out;
    for (const auto& [rule, count] : suppressed_) {
        if (count > 0) {
            out.emplace_back(rule->id, count);
        }
    }
    return out;
}

std::optional<Level> Diagnoser::worst_level() const {
    std::optional<Level> worst;
    for (const auto& f : findings_) {
        if (!worst || f.level > *worst) {
            worst = f.level;
        }
    }
    return worst;
}

} // namespace netdx::engine
