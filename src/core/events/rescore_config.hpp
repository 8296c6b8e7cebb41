// What rescoring reads from leadscore's stored configs: an attachment's
// (attachment_configs.config, normalised by attach) and those of its events
// tables (event_attachments, normalised by attach_events); and the answer
// of a rescore statement.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leadscore::core {

struct StoredEventsTable {
    unsigned int events = 0;  // the events table's OID
    std::string lead_column;
    std::string type_column;
    std::string time_column;
};

struct RescoreConfig {
    std::optional<std::string> model;  // none: nothing to rescore with
    std::string key_column;
    std::vector<std::pair<std::string, std::string>> fit_attributes;
    std::optional<std::string> fit_column;
    std::optional<std::string> engagement_column;
    std::optional<std::string> score_column;
    std::vector<StoredEventsTable> events;
};

// `config_json`: the attachment's stored config; `events_json`: a JSON
// array of [events OID, stored events config] pairs (null for none).
// Throws Error (XX001) when either is not what attach wrote.
RescoreConfig parse_rescore_config(std::string_view config_json, std::string_view events_json);

// A rescore statement's answer, {"written": n, "skipped": [keys]}.
struct RescoreAnswer {
    long long written = 0;
    std::vector<std::string> skipped;
};
RescoreAnswer parse_rescore_answer(std::string_view answer_json);

}  // namespace leadscore::core
