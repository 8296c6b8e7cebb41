#include "pg/scoring/fit_on_write.hpp"

#include <optional>

#include "pg/scoring/model_cache.hpp"
#include "pg/scoring/row_attributes.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
}

#include "core/scoring/engagement.hpp"
#include "core/common/error.hpp"
#include "core/scoring/fit_on_write.hpp"

namespace core = leadscore::core;

namespace leadscore::pg {

namespace {

bool present(const ScoreColumn& column, HeapTuple row, TupleDesc descriptor) {
    bool is_null = true;
    if (column.attnum != 0) {
        heap_getattr(row, column.attnum, descriptor, &is_null);
    }
    return !is_null;
}

// A score column's value as numeric, exactly (as rescore's SQL reads it);
// 0 for NULL.
Datum numeric_of(const ScoreColumn& column, HeapTuple row, TupleDesc descriptor) {
    bool is_null;
    const Datum value = heap_getattr(row, column.attnum, descriptor, &is_null);
    if (is_null) {
        return NumericGetDatum(int64_to_numeric(0));
    }
    return OidIsValid(column.to_numeric) ? OidFunctionCall1(column.to_numeric, value) : value;
}

Datum points(core::Centipoints value) {
    return NumericGetDatum(int64_div_fast_to_numeric(value, 2));
}

Datum add(Datum a, Datum b) {
    return DirectFunctionCall2(numeric_add, a, b);
}

// The fit the stored total was built on, as numeric: the fit column's,
// else the old row's attributes' (nothing when they cannot be read: an
// UPDATE that puts a bad attribute right must not fail on the old value).
std::optional<Datum> fit_before(const CompiledAttachment& attachment,
                                const core::ScoringModel& model, HeapTuple old_row,
                                TupleDesc descriptor) {
    if (present(attachment.fit, old_row, descriptor)) {
        return numeric_of(attachment.fit, old_row, descriptor);
    }
    const core::Attribute* attributes = row_attributes(attachment, model.fit, old_row, descriptor);
    std::int64_t fit;
    try {
        fit = core::fit_score(model, attributes);
    } catch (const core::Error&) {
        return std::nullopt;
    }
    return NumericGetDatum(int64_to_numeric(fit));
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
    HeapTuple old_row = data->tg_trigtuple;
    if (!is_insert && !fit_attributes_changed(attachment, old_row, new_row, descriptor)) {
        return new_row;
    }
    const core::ScoringModel& model = current_model(flinfo, *attachment.config.model).model;
    const std::int64_t fit =
        core::fit_score(model, row_attributes(attachment, model.fit, new_row, descriptor));
    const Datum fit_points = NumericGetDatum(int64_to_numeric(fit));

    const core::EngagementSource source = attachment.has_events ? core::EngagementSource::Events
                                          : attachment.engagement.attnum != 0
                                              ? core::EngagementSource::Column
                                              : core::EngagementSource::None;
    const core::FitRow row{attachment.score.attnum != 0, attachment.engagement.attnum != 0,
                           present(attachment.score, new_row, descriptor),
                           present(attachment.engagement, new_row, descriptor)};
    core::FitWritePlan plan;
    std::optional<Datum> old_fit;
    if (is_insert) {
        plan = core::plan_fit_on_insert(source, row);
    } else if (row.has_score_column &&
               !stored_value_changed(descriptor, attachment.score.attnum, old_row, new_row)) {
        // (a total the statement set itself stands)
        old_fit = fit_before(attachment, model, old_row, descriptor);
        plan = core::plan_fit_on_update(source, row, old_fit.has_value());
    }

    int columns[3];
    Datum values[3];
    bool nulls[3] = {false, false, false};
    int count = 0;
    const auto write = [&](const ScoreColumn& column, Datum number) {
        columns[count] = column.attnum;
        values[count] = value_for_column(attachment, descriptor, column.attnum, number, false);
        ++count;
    };
    if (attachment.fit.attnum != 0) {
        write(attachment.fit, fit_points);
    }
    std::optional<Datum> quiet;  // the no-activity engagement, computed once
    const auto no_activity_points = [&] {
        if (!quiet) {
            quiet = points(no_activity(model.engagement, GetCurrentTransactionStartTimestamp()));
        }
        return *quiet;
    };
    switch (plan.total) {
        case core::TotalRule::Keep:
            break;
        case core::TotalRule::FitPlusEngagement:
            // (numeric_of counts a NULL engagement 0, as rescore does)
            write(attachment.score,
                  add(fit_points, numeric_of(attachment.engagement, new_row, descriptor)));
            break;
        case core::TotalRule::FitPlusNoActivity:
            write(attachment.score, add(fit_points, no_activity_points()));
            break;
        case core::TotalRule::MoveByFitChange:
            write(attachment.score, add(numeric_of(attachment.score, old_row, descriptor),
                                        DirectFunctionCall2(numeric_sub, fit_points, *old_fit)));
            break;
    }
    if (plan.engagement_no_activity) {
        write(attachment.engagement, no_activity_points());
    }
    return count == 0
               ? new_row
               : heap_modify_tuple_by_cols(new_row, descriptor, count, columns, values, nulls);
}

}  // namespace leadscore::pg
