#include "stage_history.hpp"

extern "C" {
#include "access/table.h"
#include "access/xact.h"
#include "tcop/utility.h"
#include "access/tableam.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "catalog/pg_class.h"
#include "access/htup_details.h"
#include "storage/proc.h"
#include "utils/rel.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"
}

namespace leadscore::pg {

namespace {

// The columns leadscore writes. A column added to the table by an upgrade
// must be added here too: this writer evaluates no defaults.
enum Column {
    kId,
    kTarget,
    kLeadKey,
    kFromStage,
    kToStage,
    kChangedAt,
    kChangedBy,
    kReason,
    kViolation,
    kViolationDetail,
    kCrmLabel,
    kColumnCount
};

constexpr const char* kColumnNames[kColumnCount] = {
    "id",         "target", "lead_key",  "from_stage",       "to_stage",  "changed_at",
    "changed_by", "reason", "violation", "violation_detail", "crm_label",
};

int column_index(const char* name) {
    for (int i = 0; i < kColumnCount; ++i) {
        if (strcmp(name, kColumnNames[i]) == 0) {
            return i;
        }
    }
    return -1;
}

// Looked up once per backend; forgotten when any relcache invalidation
// touches them (DROP/CREATE EXTENSION gives them new OIDs).
Oid history_table = InvalidOid;
Oid history_sequence = InvalidOid;
Oid history_owner = InvalidOid;
SPIPlanPtr last_stage_plan = nullptr;

// The history table, its indexes and an executor state, opened once per
// transaction (under the top transaction's resource owner, so they outlive
// statements and subtransactions) and closed before commit. Opening them per
// row cost more than the insert itself.
struct OpenHistory {
    LocalTransactionId transaction = InvalidLocalTransactionId;
    bool stale = false;  // the table changed (an index added?): reopen
    Relation relation = nullptr;
    EState* estate = nullptr;
    ResultRelInfo* result = nullptr;
    TupleTableSlot* slot = nullptr;
    int* column_of_attribute = nullptr;  // per attribute: its Column, or -1
};
OpenHistory open_history;

}  // namespace

void close_history_writer() {
    if (open_history.relation == nullptr) {
        return;
    }
    ResourceOwner caller_owner = CurrentResourceOwner;
    CurrentResourceOwner = TopTransactionResourceOwner;
    ExecDropSingleTupleTableSlot(open_history.slot);
    ExecCloseIndices(open_history.result);
    table_close(open_history.relation, NoLock);
    CurrentResourceOwner = caller_owner;
    FreeExecutorState(open_history.estate);
    open_history = OpenHistory();
}

namespace {

void open_history_for_transaction(Oid table) {
    ResourceOwner caller_owner = CurrentResourceOwner;
    MemoryContext caller_context = MemoryContextSwitchTo(TopTransactionContext);
    CurrentResourceOwner = TopTransactionResourceOwner;
    Relation relation = table_open(table, RowExclusiveLock);
    EState* estate = CreateExecutorState();
    ResultRelInfo* result = makeNode(ResultRelInfo);
    InitResultRelInfo(result, relation, 1, nullptr, 0);
    ExecOpenIndices(result, false);
    // A standalone slot (not in the EState's tuple table): close_history_writer
    // drops it, releasing its pin on the table's descriptor.
    TupleTableSlot* slot = MakeSingleTupleTableSlot(RelationGetDescr(relation), &TTSOpsHeapTuple);
    CurrentResourceOwner = caller_owner;
    MemoryContextSwitchTo(caller_context);
    // Place values by column name, so the writer does not depend on the
    // table's physical column order.
    const TupleDesc descriptor = RelationGetDescr(relation);
    open_history.column_of_attribute = static_cast<int*>(
        MemoryContextAlloc(estate->es_query_cxt, sizeof(int) * descriptor->natts));
    for (int i = 0; i < descriptor->natts; ++i) {
        const Form_pg_attribute attribute = TupleDescAttr(descriptor, i);
        open_history.column_of_attribute[i] =
            attribute->attisdropped ? -1 : column_index(NameStr(attribute->attname));
    }
    // Only now, with everything open, does the writer count as open.
    open_history.relation = relation;
    open_history.estate = estate;
    open_history.result = result;
    open_history.slot = slot;
    open_history.transaction = MyProc->lxid;
    open_history.stale = false;
}

void history_transaction_event(XactEvent event, void*) {
    switch (event) {
        case XACT_EVENT_PRE_COMMIT:
        case XACT_EVENT_PARALLEL_PRE_COMMIT:
        case XACT_EVENT_PRE_PREPARE:
            close_history_writer();
            break;
        case XACT_EVENT_ABORT:
        case XACT_EVENT_PARALLEL_ABORT:
            // The resource owner has released the relations and the memory
            // went with the transaction's context: only forget them.
            open_history = OpenHistory();
            break;
        default:
            break;
    }
}

void forget_history_oids(Datum, Oid relid) {
    if (relid == InvalidOid || relid == history_table || relid == history_sequence) {
        history_table = InvalidOid;
        history_sequence = InvalidOid;
        open_history.stale = true;
        // The saved plan is revalidated by the plan cache itself.
    }
}

Oid owner_of(Oid relation) {
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relation));
    if (!HeapTupleIsValid(tuple)) {
        elog(ERROR, "leadscore: cache lookup failed for relation %u", relation);
    }
    const Oid owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->relowner;
    ReleaseSysCache(tuple);
    return owner;
}

void look_up_history_oids() {
    const Oid table = get_relname_relid("stage_history", get_namespace_oid("leadscore", false));
    if (table == InvalidOid) {
        ereport(ERROR,
                (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("leadscore.stage_history does not exist"),
                 errhint("Re-create the extension: DROP EXTENSION leadscore CASCADE; "
                         "CREATE EXTENSION leadscore;")));
    }
    history_sequence = getIdentitySequence(table, 1, false);
    history_owner = owner_of(table);
    history_table = table;
}

Datum text_or_null(const char* value, bool& is_null) {
    is_null = value == nullptr;
    return is_null ? Datum(0) : CStringGetTextDatum(value);
}

Datum stage_or_null(const std::optional<core::Stage>& stage, bool& is_null) {
    is_null = !stage.has_value();
    return is_null ? Datum(0) : CharGetDatum(core::stage_code(*stage));
}

}  // namespace

namespace {

ProcessUtility_hook_type previous_process_utility = nullptr;

#if PG_VERSION_NUM >= 140000
void close_writer_before_utility(PlannedStmt* statement, const char* query, bool read_only_tree,
                                 ProcessUtilityContext context, ParamListInfo params,
                                 QueryEnvironment* environment, DestReceiver* destination,
                                 QueryCompletion* completion) {
    close_history_writer();
    (previous_process_utility ? previous_process_utility : standard_ProcessUtility)(
        statement, query, read_only_tree, context, params, environment, destination, completion);
}
#else
void close_writer_before_utility(PlannedStmt* statement, const char* query,
                                 ProcessUtilityContext context, ParamListInfo params,
                                 QueryEnvironment* environment, DestReceiver* destination,
                                 QueryCompletion* completion) {
    close_history_writer();
    (previous_process_utility ? previous_process_utility : standard_ProcessUtility)(
        statement, query, context, params, environment, destination, completion);
}
#endif

}  // namespace

void register_history_callbacks() {
    CacheRegisterRelcacheCallback(forget_history_oids, 0);
    RegisterXactCallback(history_transaction_event, nullptr);
    previous_process_utility = ProcessUtility_hook;
    ProcessUtility_hook = close_writer_before_utility;
}

void insert_history(const HistoryRow& row) {
    if (open_history.relation != nullptr &&
        (open_history.stale || open_history.transaction != MyProc->lxid)) {
        close_history_writer();
    }
    if (history_table == InvalidOid) {
        look_up_history_oids();
    }
    // Copies: an invalidation arriving in the middle of this row (any lock
    // acquisition processes them) may reset the cached OIDs.
    const Oid table = history_table;
    const Oid sequence = history_sequence;
    if (open_history.relation == nullptr) {
        open_history_for_transaction(table);
    }
    Relation history = open_history.relation;
    const TupleDesc descriptor = RelationGetDescr(history);

    Datum values[kColumnCount];
    bool nulls[kColumnCount] = {};
    values[kId] = Int64GetDatum(nextval_internal(sequence, false));
    values[kTarget] = ObjectIdGetDatum(row.target);
    values[kLeadKey] = CStringGetTextDatum(row.lead_key);
    values[kFromStage] = stage_or_null(row.from, nulls[kFromStage]);
    values[kToStage] = stage_or_null(row.to, nulls[kToStage]);
    values[kChangedAt] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
    values[kChangedBy] = DirectFunctionCall1(namein, CStringGetDatum(row.changed_by));
    values[kReason] = text_or_null(row.reason, nulls[kReason]);
    values[kViolation] = BoolGetDatum(row.violation);
    values[kViolationDetail] = text_or_null(row.violation_detail, nulls[kViolationDetail]);
    values[kCrmLabel] = text_or_null(row.crm_label, nulls[kCrmLabel]);

    Datum* tuple_values = static_cast<Datum*>(palloc0(sizeof(Datum) * descriptor->natts));
    bool* tuple_nulls = static_cast<bool*>(palloc(sizeof(bool) * descriptor->natts));
    for (int i = 0; i < descriptor->natts; ++i) {
        const int column = open_history.column_of_attribute[i];
        tuple_nulls[i] = column < 0 || nulls[column];
        if (column >= 0) {
            tuple_values[i] = values[column];
        }
    }

    TupleTableSlot* slot = open_history.slot;
    ExecStoreHeapTuple(heap_form_tuple(descriptor, tuple_values, tuple_nulls), slot, false);
    simple_table_tuple_insert(history, slot);
    ExecInsertIndexTuples(open_history.result, slot, open_history.estate, false, false, nullptr,
                          NIL);
    ExecClearTuple(slot);
    ResetPerTupleExprContext(open_history.estate);
}

std::optional<core::Stage> last_recorded_stage(Oid target, const char* lead_key) {
    if (history_table == InvalidOid) {
        look_up_history_oids();
    }
    if (SPI_connect() != SPI_OK_CONNECT) {
        elog(ERROR, "leadscore: SPI_connect failed");
    }
    if (last_stage_plan == nullptr) {
        Oid types[2] = {REGCLASSOID, TEXTOID};
        SPIPlanPtr plan = SPI_prepare(
            // Qualified operators: it runs as the history's owner, and a kept
            // plan is re-parsed under the caller's search_path.
            "SELECT to_stage FROM leadscore.stage_history "
            "WHERE target OPERATOR(pg_catalog.=) $1 AND lead_key OPERATOR(pg_catalog.=) $2 "
            "ORDER BY changed_at DESC, id DESC LIMIT 1",
            2, types);
        if (plan == nullptr || SPI_keepplan(plan) != 0) {
            elog(ERROR, "leadscore: preparing the last-stage lookup failed");
        }
        last_stage_plan = plan;
    }
    Datum values[2] = {ObjectIdGetDatum(target), CStringGetTextDatum(lead_key)};
    Oid saved_user;
    int saved_context;
    GetUserIdAndSecContext(&saved_user, &saved_context);
    SetUserIdAndSecContext(history_owner, saved_context | SECURITY_LOCAL_USERID_CHANGE);
    // Not read-only: the snapshot must see the history this very command wrote
    // (the source partition's BEFORE UPDATE of the same move).
    const int result = SPI_execute_plan(last_stage_plan, values, nullptr, false, 1);
    SetUserIdAndSecContext(saved_user, saved_context);
    if (result != SPI_OK_SELECT) {
        elog(ERROR, "leadscore: reading leadscore.stage_history failed: %s",
             SPI_result_code_string(result));
    }
    std::optional<core::Stage> stage;
    if (SPI_processed == 1) {
        bool is_null;
        const Datum value =
            SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null);
        if (!is_null) {
            stage = core::stage_from_code(static_cast<unsigned char>(DatumGetChar(value)));
        }
    }
    SPI_finish();
    return stage;
}

}  // namespace leadscore::pg
