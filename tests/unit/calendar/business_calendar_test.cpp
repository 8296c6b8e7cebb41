#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>

#include "core/calendar/business_calendar.hpp"
#include "core/calendar/civil_date.hpp"
#include "core/common/error.hpp"
#include "random_calendar.hpp"
#include "rule_zone.hpp"

namespace leadscore::core {
namespace {

constexpr Micros kMinute = 60 * Micros{1000000};
constexpr Micros kHour = 60 * kMinute;
constexpr Micros kDay = 24 * kHour;

BusinessCalendar calendar_of(const std::string& week, testing::RuleZone zone,
                             const std::string& holidays = "{}") {
    const std::string json =
        R"({"time_zone": "Test/Zone", "week": )" + week + R"(, "holidays": )" + holidays + "}";
    return BusinessCalendar("test", parse_calendar(json, "test"),
                            std::make_unique<testing::RuleZone>(zone));
}

// An instant given as UTC wall-clock time.
Micros utc(CivilDate date, int hour, int minute = 0) {
    return day_number(date) * kDay + hour * kHour + minute * kMinute;
}

constexpr char kOfficeWeek[] =
    R"({"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]], "wed": [["09:00", "17:00"]],
        "thu": [["09:00", "17:00"]], "fri": [["09:00", "17:00"]]})";

// 2025-11-24 is a Monday.
TEST(BusinessCalendar, AddsAndSubtractsInsideOfficeHours) {
    BusinessCalendar office = calendar_of(kOfficeWeek, testing::RuleZone::fixed(0));
    EXPECT_EQ(office.add(utc({2025, 11, 24}, 9), 8 * kHour), utc({2025, 11, 24}, 17));
    EXPECT_EQ(office.add(utc({2025, 11, 24}, 10), 2 * kHour), utc({2025, 11, 24}, 12));
    // Friday afternoon to Monday morning.
    EXPECT_EQ(office.add(utc({2025, 11, 28}, 16, 30), kHour), utc({2025, 12, 1}, 9, 30));
    // A start outside business time counts from the next window.
    EXPECT_EQ(office.add(utc({2025, 11, 29}, 10), kHour), utc({2025, 12, 1}, 10));
    EXPECT_EQ(office.add(utc({2025, 11, 24}, 17), kHour), utc({2025, 11, 25}, 10));
    EXPECT_EQ(office.add(utc({2025, 11, 24}, 3), 8 * kHour), utc({2025, 11, 24}, 17));
    // Backward: the latest instant with that much business time before.
    EXPECT_EQ(office.add(utc({2025, 12, 1}, 9, 30), -kHour), utc({2025, 11, 28}, 16, 30));
    EXPECT_EQ(office.add(utc({2025, 11, 25}, 17), -8 * kHour), utc({2025, 11, 25}, 9));
    EXPECT_EQ(office.add(utc({2025, 11, 25}, 9), -8 * kHour), utc({2025, 11, 24}, 9));
    // Zero returns the start, business time or not.
    EXPECT_EQ(office.add(utc({2025, 11, 29}, 10), 0), utc({2025, 11, 29}, 10));
    // A week of business time is five days.
    EXPECT_EQ(office.add(utc({2025, 11, 24}, 9), 40 * kHour), utc({2025, 11, 28}, 17));
    EXPECT_EQ(office.add(utc({2025, 11, 24}, 9), 40 * kHour + 1), utc({2025, 12, 1}, 9) + 1);
}

TEST(BusinessCalendar, DiffsIsWithinAndNextStart) {
    BusinessCalendar office = calendar_of(kOfficeWeek, testing::RuleZone::fixed(0));
    EXPECT_EQ(office.diff(utc({2025, 11, 28}, 16), utc({2025, 12, 1}, 10)), 2 * kHour);
    EXPECT_EQ(office.diff(utc({2025, 12, 1}, 10), utc({2025, 11, 28}, 16)), -2 * kHour);
    EXPECT_EQ(office.diff(utc({2025, 11, 29}, 0), utc({2025, 11, 30}, 23)), 0);
    EXPECT_TRUE(office.is_business_time(utc({2025, 11, 24}, 9)));
    EXPECT_TRUE(office.is_business_time(utc({2025, 11, 24}, 17) - 1));
    EXPECT_FALSE(office.is_business_time(utc({2025, 11, 24}, 17)));
    EXPECT_FALSE(office.is_business_time(utc({2025, 11, 29}, 12)));
    EXPECT_EQ(office.next_start(utc({2025, 11, 24}, 12)), utc({2025, 11, 24}, 12));
    EXPECT_EQ(office.next_start(utc({2025, 11, 28}, 17)), utc({2025, 12, 1}, 9));
    // Across a year boundary.
    EXPECT_EQ(office.next_start(utc({2026, 12, 31}, 18)), utc({2027, 1, 1}, 9));
    EXPECT_EQ(office.diff(utc({2025, 1, 1}, 0), utc({2026, 1, 1}, 0)), 261 * 8 * kHour);
}

TEST(BusinessCalendar, LunchBreaksOvernightShiftsAndFullDays) {
    BusinessCalendar lunch = calendar_of(R"({"mon": [["09:00", "12:00"], ["13:00", "17:00"]]})",
                                         testing::RuleZone::fixed(0));
    EXPECT_EQ(lunch.add(utc({2025, 11, 24}, 11), 2 * kHour), utc({2025, 11, 24}, 14));
    EXPECT_FALSE(lunch.is_business_time(utc({2025, 11, 24}, 12, 30)));
    EXPECT_EQ(lunch.next_start(utc({2025, 11, 24}, 12, 30)), utc({2025, 11, 24}, 13));
    // The Friday night shift runs into Saturday and belongs to Friday.
    BusinessCalendar night =
        calendar_of(R"({"fri": [["22:00", "06:00", "overnight"]]})", testing::RuleZone::fixed(0));
    EXPECT_TRUE(night.is_business_time(utc({2025, 11, 29}, 5)));
    EXPECT_EQ(night.add(utc({2025, 11, 28}, 23), 4 * kHour), utc({2025, 11, 29}, 3));
    EXPECT_EQ(night.diff(utc({2025, 11, 28}, 0), utc({2025, 12, 5}, 0)), 8 * kHour);
    // A shift that starts on New Year's Eve and a finish inside it, years
    // after the start (found by the fuzzer: the whole shift was counted).
    // 2027-12-31 is a Friday.
    const Micros years_before = utc({2024, 3, 1}, 0);
    const Micros new_year = utc({2028, 1, 1}, 0);
    EXPECT_EQ(night.diff(years_before, new_year),
              night.diff(years_before, utc({2027, 12, 31}, 22)) + 2 * kHour);
    EXPECT_EQ(night.add(years_before, night.diff(years_before, new_year)), new_year);
    EXPECT_EQ(night.diff(years_before, utc({2028, 1, 1}, 6)) - night.diff(years_before, new_year),
              6 * kHour);
    // Windows touching across midnight are one stretch: a 24/7 week.
    BusinessCalendar always = calendar_of(
        R"({"mon": [["00:00", "24:00"]], "tue": [["00:00", "24:00"]], "wed": [["00:00", "24:00"]],
            "thu": [["00:00", "24:00"]], "fri": [["00:00", "24:00"]], "sat": [["00:00", "24:00"]],
            "sun": [["00:00", "24:00"]]})",
        testing::RuleZone::fixed(0));
    EXPECT_EQ(always.diff(utc({2025, 11, 24}, 5), utc({2025, 12, 1}, 5)), 7 * kDay);
    EXPECT_EQ(always.add(utc({2025, 12, 31}, 23), 2 * kHour), utc({2026, 1, 1}, 1));
    EXPECT_EQ(always.add(utc({2026, 1, 1}, 1), -2 * kHour), utc({2025, 12, 31}, 23));
}

TEST(BusinessCalendar, HolidaysCloseOrShortenTheirDay) {
    BusinessCalendar office =
        calendar_of(kOfficeWeek, testing::RuleZone::fixed(0),
                    R"({"2025-12-25": [], "2025-12-24": [["09:00", "13:00"]]})");
    EXPECT_EQ(office.diff(utc({2025, 12, 22}, 0), utc({2025, 12, 27}, 0)),
              3 * 8 * kHour + 4 * kHour);
    EXPECT_EQ(office.add(utc({2025, 12, 24}, 12), 2 * kHour), utc({2025, 12, 26}, 10));
    EXPECT_FALSE(office.is_business_time(utc({2025, 12, 25}, 10)));
    EXPECT_FALSE(office.is_business_time(utc({2025, 12, 24}, 14)));
}

TEST(BusinessCalendar, TimeZonesShiftTheWindows) {
    // Asia/Kolkata, UTC+05:30 all year: 09:00 there is 03:30 UTC.
    BusinessCalendar kolkata = calendar_of(kOfficeWeek, testing::RuleZone::fixed(19800));
    EXPECT_EQ(kolkata.next_start(utc({2025, 11, 24}, 0)), utc({2025, 11, 24}, 3, 30));
    EXPECT_EQ(kolkata.add(utc({2025, 11, 24}, 0), 8 * kHour), utc({2025, 11, 24}, 11, 30));
    // Sunday 23:00 UTC is already Monday 04:30 in Kolkata.
    EXPECT_EQ(kolkata.next_start(utc({2025, 11, 23}, 23)), utc({2025, 11, 24}, 3, 30));
}

TEST(BusinessCalendar, DaylightSavingKeepsWallClockWindows) {
    BusinessCalendar new_york = calendar_of(kOfficeWeek, testing::new_york());
    // 09:00 EST is 14:00 UTC; after the spring jump 09:00 EDT is 13:00 UTC.
    EXPECT_EQ(new_york.next_start(utc({2025, 3, 7}, 12)), utc({2025, 3, 7}, 14));
    EXPECT_EQ(new_york.next_start(utc({2025, 3, 10}, 12)), utc({2025, 3, 10}, 13));
    // Friday 16:00 EST + 2h = Monday 10:00 EDT: still two hours of work.
    EXPECT_EQ(new_york.add(utc({2025, 3, 7}, 21), 2 * kHour), utc({2025, 3, 10}, 14));
    EXPECT_EQ(new_york.diff(utc({2025, 3, 3}, 0), utc({2025, 3, 15}, 0)), 10 * 8 * kHour);

    // A window across the jump is shorter or longer in real time.
    const char* night = R"({"sun": [["00:00", "04:00"]]})";
    BusinessCalendar spring = calendar_of(night, testing::new_york());
    EXPECT_EQ(spring.diff(utc({2025, 3, 9}, 0), utc({2025, 3, 10}, 0)), 3 * kHour);
    EXPECT_EQ(spring.diff(utc({2025, 11, 2}, 0), utc({2025, 11, 3}, 0)), 5 * kHour);
    EXPECT_EQ(spring.diff(utc({2025, 11, 9}, 0), utc({2025, 11, 10}, 0)), 4 * kHour);
    // A window inside the skipped hour never happens.
    BusinessCalendar skipped = calendar_of(R"({"sun": [["02:10", "02:50"]]})", testing::new_york());
    EXPECT_EQ(skipped.diff(utc({2025, 3, 9}, 0), utc({2025, 3, 10}, 0)), 0);
    EXPECT_EQ(skipped.diff(utc({2025, 3, 16}, 0), utc({2025, 3, 17}, 0)), 40 * kMinute);

    // Sydney springs forward in October, Berlin at the end of March.
    BusinessCalendar sydney = calendar_of(night, testing::sydney());
    EXPECT_EQ(sydney.diff(utc({2025, 10, 4}, 0), utc({2025, 10, 6}, 0)), 3 * kHour);
    EXPECT_EQ(sydney.diff(utc({2025, 4, 5}, 0), utc({2025, 4, 7}, 0)), 5 * kHour);
    BusinessCalendar berlin = calendar_of(night, testing::berlin());
    EXPECT_EQ(berlin.diff(utc({2025, 3, 29}, 12), utc({2025, 3, 30}, 12)), 3 * kHour);
    EXPECT_EQ(berlin.diff(utc({2025, 10, 25}, 12), utc({2025, 10, 26}, 12)), 5 * kHour);
}

TEST(BusinessCalendar, OutsideTheCoveredYearsIsAnError) {
    BusinessCalendar office = calendar_of(kOfficeWeek, testing::RuleZone::fixed(0));
    try {
        office.add(utc({2299, 12, 28}, 9), 100 * kHour);  // a Thursday
        ADD_FAILURE() << "no error";
    } catch (const Error& error) {
        EXPECT_STREQ(error.sqlstate(), sqlstate::kDatetimeFieldOverflow);
        EXPECT_NE(std::string(error.what()).find("outside the years calendar \"test\" covers"),
                  std::string::npos);
    }
    EXPECT_THROW(office.is_business_time(utc({1899, 6, 1}, 9)), Error);
    EXPECT_THROW(office.add(utc({1900, 1, 2}, 9), -100 * kHour), Error);
    EXPECT_EQ(office.add(utc({2299, 12, 28}, 9), 16 * kHour), utc({2299, 12, 29}, 17));
    EXPECT_THROW(office.next_start(utc({2299, 12, 30}, 9)), Error);
}

// 2299-12-31 is a Sunday: its overnight window runs into 2300, a year no
// function accepts. 0.6 answered 2300-01-01 01:00 here.
TEST(BusinessCalendar, AddNeverAnswersOutsideTheCoveredYears) {
    BusinessCalendar edge = calendar_of(R"({"sun": [["22:00", "06:00", "overnight"]]})",
                                        testing::RuleZone::fixed(3600));
    const Micros late = utc({2299, 12, 31}, 22);  // 23:00 local
    try {
        edge.add(late, 2 * kHour);
        ADD_FAILURE() << "no error";
    } catch (const Error& error) {
        EXPECT_STREQ(error.sqlstate(), sqlstate::kDatetimeFieldOverflow);
        EXPECT_NE(std::string(error.what())
                      .find("the result (local date 2300-01-01) is outside the years calendar "
                            "\"test\" covers"),
                  std::string::npos)
            << error.what();
        EXPECT_NE(error.hint().find("1900-01-01 to 2299-12-31"), std::string::npos);
    }
    // Up to the last microsecond of 2299 it answers; midnight is 2300.
    EXPECT_EQ(edge.add(late, kHour - 1), utc({2299, 12, 31}, 23) - 1);
    EXPECT_THROW(edge.add(late, kHour), Error);
    EXPECT_EQ(edge.diff(late, edge.add(late, kHour - 1)), kHour - 1);
    // A zero amount checks its start like any other.
    EXPECT_THROW(edge.add(utc({2299, 12, 31}, 23), 0), Error);
    // Going back stops at 1900-01-01 00:00 local: the first Sunday covered
    // is 1900-01-07 (the overnight window of 1899-12-31 is not covered).
    const Micros early = utc({1900, 1, 8}, 4);  // 05:00 local
    EXPECT_EQ(edge.add(early, -7 * kHour), utc({1900, 1, 7}, 21));
    EXPECT_THROW(edge.add(early, -7 * kHour - 1), Error);
}

// On generated calendars (touching, overnight and holiday windows, holidays
// at the edges of the covered years), in four zones: add answers exactly
// when the amount fits between the start and the edge of the covered years
// (1900-01-01 00:00 and 2300-01-01 00:00 local), and then business_diff
// gives the amount back.
TEST(BusinessCalendar, AddAnswersWhatDiffGivesBackUpToTheCoveredEdges) {
    std::mt19937_64 random(20251216);
    const testing::RuleZone zones[] = {testing::RuleZone::fixed(3600), testing::berlin(),
                                       testing::new_york(), testing::sydney()};
    int calendars = 0;
    int refused_adds = 0;
    while (calendars < 600) {
        CalendarDefinition definition;
        const std::string json = testing::random_calendar(random);
        try {
            definition = parse_calendar(json, "random");
        } catch (const Error&) {
            continue;
        }
        const testing::RuleZone& zone = zones[calendars % 4];
        ++calendars;
        SCOPED_TRACE(json + " zone " + std::to_string(calendars % 4));
        BusinessCalendar calendar("random", definition, std::make_unique<testing::RuleZone>(zone));
        const Micros first = local_to_instant(zone, day_number({1900, 1, 1}) * kDay);
        const Micros end = local_to_instant(zone, day_number({2300, 1, 1}) * kDay);
        for (int i = 0; i < 24; ++i) {
            // Starts in the first or last ten days covered, or in 2025.
            const Micros from[] = {first, end - 10 * kDay,
                                   local_to_instant(zone, utc({2025, 6, 1}, 0))};
            const Micros start = from[i % 3] +
                                 static_cast<Micros>(random() % (10 * kDay / kMinute)) * kMinute +
                                 static_cast<Micros>(random() % 60000000);
            const Micros amount = static_cast<Micros>(random() % (400 * kHour)) - 200 * kHour;
            Micros finish = 0;
            try {
                finish = calendar.add(start, amount);
            } catch (const Error& error) {
                // Refused only when the amount does not fit before the edge
                // (computed here only then: from the middle years it would
                // build every year).
                ASSERT_STREQ(error.sqlstate(), sqlstate::kDatetimeFieldOverflow);
                ASSERT_LT(amount >= 0 ? calendar.diff(start, end - 1) : calendar.diff(first, start),
                          amount >= 0 ? amount : -amount)
                    << start << " + " << amount;
                ++refused_adds;
                continue;
            }
            // An answer inside the covered years that gives the amount back
            // (so the amount fitted).
            ASSERT_TRUE(finish >= first && finish < end) << start << " + " << amount;
            ASSERT_EQ(calendar.diff(start, finish), amount) << start << " + " << amount;
            ASSERT_NO_THROW(calendar.is_business_time(finish));
        }
    }
    EXPECT_GT(refused_adds, 1000);
}

// Minute by minute, without the index: is `instant` inside a window of its
// local day, or of the day before running past midnight? Exact for zones
// without daylight saving.
bool brute_force_inside(const CalendarDefinition& calendar, std::int64_t offset_seconds,
                        Micros instant) {
    const Micros local = instant + offset_seconds * 1000000;
    const std::int64_t day = local / kDay - (local % kDay < 0 ? 1 : 0);
    auto windows_of = [&](std::int64_t d) -> const DayWindows& {
        for (const Holiday& holiday : calendar.holidays) {
            if (holiday.day == d) {
                return holiday.windows;
            }
        }
        return calendar.week[static_cast<std::size_t>(weekday(d))];
    };
    for (std::int64_t d : {day - 1, day}) {
        for (const LocalWindow& window : windows_of(d)) {
            const Micros start = d * kDay + window.start * Micros{1000000};
            const Micros end = d * kDay + window.end * Micros{1000000};
            if (local >= start && local < end) {
                return true;
            }
        }
    }
    return false;
}

// Random weekdays of up to three windows on quarter hours, a Saturday night
// shift running into Sunday, and a closed Sunday.
std::string random_week(std::mt19937_64& random) {
    static const char* kDays[] = {"mon", "tue", "wed", "thu", "fri"};
    std::string week = "{";
    for (const char* day : kDays) {
        week += std::string("\"") + day + "\": [";
        int clock = static_cast<int>(random() % 24) * 15;  // minutes
        const int windows = static_cast<int>(random() % 4);
        for (int i = 0; i < windows; ++i) {
            const int start = clock + static_cast<int>(random() % 8) * 15;
            const int end = std::min(start + 15 + static_cast<int>(random() % 24) * 15, 24 * 60);
            if (start >= end) {
                break;
            }
            char text[40];
            std::snprintf(text, sizeof text, "%s[\"%02d:%02d\", \"%02d:%02d\"]", i ? ", " : "",
                          start / 60, start % 60, end / 60, end % 60);
            week += text;
            clock = end + 15;
        }
        week += "], ";
    }
    return week + R"("sat": [["23:00", "01:00", "overnight"]], "sun": []})";
}

TEST(BusinessCalendar, MatchesMinuteSteppingOnRandomCalendars) {
    std::mt19937_64 random(20261122);
    for (int round = 0; round < 40; ++round) {
        const std::string week = random_week(random);
        const std::int64_t offset = (static_cast<std::int64_t>(random() % 27) - 12) * 1800;
        SCOPED_TRACE(week + " offset " + std::to_string(offset));
        const CalendarDefinition definition = parse_calendar(
            R"({"time_zone": "X", "week": )" + week +
                R"(, "holidays": {"2025-12-25": [], "2026-01-01": [["10:00", "11:00"]]}})",
            "random");
        BusinessCalendar calendar(
            "random", definition,
            std::make_unique<testing::RuleZone>(testing::RuleZone::fixed(offset)));
        const Micros from =
            utc({2025, 12, 20}, 0) + static_cast<Micros>(random() % 96) * 15 * kMinute;
        Micros business = 0;
        for (Micros minute = from; minute < from + 21 * kDay; minute += kMinute) {
            const bool inside = brute_force_inside(definition, offset, minute);
            ASSERT_EQ(calendar.is_business_time(minute), inside) << minute;
            business += inside ? kMinute : 0;
            if (minute % (6 * kHour) == 0) {
                ASSERT_EQ(calendar.diff(from, minute + kMinute), business);
            }
        }
    }
}

// For business-time starts s and amounts x: diff(s, add(s, x)) = x, add is
// monotonic in x, and next_start leaves no business time behind it.
TEST(BusinessCalendar, AddAndDiffAreInversesAcrossZonesAndYears) {
    std::mt19937_64 random(42);
    const testing::RuleZone zones[] = {testing::new_york(), testing::berlin(), testing::sydney(),
                                       testing::RuleZone::fixed(19800)};
    for (const testing::RuleZone& zone : zones) {
        BusinessCalendar calendar = calendar_of(
            R"({"mon": [["08:00", "12:00"], ["12:30", "17:30"]], "tue": [["00:00", "03:00"], ["09:00", "17:00"]],
                "wed": [["09:00", "17:00"]], "thu": [["09:00", "17:00"]], "fri": [["22:00", "02:30", "overnight"]],
                "sun": [["01:00", "04:00"]]})",
            zone, R"({"2025-12-25": [], "2026-03-08": [["01:30", "03:30"]]})");
        for (int i = 0; i < 3000; ++i) {
            const Micros anywhere =
                utc({2024, 6, 1}, 0) +
                static_cast<Micros>(random() % (800 * kDay / kMinute)) * kMinute +
                static_cast<Micros>(random() % 1000000);
            const Micros start = i % 2 ? calendar.next_start(anywhere) : anywhere;
            ASSERT_EQ(calendar.diff(anywhere, calendar.next_start(anywhere)), 0);
            ASSERT_TRUE(calendar.is_business_time(calendar.next_start(anywhere)));
            const Micros span = i % 10 == 0 ? 400 * kDay : 30 * kHour;
            const Micros amount =
                static_cast<Micros>(random() % static_cast<std::uint64_t>(2 * span)) - span;
            const Micros finish = calendar.add(start, amount);
            ASSERT_EQ(calendar.diff(start, finish), amount) << start << " + " << amount;
            ASSERT_EQ(calendar.diff(finish, start), -amount);
            const Micros smaller = amount - static_cast<Micros>(random() % (5 * kHour));
            ASSERT_LE(calendar.add(start, smaller), finish);
            const Micros middle = start + (finish - start) / 2;
            ASSERT_EQ(calendar.diff(start, middle) + calendar.diff(middle, finish), amount);
        }
    }
}

}  // namespace
}  // namespace leadscore::core
