// leadscore.guard_history_on_drop(): an event trigger that refuses
// DROP EXTENSION leadscore without CASCADE while leadscore.stage_history
// holds rows, so that history is never lost by accident.
#include "pg/common/guard.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "nodes/parsenodes.h"
#include "utils/lsyscache.h"
}

namespace {

bool drops_leadscore(const DropStmt* drop) {
    if (drop->removeType != OBJECT_EXTENSION || drop->behavior == DROP_CASCADE) {
        return false;
    }
    ListCell* cell;
    foreach (cell, drop->objects) {
        if (strcmp(strVal(lfirst(cell)), "leadscore") == 0) {
            return true;
        }
    }
    return false;
}

int64 history_rows() {
    const Oid schema = get_namespace_oid("leadscore", true);
    if (schema == InvalidOid || get_relname_relid("stage_history", schema) == InvalidOid) {
        return 0;
    }
    if (SPI_connect() != SPI_OK_CONNECT) {
        elog(ERROR, "leadscore: SPI_connect failed");
    }
    if (SPI_execute("SELECT count(*) FROM leadscore.stage_history", true, 1) != SPI_OK_SELECT) {
        elog(ERROR, "leadscore: counting leadscore.stage_history failed");
    }
    bool is_null;
    const int64 rows =
        DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null));
    SPI_finish();
    return rows;
}

}  // namespace

LEADSCORE_FUNCTION(guard_history_on_drop) {
    if (!CALLED_AS_EVENT_TRIGGER(fcinfo)) {
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("leadscore.guard_history_on_drop() can only be called as an event "
                               "trigger")));
    }
    const auto* event = reinterpret_cast<EventTriggerData*>(fcinfo->context);
    if (!IsA(event->parsetree, DropStmt) ||
        !drops_leadscore(reinterpret_cast<const DropStmt*>(event->parsetree))) {
        PG_RETURN_VOID();
    }
    const int64 rows = history_rows();
    if (rows > 0) {
        ereport(
            ERROR,
            (errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
             errmsg("cannot drop extension leadscore: leadscore.stage_history holds " INT64_FORMAT
                    " rows",
                    rows),
             errhint("Copy the history first (CREATE TABLE ... AS TABLE "
                     "leadscore.stage_history), or use DROP EXTENSION leadscore CASCADE to "
                     "drop it with the extension.")));
    }
    PG_RETURN_VOID();
}
