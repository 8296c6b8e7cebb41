// Proleptic Gregorian dates as day numbers counted from 2000-01-01, the
// epoch of PostgreSQL's date and timestamp types, so the glue passes its
// values through unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace leadscore::core {

struct CivilDate {
    int year;
    int month;  // 1..12
    int day;    // 1..31
};

// Days from 2000-01-01 (negative before it).
std::int64_t day_number(CivilDate date);
CivilDate civil_date(std::int64_t day_number);

// 0 = Monday .. 6 = Sunday (ISO 8601).
int weekday(std::int64_t day_number);

// "YYYY-MM-DD" with a real month and day; nothing for anything else.
std::optional<CivilDate> parse_civil_date(std::string_view text);
std::string format_civil_date(CivilDate date);

}  // namespace leadscore::core
