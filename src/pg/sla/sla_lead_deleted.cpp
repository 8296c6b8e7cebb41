// leadscore._sla_lead_deleted(): the AFTER DELETE trigger of a table
// attached with SLA policies. A deleted lead (merged, erased on request)
// will never be contacted, so its open clocks close as if it had left its
// stage unmet: breached when they already were or are past due, else
// cancelled. Without it the sweep would breach them later and notify sales
// about a lead that no longer exists.
#include "pg/lifecycle/attachment_cache.hpp"
#include "pg/common/guard.hpp"
#include "pg/sla/sla_clock_store.hpp"
#include "pg/common/trigger_call.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/xact.h"
#include "commands/trigger.h"
#include "utils/builtins.h"
#include "utils/rel.h"
}

namespace core = leadscore::core;
namespace pg = leadscore::pg;

LEADSCORE_FUNCTION(sla_lead_deleted) {
    TriggerData* data = pg::trigger_call(
        fcinfo, "leadscore._sla_lead_deleted()",
        [](TriggerEvent event) {
            return TRIGGER_FIRED_FOR_ROW(event) && TRIGGER_FIRED_AFTER(event) &&
                   TRIGGER_FIRED_BY_DELETE(event);
        },
        "AFTER DELETE FOR EACH ROW", "leadscore.attach creates it for tables with SLA policies.");
    // An UPDATE that moves a row to another partition runs as a DELETE and
    // an INSERT, and fires this trigger for the DELETE: the lead is still
    // there. The deleted version's header says so (its ctid points nowhere).
    if (HeapTupleHeaderIndicatesMovedPartitions(data->tg_trigtuple->t_data)) {
        return PointerGetDatum(nullptr);
    }
    const pg::CompiledAttachment* attachment = pg::attachment_of_table(data->tg_relation);
    if (attachment == nullptr || !attachment->config.sla) {
        return PointerGetDatum(nullptr);  // half detached by hand, or no SLA: no clocks
    }
    const TimestampTz now = GetCurrentTransactionStartTimestamp();
    // The key is read as the invoking user (an output function is the key
    // type's owner's code), before the clocks are written as the owner.
    Datum key = 0;
    pg::call_postgres([&] {
        key = CStringGetTextDatum(
            pg::lead_key(*attachment, data->tg_trigtuple, RelationGetDescr(data->tg_relation)));
    });
    pg::with_clocks([&] {
        pg::for_each_open_clock(*attachment, key, std::nullopt, [&](const pg::OpenClock& clock) {
            pg::close_clock(clock,
                            core::closing_status(std::nullopt, clock.due,
                                                 clock.status == core::ClockStatus::Breached, now),
                            std::nullopt, now);
        });
    });
    return PointerGetDatum(nullptr);
}
