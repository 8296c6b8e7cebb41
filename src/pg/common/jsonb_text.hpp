// jsonb arguments and results as JSON text, for the core's nlohmann parser.
#pragma once

#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

#include "pg/common/postgres.hpp"

extern "C" {
#include "utils/jsonb.h"
}

namespace leadscore::pg {

// The jsonb argument `n` as JSON text (palloc'd).
inline const char* jsonb_arg_text(FunctionCallInfo fcinfo, int n) {
    Jsonb* value = PG_GETARG_JSONB_P(n);
    return JsonbToCString(nullptr, &value->root, VARSIZE(value));
}

// A palloc'd copy of `text`, safe to call while C++ objects are alive: it
// never ereports (out of memory is std::bad_alloc, which the guard reports).
inline char* copy_to_palloc(const std::string& text) {
    if (text.size() >= MaxAllocSize) {
        throw std::length_error("result too large");
    }
    char* copy = static_cast<char*>(palloc_extended(text.size() + 1, MCXT_ALLOC_NO_OOM));
    if (copy == nullptr) {
        throw std::bad_alloc();
    }
    std::memcpy(copy, text.c_str(), text.size() + 1);
    return copy;
}

inline Datum jsonb_datum(const char* json_text) {
    return DirectFunctionCall1(jsonb_in, CStringGetDatum(json_text));
}

}  // namespace leadscore::pg
