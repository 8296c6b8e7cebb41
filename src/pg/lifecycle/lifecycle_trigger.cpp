// leadscore.lifecycle_trigger(): the row trigger leadscore.attach puts on a
// CRM table. BEFORE INSERT/UPDATE it validates the stage change and fills
// first-reach stamps. The history row and the handoff notification are
// written where the change is certain to happen: BEFORE UPDATE (the row is
// already locked, and this trigger fires last), and AFTER INSERT (a BEFORE
// INSERT trigger also fires for rows an upsert then does not insert). No
// AFTER UPDATE trigger: its mere presence costs every UPDATE of the table.
#include "pg/lifecycle/attachment_cache.hpp"
#include "pg/scoring/fit_on_write.hpp"
#include "pg/common/guard.hpp"
#include "pg/lifecycle/row_stage.hpp"
#include "pg/scoring/score_promotion.hpp"
#include "pg/common/settings.hpp"
#include "pg/sla/sla_stage_change.hpp"
#include "pg/lifecycle/stage_history.hpp"
#include "pg/common/trigger_call.hpp"

extern "C" {
#include "access/htup_details.h"
#include "commands/async.h"
#include "miscadmin.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/timestamp.h"
#include "utils/syscache.h"
#include "catalog/pg_enum.h"
}

#include "core/lifecycle/handoff.hpp"
#include "core/scoring/score_promotion.hpp"
#include "core/lifecycle/stage_change.hpp"

namespace core = leadscore::core;
namespace pg = leadscore::pg;
using pg::enum_label;
using pg::lead_key;
using pg::read_stage;
using pg::RowStage;
using pg::stage_or_nothing;

namespace {

// The reason for a change: the reason column for moves into recycled or
// disqualified, otherwise (or when it is empty) SET LOCAL leadscore.reason.
std::string_view change_reason(const pg::CompiledAttachment& attachment, HeapTuple tuple,
                               TupleDesc descriptor, const RowStage& to) {
    if (attachment.reason_column != 0 && !to.is_null && to.resolved &&
        !core::is_funnel_stage(to.stage)) {
        bool is_null;
        const Datum value = heap_getattr(tuple, attachment.reason_column, descriptor, &is_null);
        if (!is_null) {
            const char* raw = attachment.reason_kind == core::ColumnKind::Enum
                                  ? enum_label(DatumGetObjectId(value))
                                  : TextDatumGetCString(value);
            const std::string_view reason = core::trim_blanks(raw);
            if (!reason.empty()) {
                return reason;
            }
        }
    }
    return core::trim_blanks(pg::reason_setting());
}

struct Judged {
    RowStage from;
    RowStage to;
    core::ChangeVerdict verdict;
};

// Judges the change from the OLD row (none on INSERT) to `new_row`.
// `promoted`: the scores moved the stage, so the reason is score_threshold.
Judged judge(const pg::CompiledAttachment& attachment, TriggerData* data, HeapTuple new_row,
             bool promoted) {
    const bool is_insert = TRIGGER_FIRED_BY_INSERT(data->tg_event);
    const TupleDesc descriptor = RelationGetDescr(data->tg_relation);
    Judged judged;
    judged.to = read_stage(attachment, new_row, descriptor);
    if (!judged.to.is_null && !judged.to.resolved) {
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
                 errmsg("%s lead %s: stage \"%s\" is not a lifecycle stage",
                        attachment.attached_table_name.c_str(),
                        lead_key(attachment, new_row, descriptor), judged.to.label),
                 errhint("Write one of disqualified, recycled, visitor, lead, mql, pql, sal, sql, "
                         "opportunity, customer (or an alias), or map the CRM's label to a stage "
                         "in the attachment's \"labels\" and attach %s again.",
                         attachment.attached_table_name.c_str())));
    }
    if (!is_insert) {
        judged.from = read_stage(attachment, data->tg_trigtuple, descriptor);
    }
    core::StageChange change;
    // An old value that is not a stage (data from before the attach) counts
    // as no stage, so that correcting it is a first assignment.
    change.from = stage_or_nothing(judged.from);
    change.to = stage_or_nothing(judged.to);
    change.is_insert = is_insert;
    change.reason = promoted ? std::string_view(core::kScoreThresholdReason)
                             : change_reason(attachment, new_row, descriptor, judged.to);
    judged.verdict = core::judge_change(attachment.config, change);
    return judged;
}

void notify_handoff(const pg::CompiledAttachment& attachment, const char* key,
                    const std::optional<core::Stage>& from, core::Stage to) {
    char at[MAXDATELEN + 1];
    JsonEncodeDateTime(at, TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()),
                       TIMESTAMPTZOID, nullptr);
    char payload[core::kNotifyPayloadCapacity];
    core::Handoff handoff;
    handoff.table = attachment.attached_table_name;
    handoff.key = key;
    handoff.from = from;
    handoff.to = to;
    handoff.at = at;
    core::format_handoff(handoff, payload, sizeof payload);
    Async_Notify(attachment.config.notify_channel->c_str(), payload);
}

// Writes the history row and, on entering mql or sql, the notification;
// with SLA policies, closes and starts the lead's clocks and returns the
// earliest due time started.
std::optional<TimestampTz> record_change(const pg::CompiledAttachment& attachment,
                                         TriggerData* data, const Judged& judged,
                                         HeapTuple new_row) {
    const TupleDesc descriptor = RelationGetDescr(data->tg_relation);
    const char* key = lead_key(attachment, new_row, descriptor);
    const std::optional<core::Stage> from = stage_or_nothing(judged.from);
    const std::optional<core::Stage> to = stage_or_nothing(judged.to);

    pg::HistoryRow row;
    row.target = attachment.attached_table;
    row.lead_key = key;
    row.from = from;
    row.to = to;
    row.changed_by = GetUserNameFromId(GetUserId(), false);
    row.reason = judged.verdict.reason.empty()
                     ? nullptr
                     : pnstrdup(judged.verdict.reason.data(), judged.verdict.reason.size());
    row.violation = judged.verdict.violation;
    row.violation_detail = judged.verdict.violation ? judged.verdict.why : nullptr;
    row.crm_label = judged.to.label;
    pg::insert_history(row);

    if (to && core::is_handoff_stage(*to) && attachment.config.notify_channel) {
        notify_handoff(attachment, key, from, *to);
    }
    if (!attachment.config.sla) {
        return std::nullopt;
    }
    return pg::sla_stage_changed(attachment, data, key, from, to, new_row);
}

// PostgreSQL moves a row between partitions as a DELETE and an INSERT, and
// the INSERT's triggers cannot tell. So on a partition, an INSERT whose lead's
// history already ends at this stage (a move, or a re-insert of the same key)
// is no change to record.
bool already_recorded(const pg::CompiledAttachment& attachment, TriggerData* data,
                      const Judged& judged) {
    if (!data->tg_relation->rd_rel->relispartition || judged.to.is_null || !judged.to.resolved) {
        return false;
    }
    const char* key = lead_key(attachment, data->tg_trigtuple, RelationGetDescr(data->tg_relation));
    const std::optional<core::Stage> last = pg::last_recorded_stage(attachment.attached_table, key);
    return last && *last == judged.to.stage;
}

Datum after_insert(const pg::CompiledAttachment& attachment, TriggerData* data) {
    const bool promoted = pg::any_promoted_insert() &&
                          pg::take_promoted_insert(RelationGetRelid(data->tg_relation),
                                                   lead_key(attachment, data->tg_trigtuple,
                                                            RelationGetDescr(data->tg_relation)));
    const Judged judged = judge(attachment, data, data->tg_trigtuple, promoted);
    if (judged.verdict.changed && !already_recorded(attachment, data, judged)) {
        record_change(attachment, data, judged, data->tg_trigtuple);
    }
    return PointerGetDatum(nullptr);
}

Datum before_row(const pg::CompiledAttachment& attachment, TriggerData* data, FmgrInfo* flinfo) {
    const bool is_insert = TRIGGER_FIRED_BY_INSERT(data->tg_event);
    HeapTuple new_row = is_insert ? data->tg_trigtuple : data->tg_newtuple;
    const TupleDesc descriptor = RelationGetDescr(data->tg_relation);
    bool promoted = false;
    if (attachment.config.model) {
        if (attachment.fit_on_write) {
            new_row = pg::with_fit(attachment, data, flinfo, new_row);
        }
        HeapTuple scored = pg::promote_by_score(attachment, data, flinfo, new_row);
        promoted = scored != new_row;
        new_row = scored;
    }
    const Judged judged = judge(attachment, data, new_row, promoted);
    const core::ChangeVerdict& verdict = judged.verdict;
    if (!verdict.changed) {
        return PointerGetDatum(new_row);
    }
    if (promoted && is_insert) {
        pg::note_promoted_insert(RelationGetRelid(data->tg_relation),
                                 lead_key(attachment, new_row, descriptor));
    }
    if (verdict.violation && attachment.config.mode == core::AttachMode::Enforce) {
        const std::optional<core::Stage> from = stage_or_nothing(judged.from);
        ereport(ERROR,
                (errcode(ERRCODE_CHECK_VIOLATION),
                 errmsg("%s lead %s: stage change from %s to %s refused: %s",
                        attachment.attached_table_name.c_str(),
                        lead_key(attachment, new_row, descriptor),
                        from ? core::stage_label(*from).data() : "NULL",
                        judged.to.is_null ? "NULL" : core::stage_label(judged.to.stage).data(),
                        verdict.why),
                 errhint("Backward moves go into recycled or disqualified with a reason (the "
                         "reason column, or SET LOCAL leadscore.reason = 'no_budget'); attach "
                         "with \"mode\": \"audit\" to let such changes through and record them.")));
    }
    int columns[core::kStageCount];
    Datum values[core::kStageCount];
    bool nulls[core::kStageCount];
    int count = 0;
    const Datum now = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
    for (core::Stage stage : core::kAllStages) {
        const AttrNumber column = attachment.stamp_columns[core::stage_code(stage)];
        if (column == 0 || !verdict.stamp[core::stage_code(stage)]) {
            continue;
        }
        bool is_null;
        heap_getattr(new_row, column, descriptor, &is_null);
        if (is_null) {  // a stamp is never overwritten, nor a value the CRM supplied
            columns[count] = column;
            values[count] = pg::value_for_column(attachment, descriptor, column, now, false);
            nulls[count] = false;
            ++count;
        }
    }
    HeapTuple result =
        count == 0 ? new_row
                   : heap_modify_tuple_by_cols(new_row, descriptor, count, columns, values, nulls);
    if (!is_insert) {
        const std::optional<TimestampTz> due = record_change(attachment, data, judged, result);
        if (attachment.config.sla) {
            result = pg::with_sla_columns(attachment, data->tg_relation, result, due, false);
        }
    }
    return PointerGetDatum(result);
}

}  // namespace

LEADSCORE_FUNCTION(lifecycle_trigger) {
    TriggerData* data = pg::trigger_call(
        fcinfo, "leadscore.lifecycle_trigger()",
        [](TriggerEvent event) {
            return TRIGGER_FIRED_FOR_ROW(event) &&
                   (TRIGGER_FIRED_BY_INSERT(event) ||
                    (TRIGGER_FIRED_BEFORE(event) && TRIGGER_FIRED_BY_UPDATE(event)));
        },
        "FOR EACH ROW, BEFORE INSERT or UPDATE or AFTER INSERT",
        "Use leadscore.attach(table, config) to attach it.");
    const pg::CompiledAttachment& attachment = pg::compiled_attachment(data);
    return TRIGGER_FIRED_BEFORE(data->tg_event) ? before_row(attachment, data, fcinfo->flinfo)
                                                : after_insert(attachment, data);
}
