// Comparison, sorting and hashing support of lifecycle_stage.
//
// A stage's code is its position in the sort order, so every comparison is a
// comparison of two bytes. These functions never raise an error (not even on
// a corrupted byte), which is what lets the operators be LEAKPROOF.
#include "pg/common/guard.hpp"
#include "pg/stage/stage_datum.hpp"

extern "C" {
#include "common/hashfn.h"
#include "utils/sortsupport.h"
}

using leadscore::pg::stage_code_arg;

namespace {

int compare_codes(unsigned a, unsigned b) {
    return (a > b) - (a < b);
}

int compare_args(FunctionCallInfo fcinfo) {
    return compare_codes(stage_code_arg(fcinfo, 0), stage_code_arg(fcinfo, 1));
}

}  // namespace

LEADSCORE_FUNCTION(lifecycle_stage_eq) {
    PG_RETURN_BOOL(compare_args(fcinfo) == 0);
}
LEADSCORE_FUNCTION(lifecycle_stage_ne) {
    PG_RETURN_BOOL(compare_args(fcinfo) != 0);
}
LEADSCORE_FUNCTION(lifecycle_stage_lt) {
    PG_RETURN_BOOL(compare_args(fcinfo) < 0);
}
LEADSCORE_FUNCTION(lifecycle_stage_le) {
    PG_RETURN_BOOL(compare_args(fcinfo) <= 0);
}
LEADSCORE_FUNCTION(lifecycle_stage_gt) {
    PG_RETURN_BOOL(compare_args(fcinfo) > 0);
}
LEADSCORE_FUNCTION(lifecycle_stage_ge) {
    PG_RETURN_BOOL(compare_args(fcinfo) >= 0);
}
LEADSCORE_FUNCTION(lifecycle_stage_cmp) {
    PG_RETURN_INT32(compare_args(fcinfo));
}

LEADSCORE_FUNCTION(lifecycle_stage_smaller) {
    PG_RETURN_DATUM(PG_GETARG_DATUM(compare_args(fcinfo) <= 0 ? 0 : 1));
}

LEADSCORE_FUNCTION(lifecycle_stage_larger) {
    PG_RETURN_DATUM(PG_GETARG_DATUM(compare_args(fcinfo) >= 0 ? 0 : 1));
}

// Sorting without a function call per comparison; from PostgreSQL 15 on, the
// unsigned-datum comparator also selects tuplesort's specialised quicksort.
LEADSCORE_FUNCTION(lifecycle_stage_sortsupport) {
    auto* support = reinterpret_cast<SortSupport>(PG_GETARG_POINTER(0));
    support->comparator = ssup_datum_unsigned_cmp;
    PG_RETURN_VOID();
}

LEADSCORE_FUNCTION(lifecycle_stage_hash) {
    return hash_uint32(stage_code_arg(fcinfo, 0));
}

LEADSCORE_FUNCTION(lifecycle_stage_hash_extended) {
    return hash_uint32_extended(stage_code_arg(fcinfo, 0), PG_GETARG_INT64(1));
}
