// The aggregates leadscore.engagement_score and leadscore.explain_engagement:
// transition, combine, serialise and deserialise functions over the core's
// fixed-size state, and the two final functions.
#include "pg/common/aggregate_context.hpp"
#include "pg/common/guard.hpp"
#include "pg/common/jsonb_text.hpp"
#include "pg/scoring/model_cache.hpp"
#include "pg/common/text_datum.hpp"

#include <cstring>

extern "C" {
#include "utils/numeric.h"
#include "utils/timestamp.h"
}

#include "core/scoring/engagement.hpp"

namespace core = leadscore::core;
namespace pg = leadscore::pg;

namespace {

// The aggregate's internal state: the model (valid for the transaction) and
// the core's block. Nothing else: every byte here is multiplied by the
// number of groups, and hash aggregation over a million leads is bound by
// the cache lines each event touches (the default model's state is 64
// bytes, one line).
struct EngagementAggState {
    const pg::LoadedModel* model;
    alignas(8) char block[FLEXIBLE_ARRAY_MEMBER];
};

EngagementAggState* new_state(MemoryContext context, const pg::LoadedModel& model) {
    const std::size_t size = core::engagement_state_size(model.model.engagement);
    auto* state = static_cast<EngagementAggState*>(
        MemoryContextAllocZero(context, offsetof(EngagementAggState, block) + size));
    state->model = &model;
    return state;
}

const core::EngagementStateHeader& header_of(const EngagementAggState* state) {
    return *reinterpret_cast<const core::EngagementStateHeader*>(state->block);
}

const core::EngagementModel& engagement_of(const EngagementAggState* state) {
    return state->model->model.engagement;
}

MemoryContext aggregate_context(FunctionCallInfo fcinfo) {
    return pg::aggregate_context(fcinfo,
                                 "leadscore.engagement_score or leadscore.explain_engagement");
}

core::Micros as_of_arg(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(4)) {
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("engagement_score needs as_of, got NULL"),
                        errhint("Pass the time to score at, e.g. now().")));
    }
    const TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(4);
    if (TIMESTAMP_NOT_FINITE(as_of)) {
        ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                        errmsg("engagement_score needs a finite as_of, got %s",
                               TIMESTAMP_IS_NOBEGIN(as_of) ? "-infinity" : "infinity"),
                        errhint("Pass the time to score at, e.g. now().")));
    }
    return as_of;
}

}  // namespace

// (state, model, event_type, occurred_at, as_of)
LEADSCORE_FUNCTION(engagement_transition) {
    MemoryContext context = aggregate_context(fcinfo);
    auto* state =
        PG_ARGISNULL(0) ? nullptr : reinterpret_cast<EngagementAggState*>(PG_GETARG_POINTER(0));
    const core::Micros as_of = as_of_arg(fcinfo);
    // The name is looked up on every row (a compare with the function's
    // cached name), so that a model name taken from a column is checked too.
    const pg::LoadedModel& model = pg::current_model(fcinfo->flinfo, pg::model_name_arg(fcinfo, 1));
    if (state == nullptr) {
        state = new_state(context, model);
        core::init_engagement_state(state->block, model.model.engagement, as_of);
    } else {
        if (&model != state->model && model.name != state->model->name) {
            char quoted[320];
            char earlier[320];
            pg::quote_into(quoted, model.name);
            pg::quote_into(earlier, state->model->name);
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("engagement_score got model %s after model %s in the same group",
                                   quoted, earlier),
                            errhint("Score each group with one model.")));
        }
        if (as_of != header_of(state).as_of) {
            ereport(ERROR,
                    (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                     errmsg("engagement_score needs the same as_of for every row of a group"),
                     errhint("Pass one value, e.g. now() or a constant, as as_of.")));
        }
    }
    // An event at +/-infinity is no point in time to decay from: ignored.
    if (PG_ARGISNULL(2) || PG_ARGISNULL(3) || TIMESTAMP_NOT_FINITE(PG_GETARG_TIMESTAMPTZ(3))) {
        core::add_ignored(state->block);
    } else {
        core::add_event(state->block, engagement_of(state), pg::text_arg(fcinfo, 2),
                        PG_GETARG_TIMESTAMPTZ(3));
    }
    PG_RETURN_POINTER(state);
}

LEADSCORE_FUNCTION(engagement_combine) {
    MemoryContext context = aggregate_context(fcinfo);
    auto* into =
        PG_ARGISNULL(0) ? nullptr : reinterpret_cast<EngagementAggState*>(PG_GETARG_POINTER(0));
    auto* from =
        PG_ARGISNULL(1) ? nullptr : reinterpret_cast<EngagementAggState*>(PG_GETARG_POINTER(1));
    if (from == nullptr) {
        PG_RETURN_POINTER(into);
    }
    if (into == nullptr) {
        into = new_state(context, *from->model);
        std::memcpy(into->block, from->block, core::engagement_state_size(engagement_of(from)));
        PG_RETURN_POINTER(into);
    }
    if (into->model->name != from->model->name) {
        char first[320];
        char second[320];
        pg::quote_into(first, into->model->name);
        pg::quote_into(second, from->model->name);
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("engagement_score cannot combine scores of models %s and %s", first,
                               second),
                        errhint("Score each group with one model.")));
    }
    if (into->model->version != from->model->version) {
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("engagement_score cannot combine scores of model versions %u and %u",
                               into->model->version, from->model->version),
                        errhint("Use one model per group; a model redefined during the query is "
                                "not seen.")));
    }
    core::merge_engagement_states(into->block, from->block, engagement_of(into));
    PG_RETURN_POINTER(into);
}

LEADSCORE_FUNCTION(engagement_serialize) {
    const auto* state = reinterpret_cast<EngagementAggState*>(PG_GETARG_POINTER(0));
    const std::size_t size = core::serialized_state_size(engagement_of(state));
    bytea* bytes = static_cast<bytea*>(palloc(VARHDRSZ + size));
    SET_VARSIZE(bytes, VARHDRSZ + size);
    core::serialize_state(state->block, engagement_of(state), state->model->name,
                          state->model->version, VARDATA(bytes));
    PG_RETURN_BYTEA_P(bytes);
}

namespace {

// A state from bytes, every byte checked against its model.
EngagementAggState* state_from_bytes(const bytea* bytes) {
    const core::SerializedState read =
        core::read_serialized_state(VARDATA_ANY(bytes), VARSIZE_ANY_EXHDR(bytes));
    char name[core::kMaxModelNameLength + 1];
    strlcpy(name, read.model_name.data(), std::min(sizeof name, read.model_name.size() + 1));
    const pg::LoadedModel& model = pg::model_version(name, read.head.model_version);
    // The shape first: it fixes the block's size, which the copy relies on.
    core::check_state_shape(read, model.model.engagement);
    EngagementAggState* state = new_state(CurrentMemoryContext, model);
    std::memcpy(state->block, read.block, read.block_size);
    core::check_state_against_model(read, state->block, model.model.engagement);
    return state;
}

Datum explanation_datum(const EngagementAggState* state) {
    const char* explanation;
    {
        const std::string json = core::explanation_json(engagement_of(state), state->model->name,
                                                        state->model->version, state->block);
        explanation = pg::copy_to_palloc(json);
    }
    return pg::jsonb_datum(explanation);
}

}  // namespace

LEADSCORE_FUNCTION(engagement_deserialize) {
    PG_RETURN_POINTER(state_from_bytes(PG_GETARG_BYTEA_PP(0)));
}

// leadscore._explain_engagement_state(bytea): a serialised state (from
// leadscore._engagement_state) checked as the deserialisation function
// checks it, and explained.
LEADSCORE_FUNCTION(explain_engagement_state) {
    return explanation_datum(state_from_bytes(PG_GETARG_BYTEA_PP(0)));
}

LEADSCORE_FUNCTION(engagement_final) {
    if (PG_ARGISNULL(0)) {
        PG_RETURN_NULL();
    }
    const auto* state = reinterpret_cast<EngagementAggState*>(PG_GETARG_POINTER(0));
    const core::Centipoints score = core::engagement_score(engagement_of(state), state->block);
    PG_RETURN_NUMERIC(int64_div_fast_to_numeric(score, 2));
}

LEADSCORE_FUNCTION(engagement_explain_final) {
    if (PG_ARGISNULL(0)) {
        PG_RETURN_NULL();
    }
    return explanation_datum(reinterpret_cast<EngagementAggState*>(PG_GETARG_POINTER(0)));
}
