// Wall-clock times of a time zone mapped to instants and back. The zone's
// rules come from outside the core (the glue asks PostgreSQL's time zone
// database); this file decides what a local time means when the clocks jump.
//
// Instants are microseconds from 2000-01-01 00:00 UTC (PostgreSQL's
// timestamptz); local times are microseconds from 2000-01-01 00:00 on the
// local wall clock.
#pragma once

#include <cstdint>

namespace leadscore::core {

using Micros = std::int64_t;

class TimeZoneRules {
  public:
    virtual ~TimeZoneRules() = default;
    // Seconds east of UTC in force at `utc_seconds` (from 2000-01-01 UTC).
    virtual std::int64_t offset_at(std::int64_t utc_seconds) const = 0;
};

// The first instant at which the wall clock reads `local` or later. So a
// local time skipped by a spring-forward jump maps to the instant of the jump
// (02:30 on a day that goes from 02:00 to 03:00 is 03:00), and a local time
// that occurs twice after a fall-back maps to its first occurrence. The map
// never decreases, so windows keep their order and never turn inside out.
Micros local_to_instant(const TimeZoneRules& zone, Micros local);

// The wall-clock time at `instant`.
Micros instant_to_local(const TimeZoneRules& zone, Micros instant);

}  // namespace leadscore::core
