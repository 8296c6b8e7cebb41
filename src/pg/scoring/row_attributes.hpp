// A lead's fit attributes read from its own row (attach's fit_attributes:
// attribute -> column), for the lifecycle trigger to compute fit as rescore
// does. rescore hands fit_score jsonb_build_object(attribute, column, ...),
// so each column is read as to_jsonb would convert it: NULL as null,
// booleans, numbers (NaN and infinities as strings), json and jsonb as
// their JSON, arrays element by element, dates and timestamps in ISO 8601,
// a row type as an object, a type with a cast to json through it, anything
// else as its text output. (Floats, timestamptz and text outputs follow the
// session's settings, as to_jsonb does in rescore's session.)
#pragma once

#include "pg/common/postgres.hpp"

#include "pg/lifecycle/attachment_cache.hpp"

#include "core/scoring/fit_score.hpp"

namespace leadscore::pg {

// One core::Attribute per name in `model.attributes` (missing where the
// attachment maps no column to it), palloc'd.
const core::Attribute* row_attributes(const CompiledAttachment& attachment,
                                      const core::FitModel& model, HeapTuple row,
                                      TupleDesc descriptor);

// Whether column `attnum` differs between two versions of a row, compared
// as stored bytes (NULL against a value counts as a change). A false alarm
// (the same value stored differently) only costs redoing unchanged work.
bool stored_value_changed(TupleDesc descriptor, AttrNumber attnum, HeapTuple before,
                          HeapTuple after);

// Whether an UPDATE changed any fit attribute column (stored_value_changed).
bool fit_attributes_changed(const CompiledAttachment& attachment, HeapTuple before, HeapTuple after,
                            TupleDesc descriptor);

}  // namespace leadscore::pg
