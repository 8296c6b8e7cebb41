// Durations in scoring models ("30 days", "2 weeks", "3 months"), as
// microseconds, the unit of PostgreSQL's timestamptz.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace leadscore::core {

inline constexpr std::int64_t kMicrosPerSecond = 1000000;
inline constexpr std::int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

// "<number> <unit>", the number positive (decimals allowed), the unit one of
// second, minute, hour, day, week, month (30 days) or year (365 days),
// singular or plural, case-insensitive. A month is a fixed 30 days because a
// score must not change with the calendar month it is computed in. Returns
// nothing for anything else, including zero, negative and out-of-range values
// (more than 1000 years).
std::optional<std::int64_t> parse_duration(std::string_view text);

// The shortest "<n> <unit>" that parse_duration reads back as `micros`.
std::string format_duration(std::int64_t micros);

}  // namespace leadscore::core
