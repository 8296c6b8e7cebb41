#include "pg/sla/row_time.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type_d.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
}

namespace leadscore::pg {

std::optional<TimestampTz> point_in_time(HeapTuple row, TupleDesc descriptor, int attnum) {
    if (attnum <= 0 || attnum > descriptor->natts) {
        return std::nullopt;
    }
    bool is_null;
    const Datum value = heap_getattr(row, attnum, descriptor, &is_null);
    if (is_null) {
        return std::nullopt;
    }
    const Oid type = getBaseType(TupleDescAttr(descriptor, attnum - 1)->atttypid);
    TimestampTz instant;
    if (type == TIMESTAMPTZOID) {
        instant = DatumGetTimestampTz(value);
    } else if (type == TIMESTAMPOID) {
        instant = DatumGetTimestampTz(DirectFunctionCall1(timestamp_timestamptz, value));
    } else {
        return std::nullopt;
    }
    return TIMESTAMP_NOT_FINITE(instant) ? std::nullopt : std::optional<TimestampTz>(instant);
}

}  // namespace leadscore::pg
