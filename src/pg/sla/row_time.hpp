// A row's column read as a point in time, as the SLA rules read a "met"
// column: a timestamptz, or a timestamp read in the session's zone (as a cast
// reads it); nothing for NULL, infinity, a missing column or another type.
#pragma once

#include <optional>

#include "pg/common/postgres.hpp"

extern "C" {
#include "access/htup.h"
#include "access/tupdesc.h"
#include "utils/timestamp.h"
}

namespace leadscore::pg {

std::optional<TimestampTz> point_in_time(HeapTuple row, TupleDesc descriptor, int attnum);

}  // namespace leadscore::pg
