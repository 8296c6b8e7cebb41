// The SLA activity trigger's per-backend cache (see sla_activity.cpp).
#pragma once

namespace leadscore::pg {

// Registers the transaction callback that frees stale entries; called from
// _PG_init.
void register_sla_activity_callbacks();

}  // namespace leadscore::pg
