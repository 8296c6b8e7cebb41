#include "pg/scoring/score_promotion.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <unordered_set>
#include <vector>

#include "pg/scoring/model_cache.hpp"
#include "pg/lifecycle/row_stage.hpp"
#include "pg/stage/stage_datum.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "utils/builtins.h"
}

#include "core/scoring/score_promotion.hpp"

namespace core = leadscore::core;

namespace leadscore::pg {

namespace {

// INSERTs promoted in this transaction whose AFTER INSERT has not run yet,
// as "relation OID/lead key" (an upsert that does not insert leaves its note
// until the transaction or subtransaction ends). A bulk INSERT queues one
// note per promoted row before its AFTER triggers run: hashed.
std::unordered_multiset<std::string> promoted_inserts;

std::string note_key(Oid relation, const char* lead_key) {
    return std::to_string(relation) + "/" + lead_key;
}

void forget_promoted_inserts(XactEvent event, void*) {
    if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
        event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT) {
        promoted_inserts.clear();
    }
}

// A rolled-back savepoint takes its inserts with it; no AFTER trigger of an
// earlier statement is still pending at that point.
void forget_on_rollback_to_savepoint(SubXactEvent event, SubTransactionId, SubTransactionId,
                                     void*) {
    if (event == SUBXACT_EVENT_ABORT_SUB) {
        promoted_inserts.clear();
    }
}

std::optional<double> score_of(const ScoreColumn& column, HeapTuple row, TupleDesc descriptor) {
    if (column.attnum == 0) {
        return std::nullopt;
    }
    bool is_null;
    const Datum value = heap_getattr(row, column.attnum, descriptor, &is_null);
    if (is_null) {
        return std::nullopt;
    }
    double points;
    switch (column.type) {
        case INT2OID:
            points = DatumGetInt16(value);
            break;
        case INT4OID:
            points = DatumGetInt32(value);
            break;
        case INT8OID:
            points = static_cast<double>(DatumGetInt64(value));
            break;
        case FLOAT4OID:
            points = DatumGetFloat4(value);
            break;
        case FLOAT8OID:
            points = DatumGetFloat8(value);
            break;
        default:  // numeric
            points = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, value));
            break;
    }
    return std::isnan(points) ? std::nullopt : std::optional<double>(points);
}

core::ScoreReading scores_of(const CompiledAttachment& attachment, HeapTuple row,
                             TupleDesc descriptor) {
    core::ScoreReading scores;
    scores.score = score_of(attachment.score, row, descriptor);
    scores.fit = score_of(attachment.fit, row, descriptor);
    scores.engagement = score_of(attachment.engagement, row, descriptor);
    if (!scores.score && attachment.score.attnum == 0 && scores.fit && scores.engagement) {
        scores.score = *scores.fit + *scores.engagement;
    }
    return scores;
}

Datum stage_value(const CompiledAttachment& attachment, core::Stage stage) {
    switch (attachment.config.stage_kind) {
        case core::ColumnKind::LifecycleStage:
            return stage_datum(stage);
        case core::ColumnKind::Enum:
            for (const EnumStage& known : attachment.enum_stages) {
                if (known.stage == stage) {
                    return ObjectIdGetDatum(known.value);
                }
            }
            // attach refuses ENUM types without a value for mql and sql_stage
            elog(ERROR, "leadscore: no value of the stage column's type for stage %s",
                 core::stage_label(stage).data());
        default:
            return CStringGetTextDatum(attachment.written_labels[core::stage_code(stage)].c_str());
    }
}

}  // namespace

HeapTuple promote_by_score(const CompiledAttachment& attachment, TriggerData* data,
                           FmgrInfo* flinfo, HeapTuple new_row) {
    const TupleDesc descriptor = RelationGetDescr(data->tg_relation);
    const RowStage row = read_stage(attachment, new_row, descriptor);
    if (!row.is_null && !row.resolved) {
        return new_row;  // not a stage: the trigger refuses it
    }
    const std::optional<core::Stage> current = stage_or_nothing(row);
    const core::ScoreReading after = scores_of(attachment, new_row, descriptor);
    const core::ScoreReading before = TRIGGER_FIRED_BY_INSERT(data->tg_event)
                                          ? core::ScoreReading{}
                                          : scores_of(attachment, data->tg_trigtuple, descriptor);
    const LoadedModel& model = current_model(flinfo, *attachment.config.model);
    const std::optional<core::Stage> target =
        core::promoted_stage(model.model, attachment.config.sql_stage, current, before, after);
    if (!target) {
        return new_row;
    }
    int column = attachment.stage_column;
    Datum value = value_for_column(attachment, descriptor, attachment.stage_column,
                                   stage_value(attachment, *target), false);
    bool is_null = false;
    return heap_modify_tuple_by_cols(new_row, descriptor, 1, &column, &value, &is_null);
}

void note_promoted_insert(Oid relation, const char* lead_key) {
    promoted_inserts.insert(note_key(relation, lead_key));
}

bool take_promoted_insert(Oid relation, const char* lead_key) {
    const auto found = promoted_inserts.find(note_key(relation, lead_key));
    if (found == promoted_inserts.end()) {
        return false;
    }
    promoted_inserts.erase(found);
    return true;
}

bool any_promoted_insert() {
    return !promoted_inserts.empty();
}

void register_score_promotion_callbacks() {
    RegisterXactCallback(forget_promoted_inserts, nullptr);
    RegisterSubXactCallback(forget_on_rollback_to_savepoint, nullptr);
}

}  // namespace leadscore::pg
