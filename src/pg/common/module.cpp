// The module's magic block and its initialisation.
#include "pg/common/postgres.hpp"

extern "C" {
#include "utils/guc.h"
}

#include "pg/lifecycle/attachment_cache.hpp"
#include "pg/calendar/calendar_cache.hpp"
#include "pg/events/events_trigger.hpp"
#include "pg/common/guard.hpp"
#include "pg/scoring/model_cache.hpp"
#include "pg/scoring/score_promotion.hpp"
#include "pg/common/settings.hpp"
#include "pg/sla/sla_activity.hpp"
#include "pg/sla/sla_clock_store.hpp"
#include "pg/common/table_appender.hpp"

#include "core/common/stop_check.hpp"

extern "C" {
PG_MODULE_MAGIC;

void _PG_init(void);
}

namespace {

char* reason_value = nullptr;

}  // namespace

const char* leadscore::pg::reason_setting() {
    return reason_value != nullptr ? reason_value : "";
}

void _PG_init(void) {
    DefineCustomStringVariable(
        "leadscore.reason",
        "Reason code recorded with the stage changes of this transaction or session.",
        "Applications that cannot fill a reason column set it with SET LOCAL before moving a "
        "lead into recycled or disqualified.",
        &reason_value, "", PGC_USERSET, 0, nullptr, nullptr, nullptr);
    MarkGUCPrefixReserved("leadscore");
    leadscore::pg::register_attachment_cache_callbacks();
    leadscore::pg::register_appender_callbacks();
    leadscore::pg::register_model_cache_callbacks();
    leadscore::pg::register_calendar_cache_callbacks();
    leadscore::pg::register_score_promotion_callbacks();
    leadscore::pg::register_clock_store_callbacks();
    leadscore::pg::register_events_trigger_callbacks();
    leadscore::pg::register_sla_activity_callbacks();
    // The core's long loops stop on a cancel or a statement_timeout (guard.hpp).
    leadscore::core::set_stop_hook(leadscore::pg::stop_requested);
}
