#include <gtest/gtest.h>

#include "core/calendar/duration.hpp"

namespace leadscore::core {
namespace {

TEST(Duration, ReadsUnitsSingularPluralAnyCase) {
    EXPECT_EQ(parse_duration("30 days"), 30 * kMicrosPerDay);
    EXPECT_EQ(parse_duration("1 Day"), kMicrosPerDay);
    EXPECT_EQ(parse_duration(" 2 WEEKS "), 14 * kMicrosPerDay);
    EXPECT_EQ(parse_duration("1 month"), 30 * kMicrosPerDay);
    EXPECT_EQ(parse_duration("1 year"), 365 * kMicrosPerDay);
    EXPECT_EQ(parse_duration("1.5 hours"), 5400 * kMicrosPerSecond);
    EXPECT_EQ(parse_duration("0.000001 seconds"), 1);
}

TEST(Duration, RefusesZeroNegativeJunkAndHugeValues) {
    for (const char* text : {"", "30", "days", "0 days", "-1 days", "1 fortnight", "1e400 days",
                             "2000 years", "nan days", "1 days later", "0.0000001 seconds"}) {
        EXPECT_FALSE(parse_duration(text)) << text;
    }
}

TEST(Duration, FormatsWhatItParses) {
    for (std::int64_t micros :
         {std::int64_t{1}, kMicrosPerSecond, 90 * kMicrosPerSecond, 30 * kMicrosPerDay,
          14 * kMicrosPerDay, 365 * kMicrosPerDay, kMicrosPerDay + 1}) {
        EXPECT_EQ(parse_duration(format_duration(micros)), micros) << format_duration(micros);
    }
    EXPECT_EQ(format_duration(30 * kMicrosPerDay), "30 days");
    EXPECT_EQ(format_duration(14 * kMicrosPerDay), "2 weeks");
    EXPECT_EQ(format_duration(kMicrosPerSecond + 5), "1.000005 seconds");
}

}  // namespace
}  // namespace leadscore::core
