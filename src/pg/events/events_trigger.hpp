// The events trigger's per-backend caches (see events_trigger.cpp).
#pragma once

#include "pg/common/postgres.hpp"

extern "C" {
#include "commands/trigger.h"
#include "utils/array.h"
}

namespace leadscore::pg {

// Registers the relcache and transaction callbacks; called from _PG_init.
void register_events_trigger_callbacks();

// The events triggers' caches: entries of an older generation are stale.
// An invalidation of leadscore's config tables, or of a relation an entry
// was built from (watch_relation), starts a new generation.
uint64 events_cache_generation();
void watch_relation(Oid relation);

// The attached events table an events trigger (or its clone on a
// partition of that table) fired on `relation` works for. Call it before
// building a cache entry: it also makes sure the config tables'
// invalidations are heard.
Oid attached_events_table(const Trigger* trigger, Oid relation);

// The distinct lead keys in column `lead_column` of the rows the statement
// inserted, as text (their type's output function, as the clocks and
// rescore's statement read them), and with `also_trimmed` a char(n) key
// also without its padding; NULL when there is none.
ArrayType* inserted_keys(TriggerData* trigger_data, const char* lead_column, bool also_trimmed);

}  // namespace leadscore::pg
