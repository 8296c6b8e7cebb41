// The aggregates leadscore.score_auc, leadscore.recommend_threshold and
// leadscore.threshold_curve: outcome counts per distinct score in a hash
// table in the aggregate's memory,
// combined and serialised for parallel plans.
#include "pg/common/composite_array.hpp"
#include "pg/common/aggregate_context.hpp"
#include "pg/common/guard.hpp"

#include <cmath>
#include <vector>

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type_d.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/typcache.h"
}

#include "core/analytics/calibration.hpp"

namespace core = leadscore::core;

namespace {

struct CalibrationState {
    double target_rate;       // recommend_threshold only; 0 otherwise
    std::size_t size;         // distinct scores
    std::size_t capacity;     // slots, a power of two, at most half full
    core::ScoreCount* slots;  // hash table in the aggregate's memory context
};

MemoryContext aggregate_context(FunctionCallInfo fcinfo) {
    return leadscore::pg::aggregate_context(
        fcinfo, "leadscore.score_auc, leadscore.recommend_threshold or leadscore.threshold_curve");
}

core::ScoreCount* new_slots(MemoryContext context, std::size_t capacity) {
    return static_cast<core::ScoreCount*>(MemoryContextAllocExtended(
        context, capacity * sizeof(core::ScoreCount), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO));
}

CalibrationState* new_state(MemoryContext context, std::size_t distinct, double target_rate) {
    auto* state =
        static_cast<CalibrationState*>(MemoryContextAllocZero(context, sizeof(CalibrationState)));
    state->capacity = 64;
    while (state->capacity < distinct * 2) {
        state->capacity *= 2;
    }
    state->slots = new_slots(context, state->capacity);
    state->target_rate = target_rate;
    return state;
}

void count(CalibrationState* state, const core::ScoreCount& entry) {
    if ((state->size + 1) * 2 > state->capacity) {
        MemoryContext context = GetMemoryChunkContext(state->slots);
        core::ScoreCount* old = state->slots;
        const std::size_t old_capacity = state->capacity;
        state->capacity *= 2;
        state->slots = new_slots(context, state->capacity);
        for (std::size_t i = 0; i < old_capacity; ++i) {
            if (old[i].leads != 0) {
                core::count_score(state->slots, state->capacity, old[i].score, old[i].leads,
                                  old[i].converted);
            }
        }
        pfree(old);
    }
    if (core::count_score(state->slots, state->capacity, entry.score, entry.leads,
                          entry.converted)) {
        ++state->size;
    }
}

// The distinct scores with their counts, sorted (a palloc'd copy: the state
// stays a hash table, so final functions do not change it).
core::ScoreCount* sorted_counts(const CalibrationState* state) {
    auto* counts = static_cast<core::ScoreCount*>(
        palloc_extended(sizeof(core::ScoreCount) * (state->size + 1), MCXT_ALLOC_HUGE));
    std::size_t filled = 0;
    for (std::size_t i = 0; i < state->capacity; ++i) {
        if (state->slots[i].leads != 0) {
            counts[filled++] = state->slots[i];
        }
    }
    core::compact_score_counts(counts, filled);
    return counts;
}

double target_rate_arg(FunctionCallInfo fcinfo, int n) {
    if (PG_ARGISNULL(n)) {
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("recommend_threshold needs a target conversion rate, got NULL"),
                        errhint("Seed 000: 0.25, the score above which 25%% of leads convert.")));
    }
    const double rate = PG_GETARG_FLOAT8(n);
    if (!(rate > 0 && rate <= 1)) {
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("recommend_threshold needs a target rate in (0, 1], got %g", rate),
                        errhint("A rate is a share: 0.25 for 25%%.")));
    }
    return rate;
}

Datum add_row(FunctionCallInfo fcinfo, double score) {
    MemoryContext context = aggregate_context(fcinfo);
    auto* state =
        PG_ARGISNULL(0) ? nullptr : reinterpret_cast<CalibrationState*>(PG_GETARG_POINTER(0));
    const double target = PG_NARGS() == 4 ? target_rate_arg(fcinfo, 3) : 0;
    if (state == nullptr) {
        state = new_state(context, 0, target);
    } else if (target != state->target_rate) {
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("recommend_threshold needs the same target rate for every row of "
                               "a group"),
                        errhint("Pass a constant, e.g. 0.25.")));
    }
    if (std::isnan(score)) {
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("a score to calibrate is NaN"),
                 errhint("Filter the rows, or give them a real score.")));
    }
    count(state, {score, 1, PG_GETARG_BOOL(2) ? 1U : 0U});
    PG_RETURN_POINTER(state);
}

bool row_ignored(FunctionCallInfo fcinfo) {
    return PG_ARGISNULL(1) || PG_ARGISNULL(2);
}

Datum float8_numeric_datum(double value) {
    return DirectFunctionCall1(float8_numeric, Float8GetDatum(value));
}

}  // namespace

// (state, score float8, converted) and, for recommend_threshold's numeric
// score, (state, score numeric, converted[, target_rate]).
LEADSCORE_FUNCTION(calibration_transition_float8) {
    if (row_ignored(fcinfo)) {
        if (PG_ARGISNULL(0)) {
            PG_RETURN_POINTER(new_state(aggregate_context(fcinfo), 0, 0));
        }
        PG_RETURN_POINTER(PG_GETARG_POINTER(0));
    }
    return add_row(fcinfo, PG_GETARG_FLOAT8(1));
}

LEADSCORE_FUNCTION(calibration_transition_numeric) {
    if (row_ignored(fcinfo)) {
        if (PG_ARGISNULL(0)) {
            const double target = PG_NARGS() == 4 ? target_rate_arg(fcinfo, 3) : 0;
            PG_RETURN_POINTER(new_state(aggregate_context(fcinfo), 0, target));
        }
        PG_RETURN_POINTER(PG_GETARG_POINTER(0));
    }
    const double score =
        DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, PG_GETARG_DATUM(1)));
    return add_row(fcinfo, score);
}

LEADSCORE_FUNCTION(calibration_combine) {
    MemoryContext context = aggregate_context(fcinfo);
    auto* into =
        PG_ARGISNULL(0) ? nullptr : reinterpret_cast<CalibrationState*>(PG_GETARG_POINTER(0));
    auto* from =
        PG_ARGISNULL(1) ? nullptr : reinterpret_cast<CalibrationState*>(PG_GETARG_POINTER(1));
    if (from == nullptr) {
        PG_RETURN_POINTER(into);
    }
    if (into == nullptr) {
        into = new_state(context, from->size, from->target_rate);
    }
    for (std::size_t i = 0; i < from->capacity; ++i) {
        if (from->slots[i].leads != 0) {
            count(into, from->slots[i]);
        }
    }
    PG_RETURN_POINTER(into);
}

LEADSCORE_FUNCTION(calibration_serialize) {
    const auto* state = reinterpret_cast<CalibrationState*>(PG_GETARG_POINTER(0));
    const std::size_t size = core::serialized_score_counts_size(state->size) + sizeof(double);
    bytea* bytes = static_cast<bytea*>(palloc(VARHDRSZ + size));
    SET_VARSIZE(bytes, VARHDRSZ + size);
    // The target rate travels after the counts.
    core::serialize_score_counts(sorted_counts(state), state->size, VARDATA(bytes));
    memcpy(VARDATA(bytes) + size - sizeof(double), &state->target_rate, sizeof(double));
    PG_RETURN_BYTEA_P(bytes);
}

namespace {

CalibrationState* state_from_bytes(const bytea* bytes) {
    const char* data = VARDATA_ANY(bytes);
    const std::size_t length = VARSIZE_ANY_EXHDR(bytes);
    if (length < sizeof(double)) {
        core::read_serialized_score_counts(data, length);  // refuses it
    }
    const std::size_t entries = core::read_serialized_score_counts(data, length - sizeof(double));
    double target;
    memcpy(&target, data + length - sizeof(double), sizeof(double));
    if (!(target == 0 || (target > 0 && target <= 1))) {
        ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
                        errmsg("invalid score calibration state: target rate %g", target),
                        errhint("States come from leadscore's own serialisation function; do not "
                                "build them by hand.")));
    }
    CalibrationState* state = new_state(CurrentMemoryContext, entries, target);
    for (std::size_t i = 0; i < entries; ++i) {
        count(state, core::serialized_score_count(data, i));
    }
    return state;
}

}  // namespace

LEADSCORE_FUNCTION(calibration_deserialize) {
    PG_RETURN_POINTER(state_from_bytes(PG_GETARG_BYTEA_PP(0)));
}

LEADSCORE_FUNCTION(score_auc_final) {
    const auto* state =
        PG_ARGISNULL(0) ? nullptr : reinterpret_cast<CalibrationState*>(PG_GETARG_POINTER(0));
    const std::optional<double> auc =
        state == nullptr ? std::nullopt : core::score_auc(sorted_counts(state), state->size);
    if (!auc) {
        PG_RETURN_NULL();
    }
    PG_RETURN_FLOAT8(*auc);
}

LEADSCORE_FUNCTION(recommend_threshold_final) {
    const auto* state =
        PG_ARGISNULL(0) ? nullptr : reinterpret_cast<CalibrationState*>(PG_GETARG_POINTER(0));
    const std::optional<double> threshold =
        state == nullptr
            ? std::nullopt
            : core::recommend_threshold(sorted_counts(state), state->size, state->target_rate);
    if (!threshold) {
        PG_RETURN_NULL();
    }
    return float8_numeric_datum(*threshold);
}

// threshold_point[]: one (threshold, leads, converted, conversion_rate,
// share_of_conversions) per distinct score.
LEADSCORE_FUNCTION(threshold_curve_final) {
    const auto* state =
        PG_ARGISNULL(0) ? nullptr : reinterpret_cast<CalibrationState*>(PG_GETARG_POINTER(0));
    const std::size_t size = state == nullptr ? 0 : state->size;
    const core::ScoreCount* counts = state == nullptr ? nullptr : sorted_counts(state);
    core::ThresholdPoint* points =
        static_cast<core::ThresholdPoint*>(palloc(sizeof(core::ThresholdPoint) * (size + 1)));
    {
        const std::vector<core::ThresholdPoint> curve =
            size == 0 ? std::vector<core::ThresholdPoint>() : core::threshold_curve(counts, size);
        std::copy(curve.begin(), curve.end(), points);
    }
    const leadscore::pg::CompositeArrayBuilder builder(fcinfo);
    Datum* elements = static_cast<Datum*>(palloc(sizeof(Datum) * (size + 1)));
    for (std::size_t i = 0; i < size; ++i) {
        Datum values[5] = {float8_numeric_datum(points[i].threshold),
                           Int64GetDatum(static_cast<int64>(points[i].leads)),
                           Int64GetDatum(static_cast<int64>(points[i].converted)),
                           Float8GetDatum(points[i].conversion_rate),
                           Float8GetDatum(points[i].share_of_conversions)};
        bool nulls[5] = {false, false, false, false, false};
        elements[i] = builder.element(values, nulls);
    }
    return builder.array(elements, static_cast<int>(size));
}

// leadscore._score_auc_of_state(bytea): a serialised state (from
// leadscore._calibration_state) checked as deserialisation checks it.
LEADSCORE_FUNCTION(score_auc_of_state) {
    const CalibrationState* state = state_from_bytes(PG_GETARG_BYTEA_PP(0));
    const std::optional<double> auc = core::score_auc(sorted_counts(state), state->size);
    if (!auc) {
        PG_RETURN_NULL();
    }
    PG_RETURN_FLOAT8(*auc);
}
