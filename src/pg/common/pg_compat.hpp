// Every difference between the supported PostgreSQL majors (15, 16, 17, 18)
// that the glue meets, in one place: the rest of the glue calls these names
// and never tests PG_VERSION_NUM itself.
#pragma once

#include "pg/common/postgres.hpp"

extern "C" {
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/dependency.h"
#include "executor/executor.h"
#include "storage/proc.h"
#include "utils/snapmgr.h"
}

#if PG_VERSION_NUM < 150000
#error "leadscore needs PostgreSQL 15 or later"
#endif

namespace leadscore::pg {

// The backend's local transaction id: PostgreSQL 17 moved it into the
// PGPROC's virtual transaction id.
inline LocalTransactionId current_local_transaction() {
#if PG_VERSION_NUM >= 170000
    return MyProc->vxid.lxid;
#else
    return MyProc->lxid;
#endif
}

// Replaces the row at `tid` with the slot's tuple and adds the index
// entries the new version needs, as new entries (update = false:
// PostgreSQL's "unchanged by the update" hint would look for the updated
// columns in a range table the appender does not have). PostgreSQL 16 made
// the table's answer three-way: no index, only the summarizing (BRIN)
// indexes of a HOT update, or all of them.
inline void update_row_and_indexes(ResultRelInfo* result, ItemPointer tid, TupleTableSlot* slot,
                                   EState* estate) {
    Relation relation = result->ri_RelationDesc;
#if PG_VERSION_NUM >= 160000
    TU_UpdateIndexes update_indexes = TU_None;
    simple_table_tuple_update(relation, tid, slot, GetActiveSnapshot(), &update_indexes);
    if (update_indexes != TU_None) {
        ExecInsertIndexTuples(result, slot, estate, false, false, nullptr, NIL,
                              update_indexes == TU_Summarizing);
    }
#else
    bool update_indexes = false;
    simple_table_tuple_update(relation, tid, slot, GetActiveSnapshot(), &update_indexes);
    if (update_indexes) {
        ExecInsertIndexTuples(result, slot, estate, false, false, nullptr, NIL);
    }
#endif
}

// Inserts the slot's tuple, just inserted, into every index of the table.
inline void insert_index_entries(ResultRelInfo* result, TupleTableSlot* slot, EState* estate) {
#if PG_VERSION_NUM >= 160000
    ExecInsertIndexTuples(result, slot, estate, false, false, nullptr, NIL, false);
#else
    ExecInsertIndexTuples(result, slot, estate, false, false, nullptr, NIL);
#endif
}

// The sequence behind an identity column. PostgreSQL 17 takes the opened
// relation (it follows a partition to its parent); the lock taken here is
// kept to the end of the transaction, as PostgreSQL keeps catalog locks.
inline Oid identity_sequence_of(Oid relid, AttrNumber attnum) {
#if PG_VERSION_NUM >= 170000
    Relation relation = table_open(relid, AccessShareLock);
    const Oid sequence = getIdentitySequence(relation, attnum, false);
    table_close(relation, NoLock);
    return sequence;
#else
    return getIdentitySequence(relid, attnum, false);
#endif
}

}  // namespace leadscore::pg
