#include "core/sla/activity.hpp"

#include <nlohmann/json.hpp>

#include "core/common/error.hpp"
#include "core/events/rescore_statement.hpp"

namespace leadscore::core {

namespace {

using nlohmann::json;

[[noreturn]] void not_written_by_attach() {
    throw Error(sqlstate::kDataCorrupted,
                "the SLA activity trigger's policies are not what leadscore.attach wrote",
                "Attach the table again with its SLA policies (leadscore.attach).");
}

std::string string_at(const json& object, const char* key) {
    const auto found = object.find(key);
    if (found == object.end() || !found->is_string()) {
        not_written_by_attach();
    }
    return found->get<std::string>();
}

}  // namespace

std::vector<ActivityPolicy> parse_activity_policies(std::string_view policies_json) {
    const json policies = json::parse(policies_json, nullptr, /*allow_exceptions=*/false);
    if (policies.is_discarded() || !policies.is_array()) {
        not_written_by_attach();
    }
    std::vector<ActivityPolicy> parsed;
    for (const json& policy : policies) {
        if (!policy.is_object() || !policy.contains("met_by") || !policy["met_by"].is_object()) {
            not_written_by_attach();
        }
        const json& met_by = policy["met_by"];
        ActivityPolicy activity;
        activity.name = string_at(policy, "name");
        activity.lead_column = string_at(met_by, "lead_column");
        activity.time_column = string_at(met_by, "time_column");
        if (met_by.contains("type_column") && !met_by["type_column"].is_null()) {
            activity.type_column = string_at(met_by, "type_column");
        }
        if (met_by.contains("types") && !met_by["types"].is_null()) {
            if (!met_by["types"].is_array()) {
                not_written_by_attach();
            }
            for (const json& type : met_by["types"]) {
                if (!type.is_string()) {
                    not_written_by_attach();
                }
                activity.types.push_back(type.get<std::string>());
            }
        }
        if (met_by.contains("at_least")) {
            if (!met_by["at_least"].is_number_unsigned() ||
                met_by["at_least"].get<unsigned>() < 1) {
                not_written_by_attach();
            }
            activity.at_least = met_by["at_least"].get<unsigned int>();
        }
        parsed.push_back(std::move(activity));
    }
    return parsed;
}

std::string activity_met_statement(const ActivityPolicy& policy, std::string_view events_table,
                                   std::optional<std::string_view> key_equality,
                                   std::string_view key_sql_type) {
    const std::string lead = "e." + quoted_identifier(policy.lead_column);
    const std::string time = "e." + quoted_identifier(policy.time_column);
    const std::string key_match =
        key_equality
            ? lead + " " + std::string(*key_equality) + " (u.k)::" + std::string(key_sql_type)
            : "pg_catalog.format('%s', " + lead + ") OPERATOR(pg_catalog.=) (u.k)";
    std::string types;
    if (!policy.types.empty() && !policy.type_column.empty()) {
        types = " AND e." + quoted_identifier(policy.type_column) +
                "::pg_catalog.text OPERATOR(pg_catalog.=) ANY ($4)";
    }
    return "SELECT c.id, c.met FROM (SELECT u.id, (SELECT " + time + " FROM " +
           std::string(events_table) + " AS e WHERE " + key_match + " AND " + time +
           " OPERATOR(pg_catalog.>=) u.s" + types + " ORDER BY " + time + " OFFSET " +
           std::to_string(policy.at_least - 1) +
           " LIMIT 1) AS met FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), "
           "pg_catalog.unnest($3)) AS u(id, k, s)) AS c "
           "WHERE c.met IS NOT NULL";
}

}  // namespace leadscore::core
