#include <gtest/gtest.h>

#include "core/sla/sla_clock.hpp"

namespace leadscore::core {
namespace {

constexpr Micros kHour = 3600LL * 1000000;

SlaPolicy column_policy() {
    SlaPolicy policy;
    policy.name = "first_response";
    policy.met_by = SlaMetBy::Column;
    policy.column = "first_contacted_at";
    return policy;
}

SlaPolicy leaving_policy() {
    SlaPolicy policy;
    policy.name = "disposition";
    policy.met_by = SlaMetBy::LeavesFor;
    policy.leaves_for = {Stage::Sql, Stage::Recycled};
    return policy;
}

TEST(SlaClock, StatusLabelsRoundTrip) {
    for (ClockStatus status :
         {ClockStatus::Running, ClockStatus::Warned, ClockStatus::Met, ClockStatus::MetLate,
          ClockStatus::Breached, ClockStatus::Cancelled}) {
        EXPECT_EQ(clock_status_from_label(clock_status_label(status)), status);
    }
    EXPECT_EQ(clock_status_label(ClockStatus::MetLate), "met_late");
    EXPECT_FALSE(clock_status_from_label("late").has_value());
    EXPECT_TRUE(is_running(ClockStatus::Warned));
    EXPECT_FALSE(is_running(ClockStatus::Breached));
}

TEST(SlaClock, FindsPoliciesByName) {
    SlaConfig config;
    config.policies = {column_policy(), leaving_policy()};
    EXPECT_EQ(find_policy(config, "disposition"), &config.policies[1]);
    EXPECT_EQ(find_policy(config, "gone"), nullptr);
}

TEST(SlaClock, LeavingForAListedStageMeetsAtNow) {
    const SlaPolicy policy = leaving_policy();
    EXPECT_EQ(met_on_leaving(&policy, Stage::Sql, std::nullopt, 0, 5 * kHour), 5 * kHour);
    EXPECT_FALSE(met_on_leaving(&policy, Stage::Disqualified, std::nullopt, 0, 5 * kHour));
    EXPECT_FALSE(met_on_leaving(&policy, std::nullopt, std::nullopt, 0, 5 * kHour));
    EXPECT_FALSE(met_on_leaving(nullptr, Stage::Sql, kHour, 0, 5 * kHour));
}

TEST(SlaClock, AColumnMeetsOnlyFromTheClocksStart) {
    const SlaPolicy policy = column_policy();
    EXPECT_EQ(met_on_leaving(&policy, Stage::Sql, 2 * kHour, kHour, 5 * kHour), 2 * kHour);
    EXPECT_FALSE(met_on_leaving(&policy, Stage::Sql, 0, kHour, 5 * kHour));
    EXPECT_EQ(met_at_start(policy, kHour, kHour), kHour);
    EXPECT_FALSE(met_at_start(policy, kHour - 1, kHour));
    EXPECT_FALSE(met_at_start(leaving_policy(), 2 * kHour, kHour));
}

TEST(SlaClock, ClosingStatus) {
    EXPECT_EQ(closing_status(2 * kHour, 2 * kHour, false, 9 * kHour), ClockStatus::Met);
    EXPECT_EQ(closing_status(2 * kHour + 1, 2 * kHour, true, 9 * kHour), ClockStatus::MetLate);
    // Not met: out of time when it left, swept or not.
    EXPECT_EQ(closing_status(std::nullopt, 2 * kHour, false, 9 * kHour), ClockStatus::Breached);
    EXPECT_EQ(closing_status(std::nullopt, 10 * kHour, true, 9 * kHour), ClockStatus::Breached);
    EXPECT_EQ(closing_status(std::nullopt, 10 * kHour, false, 9 * kHour), ClockStatus::Cancelled);
}

TEST(SlaClock, StartingStatus) {
    EXPECT_EQ(starting_status(std::nullopt, kHour), ClockStatus::Running);
    EXPECT_EQ(starting_status(kHour, kHour), ClockStatus::Met);
    EXPECT_EQ(starting_status(kHour + 1, kHour), ClockStatus::MetLate);
}

TEST(SlaClock, ColumnSetMeetsAtItsTimeOrNow) {
    EXPECT_EQ(met_by_column_set(3 * kHour, kHour, 9 * kHour), 3 * kHour);
    EXPECT_FALSE(met_by_column_set(0, kHour, 9 * kHour));  // an old contact date
    EXPECT_EQ(met_by_column_set(std::nullopt, kHour, 9 * kHour), 9 * kHour);
    // A clock whose start (the CRM's stamp) lies ahead of now: met at its start.
    EXPECT_EQ(met_by_column_set(std::nullopt, 12 * kHour, 9 * kHour), 12 * kHour);
}

}  // namespace
}  // namespace leadscore::core
