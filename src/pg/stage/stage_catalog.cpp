// What users ask about the stages themselves: rank, funnel membership, the
// list of stages and the label table.
#include "pg/common/guard.hpp"
#include "pg/stage/stage_datum.hpp"
#include "pg/common/text_datum.hpp"

extern "C" {
#include "access/htup_details.h"
}

#include "core/stage/stage_labels.hpp"

namespace core = leadscore::core;
using leadscore::pg::stage_arg;
using leadscore::pg::stage_datum;
using leadscore::pg::text_datum;

LEADSCORE_FUNCTION(stage_rank) {
    PG_RETURN_INT32(core::stage_rank(stage_arg(fcinfo, 0)));
}

LEADSCORE_FUNCTION(is_funnel_stage) {
    PG_RETURN_BOOL(core::is_funnel_stage(stage_arg(fcinfo, 0)));
}

LEADSCORE_FUNCTION(stages) {
    if (SRF_IS_FIRSTCALL()) {
        SRF_FIRSTCALL_INIT()->max_calls = core::kStageCount;
    }
    FuncCallContext* context = SRF_PERCALL_SETUP();
    if (context->call_cntr >= context->max_calls) {
        SRF_RETURN_DONE(context);
    }
    // SRF_RETURN_NEXT advances call_cntr before it evaluates its argument.
    const Datum stage = stage_datum(core::kAllStages[context->call_cntr]);
    SRF_RETURN_NEXT(context, stage);
}

LEADSCORE_FUNCTION(stage_labels) {
    // A reference to static data: no C++ object with a destructor is alive
    // while the PostgreSQL calls below run.
    const auto& table = core::stage_label_table();
    if (SRF_IS_FIRSTCALL()) {
        FuncCallContext* context = SRF_FIRSTCALL_INIT();
        MemoryContext previous = MemoryContextSwitchTo(context->multi_call_memory_ctx);
        TupleDesc descriptor;
        if (get_call_result_type(fcinfo, nullptr, &descriptor) != TYPEFUNC_COMPOSITE) {
            ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                            errmsg("leadscore.stage_labels() must be called in a context that "
                                   "accepts a record")));
        }
        context->tuple_desc = BlessTupleDesc(descriptor);
        context->max_calls = table.size();
        MemoryContextSwitchTo(previous);
    }
    FuncCallContext* context = SRF_PERCALL_SETUP();
    if (context->call_cntr >= context->max_calls) {
        SRF_RETURN_DONE(context);
    }
    const core::StageLabel& label = table[context->call_cntr];
    Datum values[3] = {text_datum(label.spelling),
                       label.stage ? stage_datum(*label.stage) : Datum(0), text_datum(label.note)};
    bool nulls[3] = {false, !label.stage.has_value(), false};
    HeapTuple tuple = heap_form_tuple(context->tuple_desc, values, nulls);
    SRF_RETURN_NEXT(context, HeapTupleGetDatum(tuple));
}
