#include <gtest/gtest.h>

#include "core/calendar/civil_date.hpp"
#include "core/calendar/local_time.hpp"
#include "rule_zone.hpp"

namespace leadscore::core {
namespace {

constexpr Micros kHour = 3600 * Micros{1000000};

Micros at(CivilDate date, int hour, int minute = 0) {
    return day_number(date) * 24 * kHour + hour * kHour + minute * kHour / 60;
}

TEST(LocalTime, SkippedLocalTimesMapToTheJump) {
    const auto zone = testing::new_york();
    // 2025-03-09: 02:00 EST jumps to 03:00 EDT at 07:00 UTC.
    EXPECT_EQ(local_to_instant(zone, at({2025, 3, 9}, 1, 59)), at({2025, 3, 9}, 6, 59));
    EXPECT_EQ(local_to_instant(zone, at({2025, 3, 9}, 2, 0)), at({2025, 3, 9}, 7));
    EXPECT_EQ(local_to_instant(zone, at({2025, 3, 9}, 2, 30)), at({2025, 3, 9}, 7));
    EXPECT_EQ(local_to_instant(zone, at({2025, 3, 9}, 3, 0)), at({2025, 3, 9}, 7));
    EXPECT_EQ(local_to_instant(zone, at({2025, 3, 9}, 3, 1)), at({2025, 3, 9}, 7, 1));
}

TEST(LocalTime, RepeatedLocalTimesMapToTheirFirstOccurrence) {
    const auto zone = testing::new_york();
    // 2025-11-02: 02:00 EDT falls back to 01:00 EST at 06:00 UTC.
    EXPECT_EQ(local_to_instant(zone, at({2025, 11, 2}, 0, 59)), at({2025, 11, 2}, 4, 59));
    EXPECT_EQ(local_to_instant(zone, at({2025, 11, 2}, 1, 30)), at({2025, 11, 2}, 5, 30));
    EXPECT_EQ(local_to_instant(zone, at({2025, 11, 2}, 2, 0)), at({2025, 11, 2}, 7));
    EXPECT_EQ(instant_to_local(zone, at({2025, 11, 2}, 6, 30)), at({2025, 11, 2}, 1, 30));
}

TEST(LocalTime, NeverDecreasesAcrossAYearOfMinutes) {
    for (const auto& zone : {testing::new_york(), testing::berlin(), testing::sydney()}) {
        Micros previous = local_to_instant(zone, at({2025, 1, 1}, 0));
        for (Micros local = at({2025, 1, 1}, 0); local < at({2026, 1, 1}, 0); local += kHour / 4) {
            const Micros instant = local_to_instant(zone, local);
            ASSERT_GE(instant, previous);
            // The inverse of instant_to_local, but for skipped times, which
            // map to the jump: up to an hour later on the wall clock.
            if (instant_to_local(zone, instant) != local) {
                ASSERT_GT(instant_to_local(zone, instant), local);
                ASSERT_LE(instant_to_local(zone, instant), local + kHour);
            }
            previous = instant;
        }
    }
}

}  // namespace
}  // namespace leadscore::core
