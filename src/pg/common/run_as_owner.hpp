// Running statements leadscore builds of a CRM table as the table's owner
// (see run_as_owner.cpp for the SQL functions that do it, and why).
#pragma once

#include "pg/common/postgres.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace leadscore::pg {

// The owner of `target`, or InvalidOid when the table no longer exists.
inline Oid table_owner(Oid target) {
    HeapTuple relation = SearchSysCache1(RELOID, ObjectIdGetDatum(target));
    if (!HeapTupleIsValid(relation)) {
        return InvalidOid;
    }
    const Oid owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(relation))->relowner;
    ReleaseSysCache(relation);
    return owner;
}

// Runs `body` (which runs statements through SPI) as `owner`.
//
// The owner's code (triggers, domain checks, the key type's functions) runs
// inside a GUC nest level with search_path pinned to pg_catalog, as
// PostgreSQL runs maintenance commands: whatever it sets, search_path above
// all, is undone on the way out, so it cannot redirect the names the
// SECURITY DEFINER caller resolves afterwards.
template <typename Body>
void as_owner(Oid owner, Body body) {
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
        body();
        // (On an error the transaction's or subtransaction's abort undoes them.)
        AtEOXact_GUC(false, settings_level);
    }
    PG_FINALLY();
    { SetUserIdAndSecContext(saved_user, saved_context); }
    PG_END_TRY();
    SPI_finish();
}

// Runs `body` (statements through SPI) as the owner of leadscore's own
// tables: row-level security hides other owners' rows from everyone else,
// and the role that fires a trigger may not read them at all. `body` must
// not throw a C++ exception.
template <typename Body>
void as_extension_owner(Body body) {
    const Oid schema = get_namespace_oid("leadscore", /*missing_ok=*/false);
    const Oid owner = table_owner(get_relname_relid("attachment_configs", schema));
    if (owner == InvalidOid) {
        elog(ERROR, "leadscore: table leadscore.attachment_configs not found");
    }
    if (SPI_connect() != SPI_OK_CONNECT) {
        elog(ERROR, "leadscore: SPI_connect failed");
    }
    Oid saved_user;
    int saved_context;
    GetUserIdAndSecContext(&saved_user, &saved_context);
    SetUserIdAndSecContext(owner, saved_context | SECURITY_LOCAL_USERID_CHANGE);
    PG_TRY();
    { body(); }
    PG_FINALLY();
    { SetUserIdAndSecContext(saved_user, saved_context); }
    PG_END_TRY();
    SPI_finish();
}

// A read-only query of leadscore's own tables with one parameter, as their
// owner; `read_result` reads SPI's result before SPI lets it go.
template <typename ReadResult>
void query_config_tables(const char* query, Oid type, Datum value, ReadResult read_result) {
    as_extension_owner([&] {
        const int result = SPI_execute_with_args(query, 1, &type, &value, nullptr, true, 0);
        if (result != SPI_OK_SELECT) {
            elog(ERROR, "leadscore: reading leadscore's config tables failed: %s",
                 SPI_result_code_string(result));
        }
        read_result();
    });
}

}  // namespace leadscore::pg
