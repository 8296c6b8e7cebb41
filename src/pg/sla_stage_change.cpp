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
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
}

namespace leadscore::pg {

namespace {

// One prepared call per row type (the row travels as a composite value);
// kept for the backend's life, re-planned by PostgreSQL when needed.
std::vector<std::pair<Oid, SPIPlanPtr>> plans;

SPIPlanPtr plan_for(Oid row_type) {
    for (const auto& [type, plan] : plans) {
        if (type == row_type) {
            return plan;
        }
    }
    Oid types[6] = {REGCLASSOID, TEXTOID, lifecycle_stage_type(), lifecycle_stage_type(),
                    BOOLOID,     row_type};
    SPIPlanPtr plan = SPI_prepare(
        "SELECT leadscore._sla_stage_changed($1, $2, $3, $4, $5, pg_catalog.to_jsonb($6))", 6,
        types);
    if (plan == nullptr) {
        elog(ERROR, "leadscore: preparing the SLA call failed: %s",
             SPI_result_code_string(SPI_result));
    }
    SPI_keepplan(plan);
    plans.emplace_back(row_type, plan);
    return plan;
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
                                             Relation relation, const char* lead_key,
                                             std::optional<core::Stage> from,
                                             std::optional<core::Stage> to, bool is_insert,
                                             HeapTuple row) {
    bool has_due = false;
    TimestampTz due = 0;
    call_postgres([&] {
        const TupleDesc descriptor = RelationGetDescr(relation);
        Datum values[6] = {ObjectIdGetDatum(attachment.attached_table),
                           CStringGetTextDatum(lead_key),
                           from ? stage_datum(*from) : Datum(0),
                           to ? stage_datum(*to) : Datum(0),
                           BoolGetDatum(is_insert),
                           heap_copy_tuple_as_datum(row, descriptor)};
        const char nulls[6] = {' ', ' ', from ? ' ' : 'n', to ? ' ' : 'n', ' ', ' '};
        Oid saved_user;
        int saved_context;
        GetUserIdAndSecContext(&saved_user, &saved_context);
        if (SPI_connect() != SPI_OK_CONNECT) {
            elog(ERROR, "leadscore: SPI_connect failed");
        }
        SetUserIdAndSecContext(clocks_owner(), saved_context | SECURITY_LOCAL_USERID_CHANGE);
        PG_TRY();
        {
            const int result =
                SPI_execute_plan(plan_for(descriptor->tdtypeid), values, nulls, false, 1);
            if (result != SPI_OK_SELECT || SPI_processed != 1) {
                elog(ERROR, "leadscore: the SLA call failed: %s", SPI_result_code_string(result));
            }
            bool is_null;
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
