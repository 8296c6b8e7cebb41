// The memory context of the aggregate a support function runs in, or an
// ERROR when it is called directly (its internal state would be garbage).
#pragma once

#include "pg/common/postgres.hpp"

namespace leadscore::pg {

// `aggregates` names what to call instead, e.g. "leadscore.time_in_stage".
inline MemoryContext aggregate_context(FunctionCallInfo fcinfo, const char* aggregates) {
    MemoryContext context;
    if (!AggCheckCallContext(fcinfo, &context)) {
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("an aggregate support function was called outside an aggregate"),
                        errhint("Call %s.", aggregates)));
    }
    return context;
}

}  // namespace leadscore::pg
