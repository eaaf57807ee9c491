// SPDX-License-Identifier: GPL-2.0
#include "json_report.h"

#include <cerrno>
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "../event_json.h"

namespace netdx::engine {
namespace {

nlohmann::json flow_json(const Packet& p) {
    nlohmann::json j;
    j["family"] = packet_family_name(p.family);
    j["proto"] = proto_name(p.l4_proto);
    j["src"] = p.saddr.to_string();
    j["dst"] = p.daddr.to_string();
    j["sport"] = p.has_ports ? nlohmann::json(p.sport) : nlohmann::json();
    j["dport"] = p.has_ports ? nlohmann::json(p.dport) : nlohmann::json();
    return j;
}

} // namespace

nlohmann::json to_json(const Finding& f) {
    nlohmann::json j;
    j["id"] = f.rule_id;
    j["category"] = f.category;
    j["level"] = level_name(f.level);
    if (!f.escalated_because.empty()) {
        j["escalated"] = {{"from", level_name(f.initial_level)}, {"because", f.escalated_because}};
    }
    j["message"] = f.message;
    nlohmann::json advice = nlohmann::json::array();
    for (const auto& step : f.advice) {
        advice.push_back({{"kind", advice_kind_name(step.kind)}, {"text", step.text}});
    }
    j["advice"] = std::move(advice);
    j["count"] = f.count;
    j["first_seen"] = rfc3339(f.first_seen_ns);
    j["last_seen"] = rfc3339(f.last_seen_ns);
    j["rate"] = f.rate_per_s();
    j["flow"] = flow_json(f.flow);
    j["netns"] = f.netns;
    j["netns_inode"] = f.netns_inode;
    j["device"] = f.device;
    nlohmann::json evidence = nlohmann::json::array();
    for (const auto& ev : f.evidence) {
        evidence.push_back(to_json(ev));
    }
    j["evidence"] = std::move(evidence);
    j["facts"] = nlohmann::json::object();
    return j;
}

nlohmann::json to_json(const Report& r) {
    nlohmann::json j;
    j["schema"] = report_schema;
    j["tool"] = {{"name", "netdx"}, {"version", NETDX_VERSION}};
    j["host"] = {{"hostname", r.host.hostname}, {"kernel", r.host.kernel}, {"btf", r.host.btf}};
    j["command"] = r.command;
    j["started"] = rfc3339(r.started_ns);
    j["ended"] = rfc3339(r.ended_ns);
    j["stop_reason"] = stop_reason_name(r.stop_reason);
    j["filters"] = to_json(r.filters);
    nlohmann::json attached = nlohmann::json::array();
    nlohmann::json unavailable = nlohmann::json::array();
    nlohmann::json lost = nlohmann::json::object();
    for (const auto& p : r.probes) {
        if (p.attached) {
            attached.push_back({{"name", p.name}, {"tracepoint", p.tracepoint}});
            lost[p.name] = p.lost_events;
        } else {
            unavailable.push_back(
                {{"name", p.name}, {"tracepoint", p.tracepoint}, {"reason", p.reason}});
        }
    }
    nlohmann::json suppressed_by = nlohmann::json::object();
    for (const auto& [rule, count] : r.suppressed_by) {
        suppressed_by[rule] = count;
    }
    nlohmann::json facts = nlohmann::json::array();
    for (const auto& gap : r.facts_unavailable) {
        facts.push_back({{"name", gap.name}, {"reason", gap.reason}});
    }
    j["coverage"] = {{"probes_attached", std::move(attached)},
                     {"probes_unavailable", std::move(unavailable)},
                     {"facts_unavailable", std::move(facts)},
                     {"events", r.events},
                     {"suppressed_events", r.suppressed},
                     {"suppressed_by", suppressed_by},
                     {"unexplained_events", r.unexplained},
                     {"decode_errors", r.decode_errors},
                     {"events_over_finding_cap", r.over_finding_cap},
                     {"lost_events", std::move(lost)}};
    auto verdict = r.verdict();
    j["verdict"] = verdict ? std::string(level_name(*verdict)) : std::string("OK");
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& f : r.findings) {
        findings.push_back(to_json(f));
    }
    j["findings"] = std::move(findings);
    return j;
}

Result<void> write_json_atomically(const std::string& path, const nlohmann::json& doc) {
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::trunc);
        if (!out) {
            return make_error(ErrorKind::Io, "cannot create " + tmp, errno);
        }
        out << json_text(doc) << '\n';
        out.flush();
        if (!out) {
            int err = errno;
            std::remove(tmp.c_str());
            return make_error(ErrorKind::Io, "cannot write " + tmp, err);
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        std::remove(tmp.c_str());
        return make_error(ErrorKind::Io, "cannot rename " + tmp + " to " + path, err);
    }
    return {};
}

} // namespace netdx::engine
