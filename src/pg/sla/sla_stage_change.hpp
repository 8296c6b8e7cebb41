// The lifecycle trigger's link to SLA clocks: every recorded stage change of
// a table attached with SLA policies closes the lead's clocks of the stage
// it left and starts those of the stage it entered, in leadscore.sla_clocks.
// The statements run as the extension's owner, so the CRM's role needs no
// rights on leadscore.sla_clocks (as with the history it writes).
#pragma once

#include <optional>

#include "pg/lifecycle/attachment_cache.hpp"

extern "C" {
#include "utils/timestamp.h"
}

namespace leadscore::pg {

// The earliest due time of the clocks started and left running (nothing
// when none); after an INSERT the row's SLA columns are written by an UPDATE
// (leadscore._sla_write_lead_columns), since the row is already stored. PostgreSQL errors
// come back as C++ exceptions (call_postgres).
std::optional<TimestampTz> sla_stage_changed(const CompiledAttachment& attachment,
                                             TriggerData* data, const char* lead_key,
                                             std::optional<core::Stage> from,
                                             std::optional<core::Stage> to, HeapTuple row);

// Writes the due and breached columns the SLA config maps into `row` (an
// UPDATE's new row, in a BEFORE trigger): `due` and `breached`.
HeapTuple with_sla_columns(const CompiledAttachment& attachment, Relation relation, HeapTuple row,
                           std::optional<TimestampTz> due, bool breached);

}  // namespace leadscore::pg
