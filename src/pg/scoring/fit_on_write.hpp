// The lifecycle trigger's fit step, for attachments with fit_attributes:
// on INSERT, and on an UPDATE that changes a fit attribute, fit is computed
// from the row's own columns (as rescore computes it) and written, and the
// total and engagement follow (core/fit_on_write.hpp). It runs before the
// promotion by score, so a lead whose fit lifts it over a threshold moves
// forward in the same trigger.
#pragma once

#include "pg/lifecycle/attachment_cache.hpp"

namespace leadscore::pg {

// `new_row` itself when there is nothing to write, else a modified copy.
// The model is looked up through `flinfo` (the trigger function's cache).
HeapTuple with_fit(const CompiledAttachment& attachment, TriggerData* data, FmgrInfo* flinfo,
                   HeapTuple new_row);

}  // namespace leadscore::pg
