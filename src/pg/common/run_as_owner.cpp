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
//   meets SLA clocks), its arguments and its answer passed as jsonb;
// - leadscore._rescore_as_owner(target regclass, lock_statement text,
//   statement text, as_of timestamptz, keys text[]) → jsonb: rescore's
//   statement, after the lock of the leads' rows when there is one.
//
// Why: code that belongs to a CRM table's owner (its triggers, domain
// checks, casts, the key type's functions, row-level security) runs as that
// owner, never as the extension's owner and never as a superuser who calls
// leadscore. The SLA machinery and rescore's privileged part run as the
// extension's owner (a superuser), so that the CRM's role needs no rights on
// leadscore's tables; the statements they build of the CRM table switch to
// the table's owner, as PostgreSQL does for maintenance commands. EXECUTE is
// revoked from PUBLIC.
#include "pg/common/run_as_owner.hpp"

#include "pg/common/guard.hpp"

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

using leadscore::pg::as_owner;
using leadscore::pg::table_owner;

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

// Runs one statement with its parameters through SPI and checks that it
// answered `expected`. A read-only statement runs in the caller's snapshot;
// any other takes a new one (READ COMMITTED: it sees what committed before
// it started, rows locked by an earlier statement included).
void run_statement(const char* statement, int expected, bool read_only, int count, Oid* types,
                   Datum* values, const char* nulls = nullptr) {
    const int result = SPI_execute_with_args(statement, count, types, values, nulls, read_only, 0);
    if (result != expected) {
        elog(ERROR, "leadscore: a statement run as the table's owner failed: %s",
             SPI_result_code_string(result));
    }
}

// Runs `statement` as `owner` and hands the result to `read_result` before
// SPI lets it go.
template <typename ReadResult>
void execute_as(Oid owner, const char* statement, int expected, int count, Oid* types,
                Datum* values, ReadResult read_result) {
    as_owner(owner, [&] {
        run_statement(statement, expected, expected == SPI_OK_SELECT, count, types, values);
        read_result();
    });
}

// The first column of the first row SPI answered, as a jsonb value copied
// into `context`; NULL (answer_is_null) when there is none.
Datum first_jsonb(MemoryContext context, bool* answer_is_null) {
    *answer_is_null = true;
    if (SPI_processed == 0) {
        return 0;
    }
    const Datum value =
        SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, answer_is_null);
    if (*answer_is_null) {
        return 0;
    }
    // Copied out of SPI's memory, which SPI_finish frees.
    MemoryContext spi_context = MemoryContextSwitchTo(context);
    const Datum copy = datumCopy(value, false, -1);
    MemoryContextSwitchTo(spi_context);
    return copy;
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
    execute_as(owner, text_to_cstring(PG_GETARG_TEXT_PP(1)), SPI_OK_SELECT, 1, types, values,
               [&] { answer = first_jsonb(caller_context, &answer_is_null); });
    if (answer_is_null) {
        PG_RETURN_NULL();
    }
    PG_RETURN_DATUM(answer);
}

// leadscore._rescore_as_owner(target regclass, lock_statement text,
// statement text, as_of timestamptz, keys text[]) → jsonb: rescore's
// statement, which reads $1 (as_of) and $2 (the keys of the leads to
// rescore, NULL for all) and answers one jsonb value. The lock statement,
// when given, runs first and locks the leads' rows; the statement then runs
// with a new snapshot, so it sees every event committed by a transaction the
// lock had to wait for (concurrent events for one lead all count).
LEADSCORE_FUNCTION(rescore_as_owner) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(2) || PG_ARGISNULL(3)) {
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("leadscore._rescore_as_owner got a NULL argument"),
                        errhint("It is called by leadscore's rescoring functions only.")));
    }
    const Oid owner = table_owner(PG_GETARG_OID(0));
    if (owner == InvalidOid) {
        PG_RETURN_NULL();  // the table was dropped: nothing to rescore
    }
    const char* lock_statement = PG_ARGISNULL(1) ? nullptr : text_to_cstring(PG_GETARG_TEXT_PP(1));
    const char* statement = text_to_cstring(PG_GETARG_TEXT_PP(2));
    Oid types[2] = {TIMESTAMPTZOID, TEXTARRAYOID};
    Datum values[2] = {PG_GETARG_DATUM(3), PG_ARGISNULL(4) ? 0 : PG_GETARG_DATUM(4)};
    const char nulls[2] = {' ', PG_ARGISNULL(4) ? 'n' : ' '};
    MemoryContext caller_context = CurrentMemoryContext;
    Datum answer = 0;
    bool answer_is_null = true;
    as_owner(owner, [&] {
        if (lock_statement != nullptr) {
            run_statement(lock_statement, SPI_OK_SELECT, false, 2, types, values, nulls);
        }
        run_statement(statement, SPI_OK_SELECT, false, 2, types, values, nulls);
        answer = first_jsonb(caller_context, &answer_is_null);
    });
    if (answer_is_null) {
        PG_RETURN_NULL();
    }
    PG_RETURN_DATUM(answer);
}
