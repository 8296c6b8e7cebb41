// The aggregates leadscore.window_funnel and leadscore.window_funnel_times:
// the rows of a group are collected (in the state itself, which grows),
// combined and serialised for parallel query, and evaluated by the core at
// the end.
#include "pg/common/aggregate_context.hpp"
#include "pg/common/guard.hpp"
#include "pg/common/text_datum.hpp"

#include <cstring>

extern "C" {
#include "catalog/pg_type_d.h"
#include "utils/array.h"
#include "utils/timestamp.h"
}

#include "core/analytics/window_funnel.hpp"

namespace core = leadscore::core;

namespace {

// The settings a group's rows were checked against, then the rows, in one
// allocation that doubles when full (the transition function returns the
// moved state). Hash aggregation over a million leads is bound by the cache
// lines each row touches: a lead with up to 6 funnel rows keeps everything
// in 128 bytes, next to its hash table entry.
struct FunnelAggState {
    core::FunnelSettings settings;
    std::uint32_t count;
    std::uint32_t capacity;
    core::FunnelRow rows[FLEXIBLE_ARRAY_MEMBER];
};

constexpr std::size_t kFirstStateBytes = 128;

std::size_t state_bytes(std::size_t capacity) {
    return offsetof(FunnelAggState, rows) + capacity * sizeof(core::FunnelRow);
}

std::uint32_t capacity_of(std::size_t bytes) {
    return static_cast<std::uint32_t>((bytes - offsetof(FunnelAggState, rows)) /
                                      sizeof(core::FunnelRow));
}

MemoryContext aggregate_context(FunctionCallInfo fcinfo) {
    return leadscore::pg::aggregate_context(
        fcinfo, "leadscore.window_funnel or leadscore.window_funnel_times");
}

// An interval as microseconds: a day is 24 hours, a month 30 days (as
// PostgreSQL compares intervals). Positive and at most PG_INT64_MAX
// microseconds (106751991 days 04:00:54.775807, some 292,000 years), or
// ERROR 22023 (as in 0.6): an interval PostgreSQL holds, but not a window
// window_funnel can use, as a window <= 0 is not (22008 is for a datetime
// result that overflows, and nothing has been computed).
std::int64_t window_arg(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(1)) {
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("window_funnel needs a window, got NULL"),
                        errhint("Pass the longest time from a chain's first step to its last, "
                                "e.g. interval '7 days'.")));
    }
    const Interval* window = PG_GETARG_INTERVAL_P(1);
    const __int128 micros = static_cast<__int128>(window->time) +
                            static_cast<__int128>(window->day) * USECS_PER_DAY +
                            static_cast<__int128>(window->month) * DAYS_PER_MONTH * USECS_PER_DAY;
    if (micros > PG_INT64_MAX) {
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                 errmsg("window_funnel's window is too large: '%s', more than 106751991 days "
                        "04:00:54.775807",
                        DatumGetCString(DirectFunctionCall1(interval_out, PG_GETARG_DATUM(1)))),
                 errhint("A window holds at most 2^63 - 1 microseconds (some 292,000 years), a "
                         "day counted as 24 hours and a month as 30 days.")));
    }
    if (micros <= 0) {
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                 errmsg("window_funnel needs a positive window, got '%s'",
                        DatumGetCString(DirectFunctionCall1(interval_out, PG_GETARG_DATUM(1)))),
                 errhint("Pass the longest time from a chain's first step to its last, e.g. "
                         "interval '7 days'.")));
    }
    return static_cast<std::int64_t>(micros);
}

// The steps a row matched, as bits; NULL elements are false. ERROR for
// arrays that are not flat or hold more than 32 steps.
std::uint32_t steps_arg(FunctionCallInfo fcinfo, int n, int& count) {
    ArrayType* steps = PG_GETARG_ARRAYTYPE_P(n);
    if (ARR_NDIM(steps) > 1) {
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                        errmsg("window_funnel steps must be a flat list of booleans"),
                        errhint("Pass the steps as separate arguments: window_funnel(w, ts, "
                                "kind = 'visit', kind = 'signup').")));
    }
    count = ARR_NDIM(steps) == 0 ? 0 : ARR_DIMS(steps)[0];
    if (count < 1 || count > core::kMaxFunnelSteps) {
        ereport(ERROR,
                (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                 errmsg("window_funnel takes 1 to %d steps, got %d", core::kMaxFunnelSteps, count),
                 errhint("Split a longer funnel into several.")));
    }
    const bool* values = reinterpret_cast<const bool*>(ARR_DATA_PTR(steps));
    const bits8* nulls = ARR_NULLBITMAP(steps);
    std::uint32_t mask = 0;
    int value = 0;  // booleans are stored only for the non-NULL elements
    for (int i = 0; i < count; ++i) {
        if (nulls != nullptr && !(nulls[i / 8] & (1 << (i % 8)))) {
            continue;
        }
        if (values[value++]) {
            mask |= 1U << i;
        }
    }
    return mask;
}

[[noreturn]] void inconsistent(const char* what) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("window_funnel needs the same %s for every row of a group", what),
                    errhint("Pass constants for the window, the modes and the list of steps.")));
}

// A state for at least `rows` rows, in `context`.
FunnelAggState* new_state(MemoryContext context, const core::FunnelSettings& settings,
                          std::size_t rows) {
    const std::size_t bytes = std::max(kFirstStateBytes, state_bytes(rows));
    auto* state = static_cast<FunnelAggState*>(MemoryContextAllocZero(context, bytes));
    state->settings = settings;
    state->capacity = capacity_of(bytes);
    return state;
}

// Appends a row; returns the state, moved when it had to grow.
FunnelAggState* append_row(FunnelAggState* state, core::FunnelRow row) {
    if (state->count >= core::kMaxFunnelRows) {
        ereport(ERROR,
                (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                 errmsg("window_funnel holds at most %zu rows per group", core::kMaxFunnelRows),
                 errhint("Group by something finer (a lead, a session) or filter the "
                         "rows to the funnel's events.")));
    }
    if (state->count == state->capacity) {
        const std::size_t bytes = 2 * state_bytes(state->capacity);
        state = static_cast<FunnelAggState*>(repalloc(state, bytes));
        state->capacity = capacity_of(bytes);
    }
    state->rows[state->count++] = row;
    return state;
}

// The modes argument parsed, kept in fn_extra with its text, so that the
// usual constant is parsed once per query rather than once per row. (The
// text is compared, not the argument's stability: a transition function
// sees its arguments as executor parameters, never as constants.)
struct ModesCache {
    core::FunnelModes modes;
    std::size_t length;
    char text[128];  // all five modes fit
};

core::FunnelModes modes_arg(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(2)) {
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("window_funnel needs modes, got NULL"),
                        errhint("Pass '' for the default mode.")));
    }
    const std::string_view text = leadscore::pg::text_arg(fcinfo, 2);
    auto* cache = static_cast<ModesCache*>(fcinfo->flinfo->fn_extra);
    if (cache != nullptr && cache->length == text.size() &&
        std::memcmp(cache->text, text.data(), text.size()) == 0) {
        return cache->modes;
    }
    const core::FunnelModes modes = core::parse_funnel_modes(text);
    if (text.size() <= sizeof cache->text) {
        if (cache == nullptr) {
            cache = static_cast<ModesCache*>(
                MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(ModesCache)));
            fcinfo->flinfo->fn_extra = cache;
        }
        cache->modes = modes;
        cache->length = text.size();
        std::memcpy(cache->text, text.data(), text.size());
    }
    return modes;
}

}  // namespace

// (state, window, [modes,] ts, steps)
LEADSCORE_FUNCTION(window_funnel_transition) {
    MemoryContext context = aggregate_context(fcinfo);
    auto* state =
        PG_ARGISNULL(0) ? nullptr : reinterpret_cast<FunnelAggState*>(PG_GETARG_POINTER(0));
    const bool with_modes = PG_NARGS() == 5;
    const int ts_arg = with_modes ? 3 : 2;
    const std::int64_t window = window_arg(fcinfo);
    const core::FunnelModes modes = with_modes ? modes_arg(fcinfo) : core::FunnelModes{};
    if (state == nullptr) {
        core::FunnelSettings settings;
        settings.window = window;
        settings.modes = modes;
        state = new_state(context, settings, 0);
    } else if (!(modes == state->settings.modes)) {
        inconsistent("modes");
    }
    if (window != state->settings.window) {
        inconsistent("window");
    }
    // Rows without a time or without steps are ignored, as are rows at
    // +/-infinity (no window reaches them).
    if (PG_ARGISNULL(ts_arg) || PG_ARGISNULL(ts_arg + 1) ||
        TIMESTAMP_NOT_FINITE(PG_GETARG_TIMESTAMPTZ(ts_arg))) {
        PG_RETURN_POINTER(state);
    }
    int step_count = 0;
    const std::uint32_t steps = steps_arg(fcinfo, ts_arg + 1, step_count);
    if (state->settings.step_count == 0) {
        state->settings.step_count = step_count;
    } else if (step_count != state->settings.step_count) {
        inconsistent("number of steps");
    }
    if (steps != 0 || state->settings.modes.strict_order) {
        state = append_row(state, {PG_GETARG_TIMESTAMPTZ(ts_arg), steps});
    }
    PG_RETURN_POINTER(state);
}

LEADSCORE_FUNCTION(window_funnel_combine) {
    MemoryContext context = aggregate_context(fcinfo);
    auto* into =
        PG_ARGISNULL(0) ? nullptr : reinterpret_cast<FunnelAggState*>(PG_GETARG_POINTER(0));
    auto* from =
        PG_ARGISNULL(1) ? nullptr : reinterpret_cast<FunnelAggState*>(PG_GETARG_POINTER(1));
    if (from == nullptr) {
        PG_RETURN_POINTER(into);
    }
    if (into == nullptr) {
        into = new_state(context, from->settings, from->count);
    } else if (into->settings.step_count == 0) {
        into->settings.step_count = from->settings.step_count;
    }
    // A partial state without rows (all its rows lacked a time or steps)
    // knows no step count yet: nothing to compare.
    if (from->count != 0 && !(into->settings == from->settings)) {
        inconsistent("window, modes and number of steps");
    }
    for (std::size_t i = 0; i < from->count; ++i) {
        into = append_row(into, from->rows[i]);
    }
    PG_RETURN_POINTER(into);
}

LEADSCORE_FUNCTION(window_funnel_serialize) {
    const auto* state = reinterpret_cast<FunnelAggState*>(PG_GETARG_POINTER(0));
    const std::size_t size = core::serialized_funnel_size(state->count);
    bytea* bytes = static_cast<bytea*>(palloc(VARHDRSZ + size));
    SET_VARSIZE(bytes, VARHDRSZ + size);
    core::serialize_funnel(state->settings, state->rows, state->count, VARDATA(bytes));
    PG_RETURN_BYTEA_P(bytes);
}

namespace {

FunnelAggState* state_from_bytes(const bytea* bytes) {
    const char* data = VARDATA_ANY(bytes);
    std::size_t count = 0;
    const core::FunnelSettings settings =
        core::read_serialized_funnel(data, VARSIZE_ANY_EXHDR(bytes), count);
    FunnelAggState* state = new_state(CurrentMemoryContext, settings, count);
    for (std::size_t i = 0; i < count; ++i) {
        state->rows[i] = core::serialized_funnel_row(data, i);
    }
    state->count = static_cast<std::uint32_t>(count);
    return state;
}

// The group's result, computed by the core; `times` receives the step
// times (palloc'd) when asked for. The core sorts the state's rows in
// place: the state stays the same multiset of rows (all the transition,
// combine and final functions see), so a state shared by window_funnel and
// window_funnel_times, or one that goes on growing in a window frame, is
// still right, and no copy is made per group.
int evaluate(FunnelAggState* state, TimestampTz** times) {
    if (state == nullptr || state->settings.step_count == 0) {
        return 0;
    }
    int level;
    {
        const core::FunnelResult result = core::evaluate_funnel(
            state->rows, state->count, state->settings.step_count, state->settings.window,
            state->settings.modes,
            times != nullptr ? core::FunnelOutput::kLevelAndTimes : core::FunnelOutput::kLevel);
        level = result.level;
        if (times != nullptr && level > 0) {
            // MCXT_ALLOC_NO_OOM: no ereport while C++ objects are alive.
            *times = static_cast<TimestampTz*>(
                palloc_extended(sizeof(TimestampTz) * level, MCXT_ALLOC_NO_OOM));
            if (*times == nullptr) {
                throw std::bad_alloc();
            }
            std::memcpy(*times, result.times.data(), sizeof(TimestampTz) * level);
        }
    }
    return level;
}

}  // namespace

LEADSCORE_FUNCTION(window_funnel_deserialize) {
    PG_RETURN_POINTER(state_from_bytes(PG_GETARG_BYTEA_PP(0)));
}

LEADSCORE_FUNCTION(window_funnel_final) {
    auto* state =
        PG_ARGISNULL(0) ? nullptr : reinterpret_cast<FunnelAggState*>(PG_GETARG_POINTER(0));
    PG_RETURN_INT32(evaluate(state, nullptr));
}

LEADSCORE_FUNCTION(window_funnel_times_final) {
    auto* state =
        PG_ARGISNULL(0) ? nullptr : reinterpret_cast<FunnelAggState*>(PG_GETARG_POINTER(0));
    TimestampTz* times = nullptr;
    const int level = evaluate(state, &times);
    Datum* elements = static_cast<Datum*>(palloc(sizeof(Datum) * (level > 0 ? level : 1)));
    for (int i = 0; i < level; ++i) {
        elements[i] = TimestampTzGetDatum(times[i]);
    }
    PG_RETURN_ARRAYTYPE_P(construct_array(elements, level, TIMESTAMPTZOID, sizeof(TimestampTz),
                                          FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

// leadscore._window_funnel_level_of_state(bytea): a serialised state (from
// leadscore._window_funnel_state) checked as deserialisation checks it, and
// evaluated.
LEADSCORE_FUNCTION(window_funnel_level_of_state) {
    PG_RETURN_INT32(evaluate(state_from_bytes(PG_GETARG_BYTEA_PP(0)), nullptr));
}
