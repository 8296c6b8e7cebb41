// leadscore._clone_events_trigger(parent_trigger oid, partition regclass):
// creates on `partition` the clone of a statement trigger of its parent
// table, as PostgreSQL clones row triggers onto partitions (which it does
// not do for statement triggers).
//
// Why a clone and not a trigger of the same definition: a clone records the
// parent trigger (tgparentid), so it is
// - dropped with the parent trigger, and when the partition is detached;
// - left out of pg_dump, which restores the parent trigger only (the event
//   trigger then clones it again), so a restore never meets a clone twice.
//
// leadscore's events triggers read the statement's rows as a transition
// table, which PostgreSQL allows on partitions for statement triggers.
// EXECUTE is revoked from PUBLIC: leadscore's copier, which chooses the
// triggers, calls it.
#include "pg/common/guard.hpp"

#include <initializer_list>

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/partition.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
}

namespace {

// The trigger's arguments, stored as NUL-terminated strings one after another.
List* trigger_arguments(HeapTuple trigger, TupleDesc description, int count) {
    bool is_null = false;
    const Datum stored = heap_getattr(trigger, Anum_pg_trigger_tgargs, description, &is_null);
    if (is_null || count == 0) {
        return NIL;
    }
    bytea* bytes = DatumGetByteaPP(stored);
    const char* next = VARDATA_ANY(bytes);
    List* arguments = NIL;
    for (int n = 0; n < count; ++n) {
        arguments = lappend(arguments, makeString(pstrdup(next)));
        next += strlen(next) + 1;
    }
    return arguments;
}

// The transition table's name, or nullptr.
const char* transition_name(HeapTuple trigger, TupleDesc description, int attribute) {
    bool is_null = false;
    const Datum name = heap_getattr(trigger, attribute, description, &is_null);
    return is_null ? nullptr : pstrdup(NameStr(*DatumGetName(name)));
}

}  // namespace

LEADSCORE_FUNCTION(clone_events_trigger) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) {
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("leadscore._clone_events_trigger got a NULL argument"),
                        errhint("It is called by leadscore's events-trigger copier only.")));
    }
    const Oid parent_trigger = PG_GETARG_OID(0);
    const Oid partition = PG_GETARG_OID(1);

    Relation triggers = table_open(TriggerRelationId, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, Anum_pg_trigger_oid, BTEqualStrategyNumber, F_OIDEQ,
                ObjectIdGetDatum(parent_trigger));
    SysScanDesc scan = systable_beginscan(triggers, TriggerOidIndexId, true, nullptr, 1, &key);
    HeapTuple found = systable_getnext(scan);
    if (!HeapTupleIsValid(found)) {
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
                        errmsg("leadscore: trigger %u does not exist", parent_trigger)));
    }
    HeapTuple trigger = heap_copytuple(found);
    systable_endscan(scan);
    const TupleDesc description = RelationGetDescr(triggers);
    const auto* form = reinterpret_cast<Form_pg_trigger>(GETSTRUCT(trigger));
    if (TRIGGER_FOR_ROW(form->tgtype)) {
        ereport(ERROR,
                (errcode(ERRCODE_WRONG_OBJECT_TYPE),
                 errmsg("leadscore clones statement triggers only, and \"%s\" is a row trigger",
                        NameStr(form->tgname)),
                 errhint("PostgreSQL clones row triggers onto partitions itself.")));
    }
    bool no_condition = true;
    (void)heap_getattr(trigger, Anum_pg_trigger_tgqual, description, &no_condition);
    if (!no_condition || form->tgattr.dim1 > 0) {
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("leadscore clones triggers without WHEN or column list only, and "
                               "\"%s\" has one",
                               NameStr(form->tgname)),
                        errhint("leadscore's events triggers have neither.")));
    }
    if (!get_rel_relispartition(partition) ||
        get_partition_parent(partition, false) != form->tgrelid) {
        const char* name = get_rel_name(partition);
        ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
                        errmsg("relation \"%s\" is not a partition of the table of trigger \"%s\"",
                               name != nullptr ? name : "(dropped)", NameStr(form->tgname)),
                        errhint("leadscore.repair_partition_triggers() clones leadscore's events "
                                "triggers where partitions lack them.")));
    }

    CreateTrigStmt* statement = makeNode(CreateTrigStmt);
    statement->trigname = pstrdup(NameStr(form->tgname));
    statement->relation = nullptr;  // the relation is given by OID
    statement->funcname = NIL;      // and so is the function
    statement->args = trigger_arguments(trigger, description, form->tgnargs);
    statement->row = false;
    statement->timing = form->tgtype & TRIGGER_TYPE_TIMING_MASK;
    statement->events = form->tgtype & TRIGGER_TYPE_EVENT_MASK;
    statement->columns = NIL;
    statement->whenClause = nullptr;
    for (const bool is_new : {true, false}) {
        const int attribute = is_new ? Anum_pg_trigger_tgnewtable : Anum_pg_trigger_tgoldtable;
        if (const char* name = transition_name(trigger, description, attribute)) {
            TriggerTransition* transition = makeNode(TriggerTransition);
            transition->name = pstrdup(name);
            transition->isNew = is_new;
            transition->isTable = true;
            statement->transitionRels = lappend(statement->transitionRels, transition);
        }
    }
    const Oid function = form->tgfoid;
    const char fires_when = form->tgenabled;
    table_close(triggers, AccessShareLock);

    CreateTriggerFiringOn(statement, nullptr, partition, InvalidOid, InvalidOid, InvalidOid,
                          function, parent_trigger, nullptr, false, true, fires_when);
    CommandCounterIncrement();  // the clone is the parent of the next level's
    PG_RETURN_VOID();
}
