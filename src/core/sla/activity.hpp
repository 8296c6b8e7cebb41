// SLA policies met by activity in an events table, as the SLA activity
// trigger runs them: the policies its trigger carries, and the query (run
// as the events table's owner) that finds when each open clock was met.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leadscore::core {

struct ActivityPolicy {
    std::string name;
    std::string lead_column;
    std::string time_column;
    std::string type_column;         // empty: no type column
    std::vector<std::string> types;  // empty: any type counts
    unsigned int at_least = 1;
};

// The policies attach gave the trigger (its second argument: an array of
// normalised policies met by events). Throws Error (XX001) otherwise.
std::vector<ActivityPolicy> parse_activity_policies(std::string_view policies_json);

// For each clock ($1 bigint[] ids, $2 text[] lead keys, $3 timestamptz[]
// starts), the time of its lead's at_least-th qualifying row since the
// clock started ($4 text[]: the types that count), as rows (id, met) of the
// clocks that were met. `key_equality` and `key_sql_type` compare the
// events' lead column with the key in its own type; without them (a type
// with no btree class) the column is compared as text.
std::string activity_met_statement(const ActivityPolicy& policy, std::string_view events_table,
                                   std::optional<std::string_view> key_equality,
                                   std::string_view key_sql_type);

}  // namespace leadscore::core
