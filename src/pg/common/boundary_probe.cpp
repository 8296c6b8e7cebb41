// leadscore.boundary_probe: fails from deep in the core on purpose (see
// core/boundary_probe.hpp); the regression tests use it to prove the guard.
#include "pg/common/guard.hpp"
#include "pg/common/text_datum.hpp"

#include "core/common/boundary_probe.hpp"

namespace core = leadscore::core;

LEADSCORE_FUNCTION(boundary_probe) {
    const std::string_view failure = leadscore::pg::text_arg(fcinfo, 0);
    const int depth = PG_GETARG_INT32(1);
    PG_RETURN_INT32(core::run_boundary_probe(core::parse_probe_failure(failure), depth));
}
