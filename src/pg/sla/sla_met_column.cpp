// leadscore._sla_column_set(): the BEFORE UPDATE OF <met columns> trigger of
// a table attached with SLA policies met by a column. A column set to a new
// value closes the lead's open clocks of its policies (met when the value is
// a timestamp, else now) and refreshes the row's due and breached columns.
// The trigger's own arguments are not read: the attachment's config comes
// from the table's lifecycle trigger, compiled and cached as for that one.
#include <array>

#include "pg/lifecycle/attachment_cache.hpp"
#include "pg/common/guard.hpp"
#include "pg/sla/row_time.hpp"
#include "pg/sla/sla_clock_store.hpp"
#include "pg/sla/sla_stage_change.hpp"
#include "pg/common/trigger_call.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/xact.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/rel.h"
#include "utils/typcache.h"
}

namespace core = leadscore::core;
namespace pg = leadscore::pg;

namespace {

// A met column set by this update: to a new, non-NULL value.
struct ColumnSet {
    bool set;
    std::optional<TimestampTz> time;  // when the value is a timestamp
};

bool changed(TupleDesc descriptor, int attnum, HeapTuple before, HeapTuple after) {
    bool new_null;
    bool old_null;
    const Datum value = heap_getattr(after, attnum, descriptor, &new_null);
    const Datum old = heap_getattr(before, attnum, descriptor, &old_null);
    if (new_null) {
        return false;
    }
    if (old_null) {
        return true;
    }
    // IS DISTINCT FROM, as the trigger's WHEN clause compares.
    const Form_pg_attribute attribute = TupleDescAttr(descriptor, attnum - 1);
    TypeCacheEntry* type = lookup_type_cache(attribute->atttypid, TYPECACHE_EQ_OPR_FINFO);
    if (!OidIsValid(type->eq_opr_finfo.fn_oid)) {
        return !datumIsEqual(old, value, attribute->attbyval, attribute->attlen);
    }
    return !DatumGetBool(
        FunctionCall2Coll(&type->eq_opr_finfo, attribute->attcollation, old, value));
}

}  // namespace

LEADSCORE_FUNCTION(sla_column_set) {
    TriggerData* data = pg::trigger_call(
        fcinfo, "leadscore._sla_column_set()",
        [](TriggerEvent event) {
            return TRIGGER_FIRED_FOR_ROW(event) && TRIGGER_FIRED_BEFORE(event) &&
                   TRIGGER_FIRED_BY_UPDATE(event);
        },
        "BEFORE UPDATE FOR EACH ROW",
        "leadscore.attach creates it for SLA policies met by a column.");
    Relation relation = data->tg_relation;
    HeapTuple row = data->tg_newtuple;
    const pg::CompiledAttachment* attached = pg::attachment_of_table(relation);
    if (attached == nullptr || !attached->config.sla) {
        return PointerGetDatum(row);  // half detached by hand, or no SLA: no clocks to meet
    }
    const pg::CompiledAttachment& attachment = *attached;
    const core::SlaConfig& sla = *attachment.config.sla;
    const TimestampTz now = GetCurrentTransactionStartTimestamp();

    // Read as the invoking user (an equality operator is the type's owner's
    // code), before the clocks are written as the extension's owner.
    std::array<ColumnSet, core::kMaxSlaPolicies> set{};
    bool any_set = false;
    Datum key = 0;
    pg::call_postgres([&] {
        const TupleDesc descriptor = RelationGetDescr(relation);
        for (std::size_t i = 0; i < set.size(); ++i) {
            const AttrNumber attnum = attachment.sla.met_column[i];
            if (attnum != 0 && changed(descriptor, attnum, data->tg_trigtuple, row)) {
                set[i] = {true, pg::point_in_time(row, descriptor, attnum)};
                any_set = true;
            }
        }
        key = CStringGetTextDatum(pg::lead_key(attachment, row, descriptor));
    });
    if (!any_set) {
        return PointerGetDatum(row);
    }

    bool closed_any = false;
    bool breached = false;
    std::optional<TimestampTz> next_due;
    pg::with_clocks([&] {
        pg::for_each_open_clock(attachment, key, std::nullopt, [&](const pg::OpenClock& clock) {
            std::optional<TimestampTz> met;
            if (clock.policy != nullptr && clock.policy->met_by == core::SlaMetBy::Column) {
                const ColumnSet& column =
                    set[static_cast<std::size_t>(clock.policy - sla.policies.data())];
                if (column.set) {
                    met = core::met_by_column_set(column.time, clock.started, now);
                }
            }
            if (met) {
                pg::close_clock(
                    clock,
                    core::closing_status(met, clock.due,
                                         clock.status == core::ClockStatus::Breached, now),
                    met, now);
                closed_any = true;
                return;
            }
            if (core::is_running(clock.status) && (!next_due || clock.due < *next_due)) {
                next_due = clock.due;
            }
            breached = breached || clock.status == core::ClockStatus::Breached;
        });
    });
    if (closed_any) {
        row = pg::with_sla_columns(attachment, relation, row, next_due, breached);
    }
    return PointerGetDatum(row);
}
