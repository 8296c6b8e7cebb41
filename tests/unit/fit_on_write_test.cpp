#include <gtest/gtest.h>

#include "core/fit_on_write.hpp"

namespace leadscore::core {
namespace {

constexpr StoredScore kNull{};

StoredScore stored(Centipoints value) {
    return {true, value};
}

TEST(FitOnWrite, InsertWithEventsStartsFromFitAndNoActivity) {
    const FitWrite write =
        fit_on_insert(35, kNull, kNull, -1000, EngagementSource::Events, true, true);
    EXPECT_EQ(write.score, 2500);        // 35 - 10 points
    EXPECT_EQ(write.engagement, -1000);  // the inactivity penalty, shown in the row
    EXPECT_EQ(fit_on_insert(35, kNull, kNull, -1000, EngagementSource::Events, true, false).score,
              2500);
}

TEST(FitOnWrite, InsertWithTheApplicationsEngagementColumn) {
    // As rescore: the column's value, NULL counting 0; the column is not written.
    FitWrite write = fit_on_insert(35, kNull, kNull, -1000, EngagementSource::Column, true, true);
    EXPECT_EQ(write.score, 3500);
    EXPECT_FALSE(write.engagement);
    write = fit_on_insert(35, kNull, stored(4200), -1000, EngagementSource::Column, true, true);
    EXPECT_EQ(write.score, 7700);
}

TEST(FitOnWrite, InsertWithoutAnEngagementSourceLeavesTheTotal) {
    const FitWrite write =
        fit_on_insert(35, kNull, kNull, -1000, EngagementSource::None, true, false);
    EXPECT_FALSE(write.score);
    EXPECT_FALSE(write.engagement);
}

TEST(FitOnWrite, InsertKeepsWhatTheRowBrings) {
    // An import with its engagement: the total is built on it.
    FitWrite write =
        fit_on_insert(35, kNull, stored(4200), -1000, EngagementSource::Events, true, true);
    EXPECT_EQ(write.score, 7700);
    EXPECT_FALSE(write.engagement);
    // With its total: kept as it is.
    write = fit_on_insert(35, stored(9900), kNull, -1000, EngagementSource::Events, true, true);
    EXPECT_FALSE(write.score);
    EXPECT_EQ(write.engagement, -1000);
    // A total or engagement that is no usable number (NaN) is kept too, and
    // an unusable engagement leaves the total alone.
    write =
        fit_on_insert(35, {true, std::nullopt}, kNull, -1000, EngagementSource::Events, true, true);
    EXPECT_FALSE(write.score);
    write =
        fit_on_insert(35, kNull, {true, std::nullopt}, -1000, EngagementSource::Events, true, true);
    EXPECT_FALSE(write.score);
    EXPECT_FALSE(write.engagement);
}

TEST(FitOnWrite, UpdateMovesTheTotalByTheFitDifference) {
    EXPECT_EQ(total_after_fit_change(10, 30, 5000, 5000), 7000);
    EXPECT_EQ(total_after_fit_change(30, -20, 7000, 7000), 2000);
    // The statement set the total itself: its value stands.
    EXPECT_FALSE(total_after_fit_change(10, 30, 5000, 6000));
    // No total to move, no known old fit, or no change of fit.
    EXPECT_FALSE(total_after_fit_change(10, 30, std::nullopt, std::nullopt));
    EXPECT_FALSE(total_after_fit_change(std::nullopt, 30, 5000, 5000));
    EXPECT_FALSE(total_after_fit_change(10, 10, 5000, 5000));
}

}  // namespace
}  // namespace leadscore::core
