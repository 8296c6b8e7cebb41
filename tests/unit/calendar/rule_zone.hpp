// Time zones for the core's unit tests, built from daylight-saving rules
// (the glue uses PostgreSQL's tz database; the core only sees offset_at).
#pragma once

#include <cstdint>

#include "core/calendar/civil_date.hpp"
#include "core/calendar/local_time.hpp"

namespace leadscore::core::testing {

// A transition on the n-th Sunday of a month (n = -1: the last), at a UTC
// time of day in seconds.
struct Transition {
    int month;
    int nth_sunday;
    std::int64_t utc_seconds_of_day;
};

class RuleZone : public TimeZoneRules {
  public:
    // No daylight saving when dst_offset == standard_offset.
    RuleZone(std::int64_t standard_offset, std::int64_t dst_offset, Transition dst_start,
             Transition dst_end)
        : standard_(standard_offset), dst_(dst_offset), start_(dst_start), end_(dst_end) {}

    static RuleZone fixed(std::int64_t offset) { return RuleZone(offset, offset, {}, {}); }

    std::int64_t offset_at(std::int64_t utc_seconds) const override {
        if (standard_ == dst_) {
            return standard_;
        }
        const std::int64_t day = utc_seconds / 86400 - (utc_seconds % 86400 < 0 ? 1 : 0);
        const int year = civil_date(day).year;
        const std::int64_t begins = transition_at(year, start_);
        const std::int64_t ends = transition_at(year, end_);
        // Southern zones start daylight saving late in the year and end it early.
        const bool in_dst = begins < ends ? utc_seconds >= begins && utc_seconds < ends
                                          : utc_seconds >= begins || utc_seconds < ends;
        return in_dst ? dst_ : standard_;
    }

  private:
    static std::int64_t transition_at(int year, Transition rule) {
        std::int64_t day;
        if (rule.nth_sunday > 0) {
            day = day_number({year, rule.month, 1});
            while (weekday(day) != 6) {
                ++day;
            }
            day += 7 * (rule.nth_sunday - 1);
        } else {
            day = day_number({rule.month == 12 ? year + 1 : year, rule.month % 12 + 1, 1}) - 1;
            while (weekday(day) != 6) {
                --day;
            }
        }
        return day * 86400 + rule.utc_seconds_of_day;
    }

    std::int64_t standard_;
    std::int64_t dst_;
    Transition start_;
    Transition end_;
};

// America/New_York since 2007: 02:00 local on the second Sunday of March
// (07:00 UTC) to 02:00 local on the first Sunday of November (06:00 UTC).
inline RuleZone new_york() {
    return RuleZone(-5 * 3600, -4 * 3600, {3, 2, 7 * 3600}, {11, 1, 6 * 3600});
}
// Europe/Berlin: 01:00 UTC on the last Sundays of March and October.
inline RuleZone berlin() {
    return RuleZone(3600, 7200, {3, -1, 3600}, {10, -1, 3600});
}
// Australia/Sydney: 02:00 standard on the first Sunday of October (16:00 UTC
// the day before) to 03:00 daylight on the first Sunday of April (16:00 UTC
// the day before).
inline RuleZone sydney() {
    return RuleZone(10 * 3600, 11 * 3600, {10, 1, -8 * 3600}, {4, 1, -8 * 3600});
}

}  // namespace leadscore::core::testing
