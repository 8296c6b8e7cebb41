// Writing leadscore.stage_history rows from the trigger.
#pragma once

#include <optional>

#include "pg/common/postgres.hpp"

#include "core/stage/stage.hpp"

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

// Inserts the row straight into the heap and its indexes (table_appender):
// the CRM's role needs no rights on the history table and cannot write it
// other than through the trigger. INSERT triggers and row-level security on
// leadscore.stage_history are not applied.
void insert_history(const HistoryRow& row);

// The stage the lead's latest history row ended at, if any. Run as the
// history table's owner (the CRM's role may not read it). One index probe.
std::optional<core::Stage> last_recorded_stage(Oid target, const char* lead_key);

}  // namespace leadscore::pg
