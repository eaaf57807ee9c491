// SPDX-License-Identifier: GPL-2.0
#include "filter.h"

#include <nlohmann/json.hpp>

#include "event.h"

namespace netdx::engine {

bool Filter::empty() const {
    return !host && !saddr && !daddr && !port && !sport && !dport && !l4_proto && !netns && !dev;
}

std::string Filter::describe() const {
    std::string out;
    auto add = [&out](const char* key, const std::string& value) {
        if (!out.empty()) {
            out += ", ";
        }
        out += key;
        out += ' ';
        out += value;
    };
    if (host) {
        add("host", host->to_string());
    }
    if (saddr) {
        add("saddr", saddr->to_string());
    }
    if (daddr) {
        add("daddr", daddr->to_string());
    }
    if (port) {
        add("port", std::to_string(*port));
    }
    if (sport) {
        add("sport", std::to_string(*sport));
    }
    if (dport) {
        add("dport", std::to_string(*dport));
    }
    if (l4_proto) {
        add("proto", proto_name(*l4_proto));
    }
    if (netns) {
        add("netns", *netns);
    }
    if (dev) {
        add("dev", *dev);
    }
    return out.empty() ? "everything" : out;
}

nlohmann::json to_json(const Filter& f) {
    nlohmann::json j = nlohmann::json::object();
    if (f.host) {
        j["host"] = f.host->to_string();
    }
    if (f.saddr) {
        j["saddr"] = f.saddr->to_string();
    }
    if (f.daddr) {
        j["daddr"] = f.daddr->to_string();
    }
    if (f.port) {
        j["port"] = *f.port;
    }
    if (f.sport) {
        j["sport"] = *f.sport;
    }
    if (f.dport) {
        j["dport"] = *f.dport;
    }
    if (f.l4_proto) {
        j["proto"] = proto_name(*f.l4_proto);
    }
    if (f.netns) {
        j["netns"] = *f.netns;
    }
    if (f.dev) {
        j["dev"] = *f.dev;
    }
    return j;
}

} // namespace netdx::engine
