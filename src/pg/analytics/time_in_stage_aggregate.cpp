// The aggregate leadscore.time_in_stage over stage history rows: the rows
// are collected in the aggregate's memory and evaluated by the core.
#include "pg/common/composite_array.hpp"
#include "pg/common/aggregate_context.hpp"
#include "pg/common/guard.hpp"
#include "pg/stage/stage_datum.hpp"

#include <vector>

extern "C" {
#include "utils/timestamp.h"
}

#include "core/stage/stage.hpp"
#include "core/analytics/time_in_stage.hpp"

namespace core = leadscore::core;

namespace {

struct StageTimeState {
    TimestampTz as_of;
    std::size_t count;
    std::size_t capacity;
    core::StageEntry* entries;  // in the aggregate's memory context
};

MemoryContext aggregate_context(FunctionCallInfo fcinfo) {
    return leadscore::pg::aggregate_context(fcinfo, "leadscore.time_in_stage");
}

}  // namespace

// (state, stage, changed_at, as_of)
LEADSCORE_FUNCTION(time_in_stage_transition) {
    MemoryContext context = aggregate_context(fcinfo);
    auto* state =
        PG_ARGISNULL(0) ? nullptr : reinterpret_cast<StageTimeState*>(PG_GETARG_POINTER(0));
    if (PG_ARGISNULL(3) || TIMESTAMP_NOT_FINITE(PG_GETARG_TIMESTAMPTZ(3))) {
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("time_in_stage needs a finite as_of"),
                        errhint("Pass the time the current stage is measured up to, e.g. now().")));
    }
    const TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(3);
    if (state == nullptr) {
        state =
            static_cast<StageTimeState*>(MemoryContextAllocZero(context, sizeof(StageTimeState)));
        state->as_of = as_of;
        state->capacity = 16;
        state->entries = static_cast<core::StageEntry*>(
            MemoryContextAlloc(context, state->capacity * sizeof(core::StageEntry)));
    } else if (as_of != state->as_of) {
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("time_in_stage needs the same as_of for every row of a group"),
                        errhint("Pass one value, e.g. now().")));
    }
    // A row without a time (or at +/-infinity) says nothing about a stay.
    if (PG_ARGISNULL(2) || TIMESTAMP_NOT_FINITE(PG_GETARG_TIMESTAMPTZ(2))) {
        PG_RETURN_POINTER(state);
    }
    if (state->count == state->capacity) {
        if (state->count >= 100'000'000) {
            ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                            errmsg("time_in_stage holds at most 100000000 rows per group"),
                            errhint("Group by lead.")));
        }
        state->capacity *= 2;
        state->entries = static_cast<core::StageEntry*>(
            repalloc_huge(state->entries, state->capacity * sizeof(core::StageEntry)));
    }
    const int stage = PG_ARGISNULL(1)
                          ? -1
                          : static_cast<int>(core::stage_code(leadscore::pg::stage_arg(fcinfo, 1)));
    state->entries[state->count] = {PG_GETARG_TIMESTAMPTZ(2), stage, state->count};
    ++state->count;
    PG_RETURN_POINTER(state);
}

// stage_time[]: (stage, entries, latest, cumulative, current) per stage the
// lead was in, in stage order.
LEADSCORE_FUNCTION(time_in_stage_final) {
    const auto* state =
        PG_ARGISNULL(0) ? nullptr : reinterpret_cast<StageTimeState*>(PG_GETARG_POINTER(0));
    core::StageTime* times = nullptr;
    std::size_t count = 0;
    if (state != nullptr) {
        times = static_cast<core::StageTime*>(palloc(sizeof(core::StageTime) * core::kStageCount));
        const std::vector<core::StageTime> result = [&] {
            std::vector<core::StageEntry> entries(state->entries, state->entries + state->count);
            return core::time_in_stage(entries, state->as_of);
        }();
        count = result.size();
        std::copy(result.begin(), result.end(), times);
    }
    const leadscore::pg::CompositeArrayBuilder builder(fcinfo);
    Datum* elements = static_cast<Datum*>(palloc(sizeof(Datum) * (count + 1)));
    for (std::size_t i = 0; i < count; ++i) {
        auto* latest = static_cast<Interval*>(palloc0(sizeof(Interval)));
        auto* cumulative = static_cast<Interval*>(palloc0(sizeof(Interval)));
        latest->time = times[i].latest;
        cumulative->time = times[i].cumulative;
        Datum values[5] = {leadscore::pg::stage_datum(
                               *core::stage_from_code(static_cast<unsigned>(times[i].stage))),
                           Int32GetDatum(times[i].entries), IntervalPGetDatum(latest),
                           IntervalPGetDatum(cumulative), BoolGetDatum(times[i].current)};
        bool nulls[5] = {false, false, false, false, false};
        elements[i] = builder.element(values, nulls);
    }
    return builder.array(elements, static_cast<int>(count));
}
