// lifecycle_stage as a Datum: one byte, passed by value, holding the stage code.
#pragma once

#include "pg/common/postgres.hpp"

#include "core/stage/stage.hpp"

namespace leadscore::pg {

inline Datum stage_datum(core::Stage stage) {
    return CharGetDatum(core::stage_code(stage));
}

// The raw stored byte, unchecked: comparisons and hashing work on it directly.
inline unsigned stage_code_arg(FunctionCallInfo fcinfo, int n) {
    return static_cast<unsigned char>(DatumGetChar(PG_GETARG_DATUM(n)));
}

// The stored stage, checked: a corrupted byte raises XX001 instead of being
// used as an index.
inline core::Stage stage_arg(FunctionCallInfo fcinfo, int n) {
    return core::stage_from_stored_code(stage_code_arg(fcinfo, n));
}

}  // namespace leadscore::pg
