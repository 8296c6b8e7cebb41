#include "core/sla/sla_config.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/common/ascii.hpp"
#include "core/lifecycle/attachment_checks.hpp"
#include "core/calendar/duration.hpp"
#include "core/common/quote.hpp"
#include "core/stage/stage_labels.hpp"
#include "core/common/stop_check.hpp"

namespace leadscore::core {

namespace {

using nlohmann::json;
using namespace attach_checks;

constexpr std::int64_t kMicrosPerHour = 3600 * kMicrosPerSecond;
constexpr std::int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;

std::string policy_example() {
    return R"(Example: {"name": "first_response", "stage": "mql", "within": "2 hours", )"
           R"("met_by": {"column": "first_contacted_at"}})";
}

std::optional<std::string> optional_column(const json& sla, const char* key,
                                           const TableShape& table,
                                           std::initializer_list<ColumnKind> kinds) {
    if (!sla.contains(key) || sla[key].is_null()) {
        return std::nullopt;
    }
    const std::string path = std::string("sla.") + key;
    const ColumnShape& column = expect_column(table, sla[key], path);
    if (kinds.size() > 0) {
        expect_kind(column, kinds, path);
    }
    return column.name;
}

void read_met_by(const json& met_by, const std::string& path, const TableShape& table,
                 SlaPolicy& policy, bool limited) {
    checker().object_at(met_by, path,
                        R"({"column": "first_contacted_at"}, {"leaves_for": ["sql"]} or )"
                        R"({"events": "crm.activities", "types": ["call"], "at_least": 5})");
    const int kinds = static_cast<int>(met_by.contains("column")) +
                      static_cast<int>(met_by.contains("leaves_for")) +
                      static_cast<int>(met_by.contains("events"));
    if (kinds != 1) {
        config_error(path, "expected exactly one of column, leaves_for and events",
                     "Say what meets the SLA: a column being set, the lead leaving the stage, "
                     "or activity rows in an events table.");
    }
    if (met_by.contains("column")) {
        checker().only_keys(met_by, path, {"column"});
        policy.met_by = SlaMetBy::Column;
        policy.column = expect_column(table, met_by["column"], path + ".column").name;
    } else if (met_by.contains("leaves_for")) {
        checker().only_keys(met_by, path, {"leaves_for"});
        policy.met_by = SlaMetBy::LeavesFor;
        const json& stages = met_by["leaves_for"];
        if (!stages.is_array() || stages.empty()) {
            checker().wrong_type(path + ".leaves_for", stages, "a non-empty array of stages",
                                 R"(Example: ["sql", "recycled", "disqualified"].)");
        }
        for (std::size_t i = 0; i < stages.size(); ++i) {
            const std::string stage_path = path + ".leaves_for[" + std::to_string(i) + "]";
            const Stage stage = expect_stage(stages[i], stage_path);
            if (stage == policy.stage) {
                config_error(stage_path,
                             "a lead cannot leave " + std::string(stage_label(stage)) + " for " +
                                 std::string(stage_label(stage)),
                             "List the stages that end the clock when the lead moves on.");
            }
            policy.leaves_for.push_back(stage);
        }
    } else {
        checker().only_keys(
            met_by, path,
            {"events", "lead_column", "time_column", "type_column", "types", "at_least"});
        policy.met_by = SlaMetBy::Events;
        policy.events = expect_string(met_by["events"], path + ".events");
        // The events table's columns are checked by attach, which can see it.
        for (const char* key : {"lead_column", "time_column"}) {
            if (!met_by.contains(key)) {
                config_error(path + "." + key, "missing",
                             "Name the events table's columns: {\"events\": \"crm.activities\", "
                             "\"lead_column\": \"contact_id\", \"time_column\": \"occurred_at\"}.");
            }
        }
        policy.lead_column = expect_string(met_by["lead_column"], path + ".lead_column");
        policy.time_column = expect_string(met_by["time_column"], path + ".time_column");
        if (met_by.contains("types") && !met_by["types"].is_null()) {
            const json& types = met_by["types"];
            if (!types.is_array() || types.empty()) {
                checker().wrong_type(path + ".types", types, "a non-empty array of event types",
                                     R"(Example: ["call", "email"]; leave it out for any type.)");
            }
            check_entries(types, path + ".types", "event types", limited);
            for (std::size_t i = 0; i < types.size(); ++i) {
                stop_point();
                policy.types.push_back(
                    expect_string(types[i], path + ".types[" + std::to_string(i) + "]"));
            }
            if (!met_by.contains("type_column")) {
                config_error(
                    path + ".type_column", "missing",
                    "Counting only some event types needs the column that holds the type.");
            }
        }
        if (met_by.contains("type_column") && !met_by["type_column"].is_null()) {
            policy.type_column = expect_string(met_by["type_column"], path + ".type_column");
        }
        if (met_by.contains("at_least")) {
            const json& at_least = met_by["at_least"];
            if (!at_least.is_number_integer() || at_least.get<double>() < 1 ||
                at_least.get<double>() > 1000) {
                checker().wrong_type(path + ".at_least", at_least, "a whole number from 1 to 1000",
                                     "Example: \"at_least\": 5 (seed 000: 5 attempts).");
            }
            policy.at_least = at_least.get<std::uint32_t>();
        }
    }
}

SlaPolicy read_policy(const json& value, const std::string& path, const TableShape& table,
                      const std::string& calendar, bool limited) {
    checker().object_at(value, path, policy_example());
    checker().only_keys(value, path, {"name", "stage", "within", "calendar", "met_by"});
    SlaPolicy policy;
    if (!value.contains("name")) {
        config_error(path + ".name", "missing", "Name each policy, e.g. \"first_response\".");
    }
    policy.name = expect_string(value["name"], path + ".name");
    if (policy.name.size() > 63) {
        config_error(path + ".name", "the name " + quote_for_message(policy.name) + " is too long",
                     "A policy name has at most 63 bytes.");
    }
    if (value.contains("stage")) {
        policy.stage = expect_stage(value["stage"], path + ".stage");
    }
    policy.within = 2 * kMicrosPerHour;
    if (value.contains("within")) {
        const json& within = value["within"];
        const auto amount = within.is_string()
                                ? parse_business_amount(within.get_ref<const std::string&>())
                                : std::nullopt;
        if (!amount) {
            checker().wrong_type(path + ".within", within,
                                 "an amount of business time in hours, minutes or seconds",
                                 "Example: \"2 hours\" or \"90 minutes\"; a business day has no "
                                 "fixed length, so write \"16 hours\" for two 8-hour days.");
        }
        policy.within = *amount;
    }
    policy.calendar = value.contains("calendar") && !value["calendar"].is_null()
                          ? expect_string(value["calendar"], path + ".calendar")
                          : calendar;
    if (!value.contains("met_by")) {
        config_error(path + ".met_by", "missing",
                     "Say what meets the SLA, e.g. {\"column\": \"first_contacted_at\"}.");
    }
    read_met_by(value["met_by"], path + ".met_by", table, policy, limited);
    return policy;
}

}  // namespace

std::optional<std::int64_t> parse_business_amount(std::string_view text) {
    const auto micros = parse_duration(text);
    if (!micros) {
        return std::nullopt;
    }
    // The unit is the word at the end: "2 hours", "1.5 Hours ".
    std::size_t end = text.size();
    while (end > 0 && text[end - 1] == ' ') {
        --end;
    }
    std::size_t start = end;
    while (start > 0 && text[start - 1] != ' ' &&
           !(text[start - 1] >= '0' && text[start - 1] <= '9')) {
        --start;
    }
    const std::string_view unit = text.substr(start, end - start);
    for (std::string_view fixed : {"hour", "minute", "second"}) {
        if (unit.size() >= fixed.size() && equals_folded(unit.substr(0, fixed.size()), fixed)) {
            return micros;
        }
    }
    return std::nullopt;
}

std::string format_business_amount(std::int64_t micros) {
    if (micros % kMicrosPerHour == 0) {
        return std::to_string(micros / kMicrosPerHour) + " hours";
    }
    if (micros % kMicrosPerMinute == 0) {
        return std::to_string(micros / kMicrosPerMinute) + " minutes";
    }
    return format_duration(micros);
}

SlaConfig parse_sla_config(const json& sla, const TableShape& table, DocumentSource source) {
    checker().object_at(sla, "sla",
                        R"({"calendar": "sales", "policies": [{"name": "first_response", )"
                        R"("within": "2 hours", "met_by": {"column": "first_contacted_at"}}]})");
    checker().only_keys(sla, "sla",
                        {"calendar", "warn_at", "notify_channel", "due_column", "breached_column",
                         "owner_column", "source_column", "policies"});
    SlaConfig config;
    if (!sla.contains("calendar")) {
        config_error(
            "sla.calendar", "missing",
            "Name the business calendar SLAs are measured in (leadscore.define_calendar).");
    }
    config.calendar = expect_string(sla["calendar"], "sla.calendar");
    if (sla.contains("warn_at")) {
        const json& warn_at = sla["warn_at"];
        if (!warn_at.is_number() || !(warn_at.get<double>() > 0) || !(warn_at.get<double>() < 1)) {
            checker().wrong_type("sla.warn_at", warn_at, "a share of the window between 0 and 1",
                                 "Example: 0.75 warns when three quarters of the time is gone.");
        }
        config.warn_at = warn_at.get<double>();
    }
    if (sla.contains("notify_channel")) {
        const json& channel = sla["notify_channel"];
        if (channel.is_null()) {
            config.notify_channel.reset();
        } else {
            config.notify_channel = expect_string(channel, "sla.notify_channel");
            if (config.notify_channel->size() > 63) {
                config_error("sla.notify_channel", "the channel name is longer than 63 bytes",
                             "Use a shorter channel name.");
            }
        }
    }
    config.due_column = optional_column(sla, "due_column", table, {ColumnKind::Timestamptz});
    config.breached_column = optional_column(sla, "breached_column", table, {ColumnKind::Boolean});
    config.owner_column = optional_column(sla, "owner_column", table, {});
    config.source_column = optional_column(sla, "source_column", table, {});
    if (!sla.contains("policies")) {
        config_error("sla.policies", "missing", policy_example());
    }
    const json& policies = sla["policies"];
    if (!policies.is_array() || policies.empty() || policies.size() > kMaxSlaPolicies) {
        checker().wrong_type("sla.policies", policies, "an array of 1 to 32 policies",
                             policy_example());
    }
    for (std::size_t i = 0; i < policies.size(); ++i) {
        const std::string path = "sla.policies[" + std::to_string(i) + "]";
        SlaPolicy policy = read_policy(policies[i], path, table, config.calendar,
                                       source == DocumentSource::Definition);
        for (const SlaPolicy& earlier : config.policies) {
            if (earlier.name == policy.name) {
                config_error(path + ".name",
                             "two policies are named " + quote_for_message(policy.name),
                             "Give each policy its own name.");
            }
        }
        config.policies.push_back(std::move(policy));
    }
    return config;
}

json sla_config_json(const SlaConfig& config) {
    const auto optional = [](const std::optional<std::string>& value) {
        return value ? json(*value) : json(nullptr);
    };
    json policies = json::array();
    for (const SlaPolicy& policy : config.policies) {
        json met_by = json::object();
        switch (policy.met_by) {
            case SlaMetBy::Column:
                met_by["column"] = policy.column;
                break;
            case SlaMetBy::LeavesFor: {
                json stages = json::array();
                for (Stage stage : policy.leaves_for) {
                    stages.push_back(std::string(stage_label(stage)));
                }
                met_by["leaves_for"] = stages;
                break;
            }
            case SlaMetBy::Events:
                met_by["events"] = policy.events;
                met_by["lead_column"] = policy.lead_column;
                met_by["time_column"] = policy.time_column;
                met_by["type_column"] =
                    policy.type_column.empty() ? json(nullptr) : json(policy.type_column);
                met_by["types"] = policy.types.empty() ? json(nullptr) : json(policy.types);
                met_by["at_least"] = policy.at_least;
                break;
        }
        policies.push_back({{"name", policy.name},
                            {"stage", std::string(stage_label(policy.stage))},
                            {"within", format_business_amount(policy.within)},
                            {"calendar", policy.calendar},
                            {"met_by", met_by}});
    }
    return {{"calendar", config.calendar},
            {"warn_at", config.warn_at},
            {"notify_channel", optional(config.notify_channel)},
            {"due_column", optional(config.due_column)},
            {"breached_column", optional(config.breached_column)},
            {"owner_column", optional(config.owner_column)},
            {"source_column", optional(config.source_column)},
            {"policies", policies}};
}

}  // namespace leadscore::core
