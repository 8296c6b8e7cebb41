// Set-returning functions that fill a tuplestore in one call.
#pragma once

#include "pg/common/postgres.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/tuplestore.h"
}

namespace leadscore::pg {

// Sets up materialize mode: rsinfo->setResult and setDesc are ready for
// tuplestore_putvalues. (InitMaterializedSRF does this from PostgreSQL 15
// on; this works on 13 and 14 too.)
inline void materialize_result(FunctionCallInfo fcinfo) {
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    if (rsinfo == nullptr || !IsA(rsinfo, ReturnSetInfo) ||
        (rsinfo->allowedModes & SFRM_Materialize) == 0) {
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("set-valued function called in context that cannot accept a set")));
    }
    TupleDesc descriptor;
    if (get_call_result_type(fcinfo, nullptr, &descriptor) != TYPEFUNC_COMPOSITE) {
        elog(ERROR, "leadscore: return type must be a row type");
    }
    MemoryContext previous = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
    rsinfo->setDesc = CreateTupleDescCopy(descriptor);
    rsinfo->setResult = tuplestore_begin_heap(true, false, work_mem);
    rsinfo->returnMode = SFRM_Materialize;
    MemoryContextSwitchTo(previous);
}

}  // namespace leadscore::pg
