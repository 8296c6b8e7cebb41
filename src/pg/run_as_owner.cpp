// leadscore._update_as_owner(target regclass, statement text, keys text[],
// dues timestamptz[], breaches boolean[]): runs an UPDATE leadscore built of
// the CRM table as the table's owner, in a security-restricted operation.
//
// Why: the SLA machinery runs as the extension's owner (a superuser) so that
// the CRM's role needs no rights on leadscore's tables; the CRM table's own
// triggers, domain checks and casts must not run as that superuser, so the
// write to the CRM table switches to the table's owner, as PostgreSQL does
// for maintenance commands. EXECUTE is revoked from PUBLIC.
#include "guard.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/syscache.h"
}

LEADSCORE_FUNCTION(update_as_owner) {
    for (int n = 0; n < 5; ++n) {
        if (PG_ARGISNULL(n)) {
            ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                            errmsg("leadscore._update_as_owner got a NULL argument"),
                            errhint("It is called by leadscore's SLA functions only.")));
        }
    }
    const Oid target = PG_GETARG_OID(0);
    HeapTuple relation = SearchSysCache1(RELOID, ObjectIdGetDatum(target));
    if (!HeapTupleIsValid(relation)) {
        PG_RETURN_INT64(0);  // the table was dropped: nothing to write
    }
    const Oid owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(relation))->relowner;
    ReleaseSysCache(relation);
    const char* statement = text_to_cstring(PG_GETARG_TEXT_PP(1));
    Oid types[3] = {TEXTARRAYOID, TIMESTAMPTZARRAYOID, BOOLARRAYOID};
    Datum values[3] = {PG_GETARG_DATUM(2), PG_GETARG_DATUM(3), PG_GETARG_DATUM(4)};
    Oid saved_user;
    int saved_context;
    GetUserIdAndSecContext(&saved_user, &saved_context);
    if (SPI_connect() != SPI_OK_CONNECT) {
        elog(ERROR, "leadscore: SPI_connect failed");
    }
    uint64 updated = 0;
    SetUserIdAndSecContext(
        owner, saved_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
    PG_TRY();
    {
        const int result = SPI_execute_with_args(statement, 3, types, values, nullptr, false, 0);
        if (result != SPI_OK_UPDATE) {
            elog(ERROR, "leadscore: the SLA columns' UPDATE failed: %s",
                 SPI_result_code_string(result));
        }
        updated = SPI_processed;
    }
    PG_FINALLY();
    { SetUserIdAndSecContext(saved_user, saved_context); }
    PG_END_TRY();
    SPI_finish();
    PG_RETURN_INT64(static_cast<int64>(updated));
}
