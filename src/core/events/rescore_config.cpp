#include "core/events/rescore_config.hpp"

#include <nlohmann/json.hpp>

#include "core/common/error.hpp"

namespace leadscore::core {

namespace {

using nlohmann::json;

[[noreturn]] void not_stored_by_leadscore(const std::string& what) {
    throw Error(sqlstate::kDataCorrupted, "leadscore's stored " + what + " is not what it wrote",
                "Attach the table again (leadscore.attach, leadscore.attach_events).");
}

json parse(std::string_view text, const char* what) {
    json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) {
        not_stored_by_leadscore(what);
    }
    return parsed;
}

std::optional<std::string> optional_string(const json& object, const char* key) {
    const auto found = object.find(key);
    if (found == object.end() || found->is_null()) {
        return std::nullopt;
    }
    if (!found->is_string()) {
        not_stored_by_leadscore(std::string("attachment config (") + key + ")");
    }
    return found->get<std::string>();
}

std::string required_string(const json& object, const char* key, const char* what) {
    std::optional<std::string> value = optional_string(object, key);
    if (!value) {
        not_stored_by_leadscore(what);
    }
    return *value;
}

}  // namespace

RescoreConfig parse_rescore_config(std::string_view config_json, std::string_view events_json) {
    const json config = parse(config_json, "attachment config");
    if (!config.is_object()) {
        not_stored_by_leadscore("attachment config");
    }
    RescoreConfig parsed;
    parsed.model = optional_string(config, "model");
    parsed.key_column = required_string(config, "key_column", "attachment config (key_column)");
    parsed.fit_column = optional_string(config, "fit_column");
    parsed.engagement_column = optional_string(config, "engagement_column");
    parsed.score_column = optional_string(config, "score_column");
    if (const auto attributes = config.find("fit_attributes"); attributes != config.end()) {
        if (!attributes->is_object()) {
            not_stored_by_leadscore("attachment config (fit_attributes)");
        }
        for (const auto& [attribute, column] : attributes->items()) {
            if (!column.is_string()) {
                not_stored_by_leadscore("attachment config (fit_attributes)");
            }
            parsed.fit_attributes.emplace_back(attribute, column.get<std::string>());
        }
    }
    const json events = parse(events_json, "events attachments");
    if (events.is_null()) {
        return parsed;
    }
    if (!events.is_array()) {
        not_stored_by_leadscore("events attachments");
    }
    for (const json& pair : events) {
        if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number_unsigned() ||
            !pair[1].is_object()) {
            not_stored_by_leadscore("events attachments");
        }
        const char* what = "events attachment config";
        parsed.events.push_back({pair[0].get<unsigned int>(),
                                 required_string(pair[1], "lead_column", what),
                                 required_string(pair[1], "type_column", what),
                                 required_string(pair[1], "time_column", what)});
    }
    return parsed;
}

RescoreAnswer parse_rescore_answer(std::string_view answer_json) {
    const json answer = parse(answer_json, "rescore answer");
    RescoreAnswer parsed;
    const auto written = answer.find("written");
    const auto skipped = answer.find("skipped");
    if (!answer.is_object() || written == answer.end() || !written->is_number_integer() ||
        skipped == answer.end() || !skipped->is_array()) {
        not_stored_by_leadscore("rescore answer");
    }
    parsed.written = written->get<long long>();
    for (const json& key : *skipped) {
        if (!key.is_string()) {
            not_stored_by_leadscore("rescore answer");
        }
        parsed.skipped.push_back(key.get<std::string>());
    }
    return parsed;
}

}  // namespace leadscore::core
