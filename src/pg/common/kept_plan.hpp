// A statement prepared through SPI and kept for the backend (SPI_keepplan):
// leadscore's triggers prepare their statements once per session.
#pragma once

#include "pg/common/postgres.hpp"

extern "C" {
#include "executor/spi.h"
}

namespace leadscore::pg {

// Needs an SPI connection; ERROR when the statement does not prepare.
inline SPIPlanPtr kept_plan(const char* statement, int count, Oid* types) {
    SPIPlanPtr plan = SPI_prepare(statement, count, types);
    if (plan == nullptr || SPI_keepplan(plan) != 0) {
        elog(ERROR, "leadscore: preparing a statement failed: %s",
             SPI_result_code_string(SPI_result));
    }
    return plan;
}

}  // namespace leadscore::pg
