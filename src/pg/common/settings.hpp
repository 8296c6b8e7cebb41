// leadscore's GUCs, defined in _PG_init (module.cpp).
#pragma once

namespace leadscore::pg {

// The value of leadscore.reason: the variable PostgreSQL keeps it in, so
// reading it costs nothing per row (never NULL once the module is loaded).
const char* reason_setting();

}  // namespace leadscore::pg
