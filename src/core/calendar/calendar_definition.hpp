// Business calendars as users write them (JSON), checked and normalised:
//
//   {"time_zone": "America/New_York",
//    "week": {"mon": [["09:00", "12:00"], ["13:00", "17:00"]], ...,
//             "fri": [["22:00", "06:00", "overnight"]]},
//    "holidays": {"2025-12-25": [], "2025-12-24": [["09:00", "13:00"]]}}
//
// Windows are local wall-clock times, start inclusive and end exclusive;
// "24:00" ends a window at midnight; an overnight window (marked so) runs
// into the next day and belongs to the day it starts on. Windows of a day
// that touch are joined, into at most 24 hours (a longer stretch is refused:
// it would have no normal form). A holiday replaces the windows of its date
// (an empty list closes the whole day). Holidays may also be a list of
// dates, each closed all day.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/document_limits.hpp"

namespace leadscore::core {

// Calendars cover these local years; business time outside them is an
// error rather than a guess (nobody knows the holidays of 2400).
inline constexpr int kFirstCalendarYear = 1900;
inline constexpr int kLastCalendarYear = 2299;

// Size limits (Error 54000 beyond them, see document_limits.hpp; and
// kMaxCalendarBytes of JSON).
inline constexpr std::size_t kMaxWindowsPerDay = 48;
inline constexpr std::size_t kMaxHolidays = 100000;

struct LocalWindow {
    std::int32_t start;  // seconds after local midnight
    std::int32_t end;    // after start; beyond 86400 for an overnight window
};

using DayWindows = std::vector<LocalWindow>;  // sorted, disjoint

struct Holiday {
    std::int64_t day;  // day number (days from 2000-01-01)
    DayWindows windows;
};

struct CalendarDefinition {
    std::string time_zone;
    std::array<DayWindows, 7> week;  // Monday first
    std::vector<Holiday> holidays;   // sorted by day, one per day
};

// The definition, or core::Error (22023) naming the JSON path of the first
// problem (54000 for a Definition beyond the limits). The time zone is only
// checked to be a plausible name; the glue checks that PostgreSQL knows it.
// Time linear in the definition's size; stops at stop_point()s.
CalendarDefinition parse_calendar(std::string_view definition_json, std::string_view name,
                                  DocumentSource source = DocumentSource::Definition);

// The normalised JSON document: every weekday listed, windows sorted,
// holidays as an object in date order. parse_calendar reads it back equal.
std::string calendar_json(const CalendarDefinition& calendar);

// What define_calendar stores: calendar_json of the parsed definition, which
// must fit in kMaxCalendarBytes too (Error 54000).
// Stored: a row written to the calendar table (as a restore writes it), read
// without the limits, as normalised_model reads a model row.
std::string normalised_calendar(std::string_view definition_json, std::string_view name,
                                DocumentSource source = DocumentSource::Definition);

// Calendar names follow model names: 1 to 63 bytes, no control characters.
void check_calendar_name(std::string_view name);

}  // namespace leadscore::core
