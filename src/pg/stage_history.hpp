// Writing leadscore.stage_history rows from the trigger.
#pragma once

#include <optional>

#include "postgres.hpp"

#include "core/stage.hpp"

namespace leadscore::pg {

struct HistoryRow {
    Oid target;
    const char* lead_key;
    std::optional<core::Stage> from;
    std::optional<core::Stage> to;
    const char* changed_by;
    const char* reason;  // NULL: none
    bool violation;
    const char* violation_detail;  // NULL: none
    const char* crm_label;         // the label as the CRM wrote it; NULL: none
};

// Inserts the row with a plan prepared once per backend, as the owner of
// leadscore.stage_history (the way PostgreSQL's foreign-key triggers run
// their queries as the table owner): the CRM's own role needs no rights on
// the history table, and cannot write it other than through the trigger.
void insert_history(const HistoryRow& row);

}  // namespace leadscore::pg
