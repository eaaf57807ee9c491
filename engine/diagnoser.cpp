// SPDX-License-Identifier: GPL-2.0
#include "diagnoser.h"

#include <algorithm>
#include <cstring>

#include "fields.h"

namespace netdx::engine {

double Finding::rate_per_s() const {
    double seconds = static_cast<double>(last_seen_ns - first_seen_ns) / 1e9;
    return static_cast<double>(count) / std::max(1.0, seconds);
}

Diagnoser::Diagnoser(const RuleSet& rules, Options options)
    : options_(options), reason_field_(EventFields::instance().find("event.reason")->id) {
    index_rules(rules);
}

void Diagnoser::reload(const RuleSet& rules) {
    // Benign counts carry over by rule id; those of rules that are gone are kept aside.
    std::vector<std::pair<std::string, std::uint64_t>> counts;
    for (const auto& [rule, count] : suppressed_) {
        counts.emplace_back(rule->id, count);
    }
    index_ = {};
    reason_names_.clear();
    suppressed_.clear();
    index_rules(rules);
    for (const auto& [id, count] : counts) {
        auto it = std::find_if(suppressed_.begin(), suppressed_.end(), [&](const auto& entry) {
            return entry.first->id == id;
        });
        if (it != suppressed_.end()) {
            it->second += count;
        } else if (count > 0) {
            retired_suppressed_.emplace_back(id, count);
        }
    }
}

void Diagnoser::index_rules(const RuleSet& rules) {
    reasons_ = &rules.reasons;
    auto lists_add = [](RuleLists& lists, const Rule* rule) {
        auto& bucket = rule->suppress   ? lists.suppress
                       : rule->fallback ? lists.fallback
                                        : lists.primary;
        bucket.push_back(rule);
    };
    for (const auto& rule : rules.rules) {
        if (rule.enabled && rule.suppress) {
            suppressed_.emplace_back(&rule, 0);
        }
    }
    for (std::size_t k = 0; k < event_kind_count; ++k) {
        std::vector<std::pair<const Rule*, std::optional<std::vector<std::string>>>> kind_rules;
        for (const auto& rule : rules.rules) {
            if (rule.enabled && rule.kinds.test(k)) {
                kind_rules.emplace_back(&rule, rule.condition.required_strings(reason_field_));
            }
        }
        KindIndex& index = index_[k];
        for (const auto& [rule, reasons] : kind_rules) {
            for (const auto& reason : reasons.value_or(std::vector<std::string>{})) {
                if (!index.by_reason.contains(reason)) {
                    index.by_reason.try_emplace(reason_names_.emplace_back(reason));
                }
            }
        }
        // Rule order is kept within every list: it decides which findings come first.
        for (const auto& [rule, reasons] : kind_rules) {
            if (!reasons) {
                lists_add(index.any_reason, rule);
            }
            for (auto& [reason, lists] : index.by_reason) {
                if (!reasons ||
                    std::binary_search(reasons->begin(), reasons->end(), std::string(reason))) {
                    lists_add(lists, rule);
                }
            }
        }
    }
}

const Diagnoser::RuleLists& Diagnoser::rules_for(const Event& ev, const EventView& view) const {
    const KindIndex& index = index_[static_cast<std::size_t>(ev.kind)];
    if (index.by_reason.empty()) {
        return index.any_reason;
    }
    const condition::Value reason = view.read(reason_field_);
    if (!reason.present) {
        return index.any_reason;
    }
    auto it = index.by_reason.find(reason.s);
    return it == index.by_reason.end() ? index.any_reason : it->second;
}

const std::vector<Diagnoser::Change>& Diagnoser::process(const Event& ev) {
    changes_.clear();
    matched_.clear();
    ++stats_.events;
    EventView view(ev, {correlator_.observe(ev), options_.facts, reasons_});
    const RuleLists& rules = rules_for(ev, view);

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

std::string_view Diagnoser::build_rollup_key(const Rule& rule, const EventView& view) {
    if (rule.key_fields.empty()) {
        key_text_ = rule.id + '\0' + (rule.message ? rule.message->render(view) : std::string());
        return key_text_;
    }
    std::size_t used = rule.id.size() + 1;
    if (key_buffer_.size() < used) {
        key_buffer_.resize(2 * used);
    }
    std::memcpy(key_buffer_.data(), rule.id.data(), rule.id.size());
    key_buffer_[rule.id.size()] = '\0';
    for (auto id : rule.key_fields) {
        const condition::Value value = view.read(id);
        std::span<char> free(key_buffer_.data() + used, key_buffer_.size() - used);
        std::size_t size = condition::write_key(value, free);
        if (size > free.size()) {
            key_buffer_.resize(2 * (used + size));
            size = condition::write_key(value, {key_buffer_.data() + used, size});
        }
        used += size;
    }
    return {key_buffer_.data(), used};
}

void Diagnoser::record(const Rule& rule, const EventView& view) {
    const Event& ev = view.event();
    const std::string_view key = build_rollup_key(rule, view);
    const std::uint64_t key_hash = std::hash<std::string_view>{}(key);
    const auto existing =
        by_key_.find(key_hash, [&](std::uint32_t index) { return finding_keys_[index] == key; });
    if (existing) {
        Finding& f = findings_[*existing];
        ++f.count;
        f.first_seen_ns = std::min(f.first_seen_ns, ev.ts_ns);
        f.last_seen_ns = std::max(f.last_seen_ns, ev.ts_ns);
        if (f.evidence.size() < options_.max_evidence) {
            f.evidence.push_back(ev);
        }
        escalate(rule, *existing);
        return;
    }
    if (findings_.size() >= options_.max_findings) {
        ++stats_.over_cap;
        return;
    }
    by_key_.insert(key_hash, static_cast<std::uint32_t>(findings_.size()));
    finding_keys_.emplace_back(key);
    Finding& f = findings_.emplace_back();
    f.rule_id = rule.id;
    f.category = rule.category;
    f.level = f.initial_level = rule.level;
    f.message = rule.message ? rule.message->render(view) : std::string();
    for (const auto& step : rule.advice) {
        if (!step.from_drop_reason) {
            f.advice.push_back({step.kind, step.text.render(view)});
        } else if (const DropReason* reason = view.drop_reason()) {
            for (const auto& check : reason->checks) {
                f.advice.push_back({AdviceKind::Check, check.render(view)});
            }
            for (const auto& change : reason->remediation) {
                f.advice.push_back({AdviceKind::Change, change.render(view)});
            }
        }
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
    out.insert(out.end(), retired_suppressed_.begin(), retired_suppressed_.end());
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
