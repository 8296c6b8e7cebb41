// Response SLAs of an attachment (attach config key "sla"):
//
//   "sla": {"calendar": "sales_ny", "warn_at": 0.75, "notify_channel": "leadscore_sla",
//           "due_column": "sla_due_at", "breached_column": "sla_breached",
//           "owner_column": "owner_id", "source_column": "source",
//           "policies": [
//             {"name": "first_response", "stage": "mql", "within": "2 hours",
//              "met_by": {"column": "first_contacted_at"}},
//             {"name": "disposition", "within": "48 hours",
//              "met_by": {"leaves_for": ["sql", "recycled", "disqualified"]}},
//             {"name": "attempts", "within": "80 hours",
//              "met_by": {"events": "crm.activities", "lead_column": "contact_id",
//                         "time_column": "occurred_at", "type_column": "kind",
//                         "types": ["call", "email"], "at_least": 5}}]}
//
// A policy's clock starts when a lead enters its stage (default mql) and is
// due `within` business time of the calendar later (default 2 hours, seed
// 000); it is met by a column being set, by the lead leaving the stage for
// one of the listed stages, or by enough activity rows in an events table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/common/document_limits.hpp"
#include "core/stage/stage.hpp"
#include "core/lifecycle/table_shape.hpp"

namespace leadscore::core {

inline constexpr char kDefaultSlaChannel[] = "leadscore_sla";
inline constexpr std::size_t kMaxSlaPolicies = 32;

enum class SlaMetBy { Column, LeavesFor, Events };

struct SlaPolicy {
    std::string name;
    Stage stage = Stage::Mql;
    std::int64_t within = 0;  // microseconds of business time
    std::string calendar;     // the policy's own, else the sla's
    SlaMetBy met_by = SlaMetBy::Column;
    std::string column;              // Column
    std::vector<Stage> leaves_for;   // LeavesFor
    std::string events;              // Events: the table as written
    std::string lead_column;         // Events: its column holding the lead's key
    std::string type_column;         // Events: its column holding the type (with types)
    std::string time_column;         // Events: when the activity happened
    std::vector<std::string> types;  // Events: empty means any type
    std::uint32_t at_least = 1;      // Events
};

struct SlaConfig {
    std::string calendar;
    double warn_at = 0.75;  // share of the window after which a clock warns
    std::optional<std::string> notify_channel = std::string(kDefaultSlaChannel);
    std::optional<std::string> due_column;       // timestamptz: the earliest running due time
    std::optional<std::string> breached_column;  // boolean: a clock of the lead breached
    std::optional<std::string> owner_column;     // copied into clocks, for reporting
    std::optional<std::string> source_column;
    std::vector<SlaPolicy> policies;
};

// Reads the "sla" object of an attach config (paths start with "sla.").
SlaConfig parse_sla_config(const nlohmann::json& sla, const TableShape& table,
                           DocumentSource source = DocumentSource::Definition);

// Every default written out; parse_sla_config reads it back unchanged.
nlohmann::json sla_config_json(const SlaConfig& config);

// "2 hours", "90 minutes", "45 seconds": business time has no days, so
// "2 days" is refused. Nothing for anything else.
std::optional<std::int64_t> parse_business_amount(std::string_view text);
std::string format_business_amount(std::int64_t micros);

}  // namespace leadscore::core
