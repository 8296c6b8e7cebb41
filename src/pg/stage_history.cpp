#include "stage_history.hpp"

extern "C" {
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
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

void forget_history_oids(Datum, Oid relid) {
    if (relid == InvalidOid || relid == history_table || relid == history_sequence) {
        history_table = InvalidOid;
        history_sequence = InvalidOid;
    }
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

void register_history_callbacks() {
    CacheRegisterRelcacheCallback(forget_history_oids, 0);
}

void insert_history(const HistoryRow& row) {
    if (history_table == InvalidOid) {
        look_up_history_oids();
    }
    Relation history = table_open(history_table, RowExclusiveLock);
    const TupleDesc descriptor = RelationGetDescr(history);

    Datum values[kColumnCount];
    bool nulls[kColumnCount] = {};
    values[kId] = Int64GetDatum(nextval_internal(history_sequence, false));
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

    // Place the values by column name, so the writer does not depend on the
    // table's physical column order.
    Datum* tuple_values = static_cast<Datum*>(palloc0(sizeof(Datum) * descriptor->natts));
    bool* tuple_nulls = static_cast<bool*>(palloc(sizeof(bool) * descriptor->natts));
    for (int i = 0; i < descriptor->natts; ++i) {
        const Form_pg_attribute attribute = TupleDescAttr(descriptor, i);
        const int column = attribute->attisdropped ? -1 : column_index(NameStr(attribute->attname));
        tuple_nulls[i] = column < 0 || nulls[column];
        if (column >= 0) {
            tuple_values[i] = values[column];
        }
    }

    EState* estate = CreateExecutorState();
    ResultRelInfo* result = makeNode(ResultRelInfo);
    InitResultRelInfo(result, history, 1, nullptr, 0);
    ExecOpenIndices(result, false);
    TupleTableSlot* slot = ExecInitExtraTupleSlot(estate, descriptor, &TTSOpsHeapTuple);
    ExecStoreHeapTuple(heap_form_tuple(descriptor, tuple_values, tuple_nulls), slot, false);
    simple_table_tuple_insert(history, slot);
    ExecInsertIndexTuples(result, slot, estate, false, false, nullptr, NIL);
    ExecCloseIndices(result);
    ExecDropSingleTupleTableSlot(slot);
    FreeExecutorState(estate);
    table_close(history, NoLock);
}

}  // namespace leadscore::pg
