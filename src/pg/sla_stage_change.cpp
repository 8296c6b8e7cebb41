#include "sla_stage_change.hpp"

#include <utility>
#include <vector>

#include "guard.hpp"
#include "stage_datum.hpp"
#include "table_shape.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type_d.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
}

namespace leadscore::pg {

namespace {

// The row as jsonb, per row type, computed as the invoking user (a cast to
// json of a column type is the table owner's code, not the superuser's);
// then one prepared call of the SQL side, run as the extension's owner.
// Plans are kept for the backend's life, re-planned by PostgreSQL as needed.
std::vector<std::pair<Oid, SPIPlanPtr>> row_plans;
SPIPlanPtr call_plan = nullptr;

SPIPlanPtr keep(SPIPlanPtr plan) {
    if (plan == nullptr) {
        elog(ERROR, "leadscore: preparing the SLA call failed: %s",
             SPI_result_code_string(SPI_result));
    }
    SPI_keepplan(plan);
    return plan;
}

SPIPlanPtr row_plan(Oid row_type) {
    for (const auto& [type, plan] : row_plans) {
        if (type == row_type) {
            return plan;
        }
    }
    Oid types[1] = {row_type};
    row_plans.emplace_back(row_type, keep(SPI_prepare("SELECT pg_catalog.to_jsonb($1)", 1, types)));
    return row_plans.back().second;
}

SPIPlanPtr sla_call_plan() {
    if (call_plan == nullptr) {
        Oid types[7] = {REGCLASSOID, TEXTOID,  lifecycle_stage_type(), lifecycle_stage_type(),
                        BOOLOID,     JSONBOID, TIMESTAMPTZOID};
        call_plan = keep(SPI_prepare(
            "SELECT leadscore._sla_stage_changed($1, $2, $3, $4, $5, $6, $7)", 7, types));
    }
    return call_plan;
}

// When the clocks of the stage entered start: at the stage's stamp when this
// change set it (an INSERT, or an UPDATE that filled or changed it: the CRM
// knows the real MQL date), else now. A stamp kept from an earlier stay
// (first-reach stamps are never overwritten) is not this entry's start.
std::optional<TimestampTz> clock_start(const CompiledAttachment& attachment, TriggerData* data,
                                       core::Stage to, HeapTuple row) {
    const AttrNumber column = attachment.stamp_columns[core::stage_code(to)];
    if (column == 0) {
        return std::nullopt;
    }
    const TupleDesc descriptor = RelationGetDescr(data->tg_relation);
    bool is_null;
    const Datum stamp = heap_getattr(row, column, descriptor, &is_null);
    if (is_null) {
        return std::nullopt;
    }
    if (TRIGGER_FIRED_BY_UPDATE(data->tg_event)) {
        bool old_null;
        const Datum old = heap_getattr(data->tg_trigtuple, column, descriptor, &old_null);
        if (!old_null && DatumGetTimestampTz(old) == DatumGetTimestampTz(stamp)) {
            return std::nullopt;
        }
    }
    return DatumGetTimestampTz(stamp);
}

// The owner of leadscore.sla_clocks: the role that created the extension.
Oid clocks_owner() {
    const Oid clocks =
        get_relname_relid("sla_clocks", get_namespace_oid("leadscore", /*missing_ok=*/false));
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(clocks));
    if (!HeapTupleIsValid(tuple)) {
        elog(ERROR, "leadscore: table leadscore.sla_clocks not found");
    }
    const Oid owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->relowner;
    ReleaseSysCache(tuple);
    return owner;
}

}  // namespace

std::optional<TimestampTz> sla_stage_changed(const CompiledAttachment& attachment,
                                             TriggerData* data, const char* lead_key,
                                             std::optional<core::Stage> from,
                                             std::optional<core::Stage> to, HeapTuple row) {
    bool has_due = false;
    TimestampTz due = 0;
    call_postgres([&] {
        const TupleDesc descriptor = RelationGetDescr(data->tg_relation);
        const std::optional<TimestampTz> start =
            to ? clock_start(attachment, data, *to, row) : std::nullopt;
        if (SPI_connect() != SPI_OK_CONNECT) {
            elog(ERROR, "leadscore: SPI_connect failed");
        }
        Datum row_value[1] = {heap_copy_tuple_as_datum(row, descriptor)};
        if (SPI_execute_plan(row_plan(descriptor->tdtypeid), row_value, nullptr, true, 1) !=
                SPI_OK_SELECT ||
            SPI_processed != 1) {
            elog(ERROR, "leadscore: converting the row for the SLA call failed");
        }
        bool is_null;
        const Datum row_json =
            SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null);
        Datum values[7] = {ObjectIdGetDatum(attachment.attached_table),
                           CStringGetTextDatum(lead_key),
                           from ? stage_datum(*from) : Datum(0),
                           to ? stage_datum(*to) : Datum(0),
                           BoolGetDatum(TRIGGER_FIRED_BY_INSERT(data->tg_event)),
                           row_json,
                           start ? TimestampTzGetDatum(*start) : Datum(0)};
        const char nulls[7] = {' ', ' ', from ? ' ' : 'n', to ? ' ' : 'n',
                               ' ', ' ', start ? ' ' : 'n'};
        Oid saved_user;
        int saved_context;
        GetUserIdAndSecContext(&saved_user, &saved_context);
        SetUserIdAndSecContext(clocks_owner(), saved_context | SECURITY_LOCAL_USERID_CHANGE);
        PG_TRY();
        {
            const int result = SPI_execute_plan(sla_call_plan(), values, nulls, false, 1);
            if (result != SPI_OK_SELECT || SPI_processed != 1) {
                elog(ERROR, "leadscore: the SLA call failed: %s", SPI_result_code_string(result));
            }
            const Datum value =
                SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null);
            has_due = !is_null;
            due = is_null ? 0 : DatumGetTimestampTz(value);
        }
        PG_FINALLY();
        { SetUserIdAndSecContext(saved_user, saved_context); }
        PG_END_TRY();
        SPI_finish();
    });
    return has_due ? std::optional<TimestampTz>(due) : std::nullopt;
}

HeapTuple with_sla_columns(const CompiledAttachment& attachment, Relation relation, HeapTuple row,
                           std::optional<TimestampTz> due) {
    const core::SlaConfig& sla = *attachment.config.sla;
    const TupleDesc descriptor = RelationGetDescr(relation);
    int columns[2];
    Datum values[2];
    bool nulls[2];
    int count = 0;
    if (sla.due_column) {
        columns[count] = SPI_fnumber(descriptor, sla.due_column->c_str());
        values[count] = due ? TimestampTzGetDatum(*due) : Datum(0);
        nulls[count] = !due;
        ++count;
    }
    if (sla.breached_column) {
        columns[count] = SPI_fnumber(descriptor, sla.breached_column->c_str());
        values[count] = BoolGetDatum(false);
        nulls[count] = false;
        ++count;
    }
    for (int i = 0; i < count; ++i) {
        if (columns[i] <= 0) {
            elog(ERROR, "leadscore: SLA column of %s not found; attach the table again",
                 attachment.attached_table_name.c_str());
        }
    }
    return count == 0 ? row
                      : heap_modify_tuple_by_cols(row, descriptor, count, columns, values, nulls);
}

}  // namespace leadscore::pg
