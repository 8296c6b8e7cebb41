// leadscore.define_calendar's validation and the business-time functions:
// business_add, business_diff, is_business_time, next_business_start.
#include "pg/calendar/calendar_cache.hpp"
#include "pg/common/guard.hpp"
#include "pg/common/jsonb_text.hpp"
#include "pg/common/text_datum.hpp"

extern "C" {
#include "utils/timestamp.h"
}

#include "core/calendar/calendar_definition.hpp"

namespace core = leadscore::core;
namespace pg = leadscore::pg;

namespace {

// A timestamptz argument that must be finite: ERROR 22008 otherwise.
TimestampTz finite_arg(FunctionCallInfo fcinfo, int n, const char* function, const char* what) {
    const TimestampTz value = PG_GETARG_TIMESTAMPTZ(n);
    if (TIMESTAMP_NOT_FINITE(value)) {
        ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                        errmsg("%s needs a finite %s, got %s", function, what,
                               TIMESTAMP_IS_NOBEGIN(value) ? "-infinity" : "infinity"),
                        errhint("Business time is measured between real points in time.")));
    }
    return value;
}

bool any_null(FunctionCallInfo fcinfo, int from, int to) {
    for (int n = from; n <= to; ++n) {
        if (PG_ARGISNULL(n)) {
            return true;
        }
    }
    return false;
}

Datum business_interval(core::Micros micros) {
    auto* result = static_cast<Interval*>(palloc(sizeof(Interval)));
    result->time = micros;
    result->day = 0;
    result->month = 0;
    return IntervalPGetDatum(result);
}

// The definition argument validated and normalised, or an ERROR naming the
// JSON path.
Datum normalised_calendar_arg(FunctionCallInfo fcinfo, core::DocumentSource source) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) {
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("a calendar needs a name and a definition, got NULL"),
                        errhint("Example: leadscore.define_calendar('office', '{\"time_zone\": "
                                "\"Europe/Berlin\", \"week\": {\"mon\": [[\"09:00\", "
                                "\"17:00\"]]}}').")));
    }
    const std::string_view name = pg::text_arg(fcinfo, 0);
    const char* definition = pg::jsonb_arg_text(fcinfo, 1);
    const char* normalised;
    {
        core::check_calendar_name(name);
        normalised = pg::copy_to_palloc(core::normalised_calendar(definition, name, source));
    }
    return pg::jsonb_datum(normalised);
}

}  // namespace

// leadscore._check_calendar(name, definition) -> jsonb, within the size
// limits: what define_calendar stores.
LEADSCORE_FUNCTION(check_calendar) {
    return normalised_calendar_arg(fcinfo, core::DocumentSource::Definition);
}

// leadscore._normalise_stored_calendar(name, definition) -> jsonb: the same
// without the size limits, for rows written to leadscore.calendars.
LEADSCORE_FUNCTION(normalise_stored_calendar) {
    return normalised_calendar_arg(fcinfo, core::DocumentSource::Stored);
}

// (calendar, start, amount interval) -> timestamptz
LEADSCORE_FUNCTION(business_add) {
    core::BusinessCalendar& calendar = pg::calendar_arg(fcinfo, 0);
    if (any_null(fcinfo, 1, 2)) {
        PG_RETURN_NULL();
    }
    const TimestampTz start = finite_arg(fcinfo, 1, "business_add", "start");
    const Interval* amount = PG_GETARG_INTERVAL_P(2);
    if (amount->month != 0 || amount->day != 0) {
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                 errmsg("business_add needs an amount in hours, minutes and seconds, got '%s'",
                        DatumGetCString(DirectFunctionCall1(interval_out, PG_GETARG_DATUM(2)))),
                 errhint("Days, months and years of business time have no fixed length; write "
                         "e.g. interval '16 hours' for two 8-hour days.")));
    }
    PG_RETURN_TIMESTAMPTZ(calendar.add(start, amount->time));
}

// (calendar, start, finish) -> interval
LEADSCORE_FUNCTION(business_diff) {
    core::BusinessCalendar& calendar = pg::calendar_arg(fcinfo, 0);
    if (any_null(fcinfo, 1, 2)) {
        PG_RETURN_NULL();
    }
    const TimestampTz start = finite_arg(fcinfo, 1, "business_diff", "start");
    const TimestampTz finish = finite_arg(fcinfo, 2, "business_diff", "finish");
    return business_interval(calendar.diff(start, finish));
}

// (calendar, ts) -> boolean
LEADSCORE_FUNCTION(is_business_time) {
    core::BusinessCalendar& calendar = pg::calendar_arg(fcinfo, 0);
    if (PG_ARGISNULL(1)) {
        PG_RETURN_NULL();
    }
    PG_RETURN_BOOL(calendar.is_business_time(finite_arg(fcinfo, 1, "is_business_time", "time")));
}

// (calendar, ts) -> timestamptz
LEADSCORE_FUNCTION(next_business_start) {
    core::BusinessCalendar& calendar = pg::calendar_arg(fcinfo, 0);
    if (PG_ARGISNULL(1)) {
        PG_RETURN_NULL();
    }
    PG_RETURN_TIMESTAMPTZ(
        calendar.next_start(finite_arg(fcinfo, 1, "next_business_start", "time")));
}
