#include "pg/calendar/pg_time_zone.hpp"

#include <limits>

extern "C" {
#include "datatype/timestamp.h"
}

#include "core/common/error.hpp"

namespace leadscore::pg {

namespace {

// pg_time_t counts from 1970, the core from 2000 (PostgreSQL's epoch).
constexpr std::int64_t kUnixToPostgres =
    static_cast<std::int64_t>(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY;

}  // namespace

std::int64_t PgTimeZone::offset_at(std::int64_t utc_seconds) const {
    for (const Span& span : spans_) {
        if (utc_seconds >= span.from && utc_seconds < span.until) {
            return span.offset;
        }
    }
    const pg_time_t instant = utc_seconds + kUnixToPostgres;
    long int before_offset = 0;
    long int after_offset = 0;
    int before_dst = 0;
    int after_dst = 0;
    pg_time_t boundary = 0;
    // Never ereports; 1: a transition follows, 0: the offset holds forever.
    const int found = pg_next_dst_boundary(&instant, &before_offset, &before_dst, &boundary,
                                           &after_offset, &after_dst, zone_);
    if (found < 0) {
        throw core::Error(core::sqlstate::kDatetimeFieldOverflow,
                          "the time zone has no UTC offset for this time",
                          "Use a time within the years calendars cover.");
    }
    newest_ = 1 - newest_;
    Span& span = spans_[newest_];
    span.from = utc_seconds;
    span.until = found == 1 ? boundary - kUnixToPostgres : std::numeric_limits<std::int64_t>::max();
    span.offset = before_offset;
    return span.offset;
}

}  // namespace leadscore::pg
