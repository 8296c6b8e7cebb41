#include <gtest/gtest.h>

#include <vector>

#include "core/analytics/time_in_stage.hpp"

namespace leadscore::core {
namespace {

constexpr int kLead = 3;
constexpr int kMql = 4;
constexpr int kSql = 7;
constexpr int kRecycled = 1;

std::vector<StageTime> times(std::vector<StageEntry> entries, std::int64_t as_of) {
    return time_in_stage(entries, as_of);
}

TEST(TimeInStage, LatestAndCumulativeStays) {
    // lead 0-10, mql 10-30, recycled 30-40, mql 40-45, sql 45-as_of 100.
    const auto result = times(
        {{10, kMql, 0}, {0, kLead, 0}, {30, kRecycled, 0}, {40, kMql, 0}, {45, kSql, 0}}, 100);
    ASSERT_EQ(result.size(), 4u);
    EXPECT_EQ(result[0].stage, kRecycled);
    EXPECT_EQ(result[0].cumulative, 10);
    EXPECT_EQ(result[1].stage, kLead);
    EXPECT_EQ(result[1].cumulative, 10);
    const StageTime& mql = result[2];
    EXPECT_EQ(mql.entries, 2);
    EXPECT_EQ(mql.latest, 5);
    EXPECT_EQ(mql.cumulative, 25);
    EXPECT_FALSE(mql.current);
    EXPECT_EQ(result[3].stage, kSql);
    EXPECT_EQ(result[3].latest, 55);
    EXPECT_TRUE(result[3].current);
}

TEST(TimeInStage, AsOfCutsAndSameInstantOrder) {
    // Rows after as_of are ignored: at 20 the lead is still an mql.
    const auto cut = times({{0, kLead, 0}, {10, kMql, 0}, {45, kSql, 0}}, 20);
    ASSERT_EQ(cut.size(), 2u);
    EXPECT_TRUE(cut[1].current);
    EXPECT_EQ(cut[1].latest, 10);
    // Lead, mql and sql in one transaction: mql gets a stay of zero, in the
    // history's order whatever the input order.
    const auto same = times({{5, kSql, 3}, {5, kMql, 2}, {0, kLead, 1}}, 10);
    ASSERT_EQ(same.size(), 3u);
    EXPECT_EQ(same[1].stage, kMql);
    EXPECT_EQ(same[1].cumulative, 0);
    EXPECT_EQ(same[2].cumulative, 5);
    // Leaving the stages (no stage) ends the stay; a repeated row continues it.
    const auto left = times({{0, kMql, 0}, {3, kMql, 0}, {5, -1, 0}}, 10);
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].entries, 1);
    EXPECT_EQ(left[0].cumulative, 5);
    EXPECT_FALSE(left[0].current);
    EXPECT_TRUE(times({}, 10).empty());
}

}  // namespace
}  // namespace leadscore::core
