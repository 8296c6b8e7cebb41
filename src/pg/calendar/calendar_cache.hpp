// Business calendars, compiled once per backend with their per-year interval
// indexes. A function finds its calendar through fn_extra (no lookup at all
// while nothing changed); a calendar is read with SPI on first use and after
// a change to leadscore.calendars, which invalidates that table's relcache
// entry in every backend (statement trigger). Replaced calendars are freed
// at transaction end, so references stay valid for the transaction.
#pragma once

#include <string_view>

#include "pg/common/postgres.hpp"

#include "core/calendar/business_calendar.hpp"

namespace leadscore::pg {

// The calendar named by argument `n`: ERROR 22004 when it is NULL, 42704
// with the defined calendars as hint when there is none.
core::BusinessCalendar& calendar_arg(FunctionCallInfo fcinfo, int n);

// The calendar `name` (errors as calendar_arg's). Safe where C++ objects are
// alive: PostgreSQL errors come back as C++ exceptions (call_postgres).
core::BusinessCalendar& calendar_named(std::string_view name);

void register_calendar_cache_callbacks();

}  // namespace leadscore::pg
