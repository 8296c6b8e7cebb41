// Statements leadscore builds of a CRM table, run as the table's owner in a
// security-restricted operation:
//
// - leadscore._update_as_owner(target regclass, statement text, keys text[],
//   dues timestamptz[], breaches boolean[]) → bigint: the UPDATE of the SLA
//   columns, returning how many rows it wrote;
// - leadscore._keys_missing_as_owner(target regclass, statement text,
//   keys text[]) → text[]: the sweep's question which of the keys no longer
//   name a row of the table;
// - leadscore._query_as_owner(target regclass, statement text, arguments
//   jsonb) → jsonb: any other question about the table (the activity that
//   meets SLA clocks), its arguments and its answer passed as jsonb.
//
// Why: the SLA machinery runs as the extension's owner (a superuser) so that
// the CRM's role needs no rights on leadscore's tables; the CRM table's own
// triggers, domain checks, casts and the key type's functions must not run as
// that superuser, so statements on the CRM table switch to the table's owner,
// as PostgreSQL does for maintenance commands. EXECUTE is revoked from PUBLIC.
#include "guard.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/rls.h"
#include "utils/syscache.h"
}

namespace {

void refuse_null_arguments(FunctionCallInfo fcinfo, const char* function) {
    for (int n = 0; n < PG_NARGS(); ++n) {
        if (PG_ARGISNULL(n)) {
            ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                            errmsg("%s got a NULL argument", function),
                            errhint("It is called by leadscore's SLA functions only.")));
        }
    }
}

// The owner of `target`, or InvalidOid when the table no longer exists.
Oid table_owner(Oid target) {
    HeapTuple relation = SearchSysCache1(RELOID, ObjectIdGetDatum(target));
    if (!HeapTupleIsValid(relation)) {
        return InvalidOid;
    }
    const Oid owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(relation))->relowner;
    ReleaseSysCache(relation);
    return owner;
}

// Runs `statement` with its parameters as `owner`, checks that SPI answered
// `expected`, and hands the result to `read_result` before SPI lets it go.
//
// The owner's code (triggers, domain checks, the key type's functions) runs
// inside a GUC nest level with search_path pinned to pg_catalog, as
// PostgreSQL runs maintenance commands: whatever it sets, search_path above
// all, is undone on the way out, so it cannot redirect the names the
// SECURITY DEFINER caller resolves afterwards.
template <typename ReadResult>
void execute_as(Oid owner, const char* statement, int expected, int count, Oid* types,
                Datum* values, ReadResult read_result) {
    Oid saved_user;
    int saved_context;
    GetUserIdAndSecContext(&saved_user, &saved_context);
    if (SPI_connect() != SPI_OK_CONNECT) {
        elog(ERROR, "leadscore: SPI_connect failed");
    }
    SetUserIdAndSecContext(
        owner, saved_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
    const int settings_level = NewGUCNestLevel();
    PG_TRY();
    {
        (void)set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
                                GUC_ACTION_SAVE, true, 0, false);
        const int result = SPI_execute_with_args(statement, count, types, values, nullptr,
                                                 expected == SPI_OK_SELECT, 0);
        if (result != expected) {
            elog(ERROR, "leadscore: a statement run as the table's owner failed: %s",
                 SPI_result_code_string(result));
        }
        read_result();
        // (On an error the transaction's or subtransaction's abort undoes them.)
        AtEOXact_GUC(false, settings_level);
    }
    PG_FINALLY();
    { SetUserIdAndSecContext(saved_user, saved_context); }
    PG_END_TRY();
    SPI_finish();
}

}  // namespace

LEADSCORE_FUNCTION(update_as_owner) {
    refuse_null_arguments(fcinfo, "leadscore._update_as_owner");
    const Oid owner = table_owner(PG_GETARG_OID(0));
    if (owner == InvalidOid) {
        PG_RETURN_INT64(0);  // the table was dropped: nothing to write
    }
    Oid types[3] = {TEXTARRAYOID, TIMESTAMPTZARRAYOID, BOOLARRAYOID};
    Datum values[3] = {PG_GETARG_DATUM(2), PG_GETARG_DATUM(3), PG_GETARG_DATUM(4)};
    uint64 updated = 0;
    execute_as(owner, text_to_cstring(PG_GETARG_TEXT_PP(1)), SPI_OK_UPDATE, 3, types, values,
               [&] { updated = SPI_processed; });
    PG_RETURN_INT64(static_cast<int64>(updated));
}

// `statement` selects, from the keys in $1, those that no row has any more.
// Two answers do not come from the statement:
// - the table was dropped: every key is missing;
// - row-level security would hide rows from the owner (FORCE ROW LEVEL
//   SECURITY): no key counts as missing, because a lead the owner cannot see
//   has not gone, and closing its clocks on that guess would be wrong.
LEADSCORE_FUNCTION(keys_missing_as_owner) {
    refuse_null_arguments(fcinfo, "leadscore._keys_missing_as_owner");
    const Oid target = PG_GETARG_OID(0);
    const Oid owner = table_owner(target);
    if (owner == InvalidOid) {
        PG_RETURN_DATUM(PG_GETARG_DATUM(2));
    }
    if (check_enable_rls(target, owner, true) == RLS_ENABLED) {
        PG_RETURN_ARRAYTYPE_P(construct_empty_array(TEXTOID));
    }
    Oid types[1] = {TEXTARRAYOID};
    Datum values[1] = {PG_GETARG_DATUM(2)};
    // Built in the caller's memory context, which outlives SPI's.
    ArrayBuildState* missing = initArrayResult(TEXTOID, CurrentMemoryContext, false);
    execute_as(owner, text_to_cstring(PG_GETARG_TEXT_PP(1)), SPI_OK_SELECT, 1, types, values, [&] {
        for (uint64 row = 0; row < SPI_processed; ++row) {
            bool is_null = false;
            const Datum key =
                SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, 1, &is_null);
            missing = accumArrayResult(missing, key, is_null, TEXTOID, missing->mcontext);
        }
    });
    PG_RETURN_DATUM(makeArrayResult(missing, CurrentMemoryContext));
}

// `statement` reads `arguments` as $1 and answers one jsonb value (its first
// row's first column); NULL when it answers no row, or the table is gone.
LEADSCORE_FUNCTION(query_as_owner) {
    refuse_null_arguments(fcinfo, "leadscore._query_as_owner");
    const Oid owner = table_owner(PG_GETARG_OID(0));
    if (owner == InvalidOid) {
        PG_RETURN_NULL();
    }
    Oid types[1] = {JSONBOID};
    Datum values[1] = {PG_GETARG_DATUM(2)};
    MemoryContext caller_context = CurrentMemoryContext;
    Datum answer = 0;
    bool answer_is_null = true;
    execute_as(owner, text_to_cstring(PG_GETARG_TEXT_PP(1)), SPI_OK_SELECT, 1, types, values, [&] {
        if (SPI_processed == 0) {
            return;
        }
        const Datum value =
            SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &answer_is_null);
        if (!answer_is_null) {
            // Copied out of SPI's memory, which SPI_finish frees.
            MemoryContext spi_context = MemoryContextSwitchTo(caller_context);
            answer = datumCopy(value, false, -1);
            MemoryContextSwitchTo(spi_context);
        }
    });
    if (answer_is_null) {
        PG_RETURN_NULL();
    }
    PG_RETURN_DATUM(answer);
}
