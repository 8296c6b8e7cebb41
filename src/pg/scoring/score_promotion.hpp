// Scores that move stages, in the lifecycle trigger: reads the row's score
// columns and, when they cross the model's MQL or SQL threshold, writes the
// new stage into the row before the change is judged, stamped and recorded.
#pragma once

#include "pg/lifecycle/attachment_cache.hpp"

namespace leadscore::pg {

// `new_row` itself, or a copy moved to the stage its scores reach. The model
// is looked up through `flinfo` (the trigger function's cache).
HeapTuple promote_by_score(const CompiledAttachment& attachment, TriggerData* data,
                           FmgrInfo* flinfo, HeapTuple new_row);

// An INSERT's history row is written AFTER INSERT, which cannot tell a
// promotion from a stage the application wrote: BEFORE INSERT leaves a note.
void note_promoted_insert(Oid relation, const char* lead_key);
bool take_promoted_insert(Oid relation, const char* lead_key);
bool any_promoted_insert();

void register_score_promotion_callbacks();

}  // namespace leadscore::pg
