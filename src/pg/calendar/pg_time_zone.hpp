// The core's TimeZoneRules answered by PostgreSQL's own time zone database
// (the tzdata PostgreSQL was built with, as `AT TIME ZONE` uses it).
#pragma once

#include "pg/common/postgres.hpp"

extern "C" {
#include "pgtime.h"
}

#include "core/calendar/local_time.hpp"

namespace leadscore::pg {

class PgTimeZone final : public core::TimeZoneRules {
  public:
    explicit PgTimeZone(const pg_tz* zone) : zone_(zone) {}

    // Throws core::Error when the zone has no answer (never for real zones).
    std::int64_t offset_at(std::int64_t utc_seconds) const override;

  private:
    // An offset and the span of seconds it is known to hold for. Business
    // arithmetic asks about nearby instants many times (a day's windows, the
    // days of a year), so the last two spans answer most questions.
    struct Span {
        std::int64_t from = 1;
        std::int64_t until = 0;  // empty
        std::int64_t offset = 0;
    };

    const pg_tz* zone_;
    mutable Span spans_[2];
    mutable int newest_ = 0;
};

}  // namespace leadscore::pg
