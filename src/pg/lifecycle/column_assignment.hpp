// Values leadscore's triggers write into the NEW row (stamps, a stage moved
// by score, the SLA columns) coerced as an assignment would coerce them.
// PostgreSQL checks neither a column's type modifier nor a domain's
// constraints on a row a BEFORE trigger returns: a varchar(3) stage column
// would take 'opportunity', a timestamptz(0) stamp would keep its
// microseconds, and a domain's CHECK would be skipped.
#pragma once

#include <cstdint>
#include <optional>

#include "pg/common/postgres.hpp"

extern "C" {
#include "access/tupdesc.h"
}

namespace leadscore::pg {

// How a column's assignments are coerced; only columns that need it (a
// cast from what is written, a domain, or a type modifier with a coercion
// function) get one.
struct ColumnAssignment {
    AttrNumber attnum = 0;
    Oid type = InvalidOid;             // the column's type
    Oid written_type = InvalidOid;     // the type of the values written
    Oid cast_function = InvalidOid;    // from written_type to the column's base type
    bool is_domain = false;            // check the domain's constraints
    std::int32_t typmod = -1;          // of the column, or of the domain's base type
    Oid typmod_function = InvalidOid;  // applies typmod (varchar(n), timestamptz(p))
    // domain_check's lookups, kept for the next row (TopMemoryContext; a
    // recompiled attachment leaves its few bytes behind)
    mutable void* domain_cache = nullptr;
};

// The coercion of values of `written_type` into column `attnum`, or
// nothing when an assignment stores them as they are (the usual case).
// Scores are written as numeric, everything else in the column's base type.
std::optional<ColumnAssignment> column_assignment(TupleDesc descriptor, AttrNumber attnum,
                                                  Oid written_type);

// `value` (of the written type) as the assignment stores it: cast (ERROR
// 22003 when out of range), typmod applied (ERROR 22001 when too long),
// domain constraints checked (ERROR 23502/23514); the error names the
// value, the column and `table`.
Datum assigned_value(const ColumnAssignment& column, const char* column_name, const char* table,
                     Datum value, bool is_null);

}  // namespace leadscore::pg
