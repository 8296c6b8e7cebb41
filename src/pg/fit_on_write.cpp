#include "fit_on_write.hpp"

#include <cmath>

#include "model_cache.hpp"
#include "row_attributes.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/numeric.h"
}

#include "core/engagement.hpp"
#include "core/error.hpp"
#include "core/fit_on_write.hpp"

namespace core = leadscore::core;

namespace leadscore::pg {

namespace {

// A score column of the row in hundredths of a point: a numeric rounded
// exactly (half away from zero, as rescore rounds), an integer as it is, a
// float rounded; not usable when NaN, infinite or beyond 10^15 points.
core::StoredScore stored_score(const ScoreColumn& column, HeapTuple row, TupleDesc descriptor) {
    core::StoredScore stored;
    if (column.attnum == 0) {
        return stored;
    }
    bool is_null;
    const Datum value = heap_getattr(row, column.attnum, descriptor, &is_null);
    stored.present = !is_null;
    if (is_null) {
        return stored;
    }
    double points;
    switch (column.type) {
        case INT2OID:
            return {true, DatumGetInt16(value) * core::Centipoints{100}};
        case INT4OID:
            return {true, DatumGetInt32(value) * core::Centipoints{100}};
        case INT8OID:
            points = static_cast<double>(DatumGetInt64(value));
            break;
        case FLOAT4OID:
            points = DatumGetFloat4(value);
            break;
        case FLOAT8OID:
            points = DatumGetFloat8(value);
            break;
        default: {  // numeric
            points = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, value));
            if (!std::isfinite(points) || std::fabs(points) > 1e15) {
                return stored;
            }
            const Datum hundredfold =
                DirectFunctionCall2(numeric_mul, value, NumericGetDatum(int64_to_numeric(100)));
            return {true, DatumGetInt64(DirectFunctionCall1(
                              numeric_int8,
                              DirectFunctionCall2(numeric_round, hundredfold, Int32GetDatum(0))))};
        }
    }
    if (!std::isfinite(points) || std::fabs(points) > 1e15) {
        return stored;
    }
    stored.value = static_cast<core::Centipoints>(std::llround(points * 100));
    return stored;
}

// Hundredths of a point as the column's type stores them (cast from
// numeric as rescore's UPDATE casts: an integer column rounds).
Datum column_number(const CompiledAttachment& attachment, TupleDesc descriptor,
                    const ScoreColumn& column, core::Centipoints value) {
    return value_for_column(attachment, descriptor, column.attnum,
                            NumericGetDatum(int64_div_fast_to_numeric(value, 2)), false);
}

// Whether the UPDATE set the column itself (to another value, as stored).
bool statement_set(const ScoreColumn& column, HeapTuple old_row, HeapTuple new_row,
                   TupleDesc descriptor) {
    bool old_null;
    bool new_null;
    const Datum old_value = heap_getattr(old_row, column.attnum, descriptor, &old_null);
    const Datum new_value = heap_getattr(new_row, column.attnum, descriptor, &new_null);
    if (old_null || new_null) {
        return old_null != new_null;
    }
    const Form_pg_attribute attribute = TupleDescAttr(descriptor, column.attnum - 1);
    return !datumIsEqual(old_value, new_value, attribute->attbyval, attribute->attlen);
}

// The fit the stored total was built on: the fit column's, else the old
// row's attributes' (nothing when they cannot be read: an UPDATE that puts
// a bad attribute right must not fail on the old value).
std::optional<std::int64_t> fit_before(const CompiledAttachment& attachment,
                                       const core::ScoringModel& model, HeapTuple old_row,
                                       TupleDesc descriptor) {
    const core::StoredScore stored = stored_score(attachment.fit, old_row, descriptor);
    if (stored.value) {
        return *stored.value / 100;
    }
    const core::Attribute* attributes = row_attributes(attachment, model.fit, old_row, descriptor);
    try {
        return core::fit_score(model, attributes);
    } catch (const core::Error&) {
        return std::nullopt;
    }
}

// What a lead without any activity scores for engagement at `as_of`.
core::Centipoints no_activity(const core::EngagementModel& model, TimestampTz as_of) {
    void* block = palloc0(core::engagement_state_size(model));
    core::init_engagement_state(block, model, as_of);
    return core::engagement_score(model, block);
}

}  // namespace

HeapTuple with_fit(const CompiledAttachment& attachment, TriggerData* data, FmgrInfo* flinfo,
                   HeapTuple new_row) {
    const TupleDesc descriptor = RelationGetDescr(data->tg_relation);
    const bool is_insert = TRIGGER_FIRED_BY_INSERT(data->tg_event);
    if (!is_insert &&
        !fit_attributes_changed(attachment, data->tg_trigtuple, new_row, descriptor)) {
        return new_row;
    }
    const core::ScoringModel& model = current_model(flinfo, *attachment.config.model).model;
    const std::int64_t fit =
        core::fit_score(model, row_attributes(attachment, model.fit, new_row, descriptor));

    int columns[3];
    Datum values[3];
    bool nulls[3] = {false, false, false};
    int count = 0;
    const auto write = [&](const ScoreColumn& column, core::Centipoints value) {
        columns[count] = column.attnum;
        values[count] = column_number(attachment, descriptor, column, value);
        ++count;
    };
    if (attachment.fit.attnum != 0) {
        write(attachment.fit, fit * 100);
    }
    if (is_insert) {
        const core::EngagementSource source = attachment.has_events ? core::EngagementSource::Events
                                              : attachment.engagement.attnum != 0
                                                  ? core::EngagementSource::Column
                                                  : core::EngagementSource::None;
        const core::FitWrite written = core::fit_on_insert(
            fit, stored_score(attachment.score, new_row, descriptor),
            stored_score(attachment.engagement, new_row, descriptor),
            no_activity(model.engagement, GetCurrentTransactionStartTimestamp()), source,
            attachment.score.attnum != 0, attachment.engagement.attnum != 0);
        if (written.score) {
            write(attachment.score, *written.score);
        }
        if (written.engagement) {
            write(attachment.engagement, *written.engagement);
        }
    } else if (attachment.score.attnum != 0 &&
               !statement_set(attachment.score, data->tg_trigtuple, new_row, descriptor)) {
        const core::StoredScore old_score =
            stored_score(attachment.score, data->tg_trigtuple, descriptor);
        const std::optional<core::Centipoints> total = core::total_after_fit_change(
            old_score.value ? fit_before(attachment, model, data->tg_trigtuple, descriptor)
                            : std::nullopt,
            fit, old_score.value, old_score.value);
        if (total) {
            write(attachment.score, *total);
        }
    }
    return count == 0
               ? new_row
               : heap_modify_tuple_by_cols(new_row, descriptor, count, columns, values, nulls);
}

}  // namespace leadscore::pg
