// The events trigger's per-backend caches (see events_trigger.cpp).
#pragma once

namespace leadscore::pg {

// Registers the relcache and transaction callbacks; called from _PG_init.
void register_events_trigger_callbacks();

}  // namespace leadscore::pg
