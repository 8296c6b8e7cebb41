#include "pg/common/table_appender.hpp"

#include "pg/common/pg_compat.hpp"

#include <array>

extern "C" {
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "storage/bufmgr.h"
#include "storage/proc.h"
#include "tcop/utility.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
}

namespace leadscore::pg {

// The table, its indexes and an executor state, opened under the top
// transaction's resource owner (so they outlive statements and
// subtransactions); allocated in TopTransactionContext. Rows are written
// under that owner too: from PostgreSQL 17 a BRIN index (the history's and
// the clocks') keeps its map pages pinned from one insertion to the next,
// until close_appender closes the indexes, and a pin must be released by
// the owner that took it.
struct OpenAppender {
    LocalTransactionId transaction;
    bool stale;  // the table changed (an index added?): reopen
    Relation relation;
    EState* estate;
    ResultRelInfo* result;
    TupleTableSlot* slot;
    int* column_of_attribute;  // per attribute: the caller's column, or -1
};

namespace {

constexpr int kMaxTables = 4;
std::array<AppendedTable*, kMaxTables> tables{};
int table_count = 0;

void remember(AppendedTable& table) {
    for (int i = 0; i < table_count; ++i) {
        if (tables[i] == &table) {
            return;
        }
    }
    if (table_count == kMaxTables) {
        elog(ERROR, "leadscore: too many appended tables");
    }
    tables[table_count++] = &table;
}

void close_appender(AppendedTable& table) {
    OpenAppender* open = table.open;
    if (open == nullptr) {
        return;
    }
    // Forgotten first: a close that fails halfway is not retried on freed parts.
    table.open = nullptr;
    ResourceOwner caller_owner = CurrentResourceOwner;
    CurrentResourceOwner = TopTransactionResourceOwner;
    ExecDropSingleTupleTableSlot(open->slot);
    ExecCloseIndices(open->result);
    table_close(open->relation, NoLock);
    CurrentResourceOwner = caller_owner;
    FreeExecutorState(open->estate);
    pfree(open);
}

void open_appender(AppendedTable& table, Oid relid) {
    ResourceOwner caller_owner = CurrentResourceOwner;
    MemoryContext caller_context = MemoryContextSwitchTo(TopTransactionContext);
    CurrentResourceOwner = TopTransactionResourceOwner;
    Relation relation = table_open(relid, RowExclusiveLock);
    EState* estate = CreateExecutorState();
    ResultRelInfo* result = makeNode(ResultRelInfo);
    InitResultRelInfo(result, relation, 1, nullptr, 0);
    ExecOpenIndices(result, false);
    // A standalone slot (not in the EState's tuple table): close_appender
    // drops it, releasing its pin on the table's descriptor.
    TupleTableSlot* slot = MakeSingleTupleTableSlot(RelationGetDescr(relation), &TTSOpsHeapTuple);
    auto* open = static_cast<OpenAppender*>(palloc0(sizeof(OpenAppender)));
    CurrentResourceOwner = caller_owner;
    MemoryContextSwitchTo(caller_context);
    // Place values by column name, so the writer does not depend on the
    // table's physical column order.
    const TupleDesc descriptor = RelationGetDescr(relation);
    open->column_of_attribute = static_cast<int*>(
        MemoryContextAlloc(estate->es_query_cxt, sizeof(int) * descriptor->natts));
    for (int i = 0; i < descriptor->natts; ++i) {
        const Form_pg_attribute attribute = TupleDescAttr(descriptor, i);
        open->column_of_attribute[i] = -1;
        for (int c = 0; c < table.column_count && !attribute->attisdropped; ++c) {
            if (strcmp(NameStr(attribute->attname), table.columns[c]) == 0) {
                open->column_of_attribute[i] = c;
            }
        }
    }
    open->relation = relation;
    open->estate = estate;
    open->result = result;
    open->slot = slot;
    open->transaction = current_local_transaction();
    // Only now, with everything open, does the appender count as open.
    table.open = open;
}

void appender_transaction_event(XactEvent event, void*) {
    switch (event) {
        case XACT_EVENT_PRE_COMMIT:
        case XACT_EVENT_PARALLEL_PRE_COMMIT:
        case XACT_EVENT_PRE_PREPARE:
            close_appenders();
            break;
        case XACT_EVENT_ABORT:
        case XACT_EVENT_PARALLEL_ABORT:
            // The resource owner releases the relations and the memory goes
            // with the transaction's context: only forget them.
            for (int i = 0; i < table_count; ++i) {
                tables[i]->open = nullptr;
            }
            break;
        default:
            break;
    }
}

void forget_oids(Datum, Oid relid) {
    for (int i = 0; i < table_count; ++i) {
        AppendedTable& table = *tables[i];
        if (relid == InvalidOid || relid == table.table || relid == table.sequence) {
            table.table = InvalidOid;
            table.sequence = InvalidOid;
            if (table.open != nullptr) {
                table.open->stale = true;
            }
        }
    }
}

ProcessUtility_hook_type previous_process_utility = nullptr;

void close_before_utility(PlannedStmt* statement, const char* query, bool read_only_tree,
                          ProcessUtilityContext context, ParamListInfo params,
                          QueryEnvironment* environment, DestReceiver* destination,
                          QueryCompletion* completion) {
    close_appenders();
    (previous_process_utility ? previous_process_utility : standard_ProcessUtility)(
        statement, query, read_only_tree, context, params, environment, destination, completion);
}

}  // namespace

void close_appenders() {
    for (int i = 0; i < table_count; ++i) {
        close_appender(*tables[i]);
    }
}

void register_appender_callbacks() {
    CacheRegisterRelcacheCallback(forget_oids, 0);
    RegisterXactCallback(appender_transaction_event, nullptr);
    previous_process_utility = ProcessUtility_hook;
    ProcessUtility_hook = close_before_utility;
}

void look_up_appended_table(AppendedTable& table) {
    remember(table);
    if (table.table != InvalidOid) {
        return;
    }
    const Oid relid = get_relname_relid(table.name, get_namespace_oid("leadscore", false));
    if (relid == InvalidOid) {
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
                        errmsg("leadscore.%s does not exist", table.name),
                        errhint("Re-create the extension: DROP EXTENSION leadscore CASCADE; "
                                "CREATE EXTENSION leadscore;")));
    }
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
    if (!HeapTupleIsValid(tuple)) {
        elog(ERROR, "leadscore: cache lookup failed for relation %u", relid);
    }
    table.owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->relowner;
    ReleaseSysCache(tuple);
    table.sequence = identity_sequence_of(relid, 1);
    table.table = relid;
}

namespace {

// The table open for this transaction; returns its sequence (a copy: an
// invalidation arriving in the middle of a row, as any lock acquisition
// processes them, may reset the cached OIDs).
Oid open_for_transaction(AppendedTable& table) {
    if (table.open != nullptr &&
        (table.open->stale || table.open->transaction != current_local_transaction())) {
        close_appender(table);
    }
    look_up_appended_table(table);
    const Oid relid = table.table;
    const Oid sequence = table.sequence;
    if (table.open == nullptr) {
        open_appender(table, relid);
    }
    return sequence;
}

}  // namespace

void update_row(AppendedTable& table, ItemPointer tid, int count, const int* columns,
                const Datum* values, const bool* nulls) {
    open_for_transaction(table);
    OpenAppender& open = *table.open;
    const TupleDesc descriptor = RelationGetDescr(open.relation);
    // The current version, read and copied with its buffer pinned only here.
    HeapTupleData current;
    current.t_self = *tid;
    Buffer buffer;
    if (!heap_fetch(open.relation, SnapshotAny, &current, &buffer, false)) {
        elog(ERROR, "leadscore: the row of leadscore.%s to update was not found", table.name);
    }
    Datum* tuple_values = static_cast<Datum*>(palloc(sizeof(Datum) * descriptor->natts));
    bool* tuple_nulls = static_cast<bool*>(palloc(sizeof(bool) * descriptor->natts));
    heap_deform_tuple(&current, descriptor, tuple_values, tuple_nulls);
    for (int i = 0; i < descriptor->natts; ++i) {
        for (int c = 0; c < count; ++c) {
            if (open.column_of_attribute[i] == columns[c]) {
                tuple_values[i] = values[c];
                tuple_nulls[i] = nulls[c];
            }
        }
    }
    HeapTuple replacement = heap_form_tuple(descriptor, tuple_values, tuple_nulls);
    ReleaseBuffer(buffer);
    TupleTableSlot* slot = open.slot;
    ExecStoreHeapTuple(replacement, slot, false);
    ResourceOwner caller_owner = CurrentResourceOwner;
    CurrentResourceOwner = TopTransactionResourceOwner;
    update_row_and_indexes(open.result, tid, slot, open.estate);
    CurrentResourceOwner = caller_owner;
    ExecClearTuple(slot);
    ResetPerTupleExprContext(open.estate);
}

void append_row(AppendedTable& table, Datum* values, bool* nulls) {
    const Oid sequence = open_for_transaction(table);
    OpenAppender& open = *table.open;
    const TupleDesc descriptor = RelationGetDescr(open.relation);
    values[0] = Int64GetDatum(nextval_internal(sequence, false));
    nulls[0] = false;

    Datum* tuple_values = static_cast<Datum*>(palloc0(sizeof(Datum) * descriptor->natts));
    bool* tuple_nulls = static_cast<bool*>(palloc(sizeof(bool) * descriptor->natts));
    for (int i = 0; i < descriptor->natts; ++i) {
        const int column = open.column_of_attribute[i];
        tuple_nulls[i] = column < 0 || nulls[column];
        if (column >= 0) {
            tuple_values[i] = values[column];
        }
    }
    TupleTableSlot* slot = open.slot;
    ExecStoreHeapTuple(heap_form_tuple(descriptor, tuple_values, tuple_nulls), slot, false);
    ResourceOwner caller_owner = CurrentResourceOwner;
    CurrentResourceOwner = TopTransactionResourceOwner;
    simple_table_tuple_insert(open.relation, slot);
    insert_index_entries(open.result, slot, open.estate);
    CurrentResourceOwner = caller_owner;
    ExecClearTuple(slot);
    ResetPerTupleExprContext(open.estate);
}

}  // namespace leadscore::pg
