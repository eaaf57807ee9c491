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

const std::vector<std::size_t>& Diagnoser::process(const Event& ev) {
    created_.clear();
    matched_.clear();
    ++stats_.events;
    const KindIndex& rules = index_[static_cast<std::size_t>(ev.kind)];
    EventView view(ev);

    for (const Rule* rule : rules.suppress) {
        if (rule->condition.matches(view)) {
            ++stats_.suppressed;
            return created_;
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
    return created_;
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
        return;
    }
    Finding& f = findings_.emplace_back();
    f.rule_id = rule.id;
    f.category = rule.category;
    f.level = rule.level;
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
    created_.push_back(findings_.size() - 1);
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
