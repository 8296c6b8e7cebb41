#include <gtest/gtest.h>

#include "core/calendar/civil_date.hpp"

namespace leadscore::core {
namespace {

TEST(CivilDate, CountsDaysFromPostgresEpoch) {
    EXPECT_EQ(day_number({2000, 1, 1}), 0);
    EXPECT_EQ(day_number({1970, 1, 1}), -10957);
    EXPECT_EQ(day_number({2000, 3, 1}), 60);                             // 2000 is a leap year
    EXPECT_EQ(day_number({2100, 3, 1}) - day_number({2100, 2, 28}), 1);  // 2100 is not
    EXPECT_EQ(weekday(day_number({2000, 1, 1})), 5);                     // Saturday
    EXPECT_EQ(weekday(day_number({2026, 11, 23})), 0);                   // Monday
    EXPECT_EQ(weekday(day_number({1899, 12, 31})), 6);                   // Sunday
}

TEST(CivilDate, RoundTripsEveryDayOfSixCenturies) {
    for (std::int64_t day = day_number({1800, 1, 1}); day < day_number({2400, 1, 1}); ++day) {
        const CivilDate date = civil_date(day);
        ASSERT_EQ(day_number(date), day) << format_civil_date(date);
        ASSERT_EQ(parse_civil_date(format_civil_date(date))->day, date.day);
    }
}

TEST(CivilDate, ParsesOnlyRealDates) {
    EXPECT_TRUE(parse_civil_date("2024-02-29"));
    for (const char* text : {"2023-02-29", "2025-13-01", "2025-00-10", "2025-04-31", "2025-4-01",
                             "25-04-01", "2025/04/01", "2025-04-01T00:00", "", "2025-04-0x"}) {
        EXPECT_FALSE(parse_civil_date(text)) << text;
    }
}

}  // namespace
}  // namespace leadscore::core
