// A diagnostic that fails from deep inside the core on purpose, so the
// regression tests can prove that every kind of C++ exception crosses into
// PostgreSQL as a clean ERROR without leaking what the unwound frames held.
#pragma once

#include <string_view>

namespace leadscore::core {

enum class ProbeFailure {
    None,           // return normally
    CoreError,      // leadscore::core::Error with SQLSTATE 22023
    OutOfMemory,    // std::bad_alloc
    StdException,   // std::runtime_error
    ForeignObject,  // something that is not a std::exception
};

// Parses "none", "core_error", "out_of_memory", "std_exception" or
// "foreign_object"; throws Error(22023) naming the value otherwise.
ProbeFailure parse_probe_failure(std::string_view name);

inline constexpr int kMaxProbeDepth = 1000;

// Recurses `depth` frames, each holding heap-allocated strings and a vector,
// then fails as `failure` says. Returns the number of frames visited when
// failure is None. Throws Error(22023) when depth is outside 1..kMaxProbeDepth.
int run_boundary_probe(ProbeFailure failure, int depth);

}  // namespace leadscore::core
