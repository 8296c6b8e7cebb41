#include <gtest/gtest.h>

#include "core/fit_on_write.hpp"

namespace leadscore::core {
namespace {

TEST(FitOnWrite, InsertWithoutScoresStartsFromFitAndNoActivity) {
    const FitWrite write = fit_on_insert(35, {}, -1000, true, true);
    EXPECT_EQ(write.score, 2500);        // 35 - 10 points
    EXPECT_EQ(write.engagement, -1000);  // the inactivity penalty, shown in the row
    EXPECT_EQ(fit_on_insert(35, {}, -1000, true, false).score, 2500);
    EXPECT_FALSE(fit_on_insert(35, {}, -1000, true, false).engagement);
}

TEST(FitOnWrite, InsertKeepsWhatTheRowBrings) {
    // An import with its engagement: the total is built on it.
    FitWrite write = fit_on_insert(35, {std::nullopt, 4200}, -1000, true, true);
    EXPECT_EQ(write.score, 7700);
    EXPECT_FALSE(write.engagement);
    // With its total: kept as it is.
    write = fit_on_insert(35, {9900, std::nullopt}, -1000, true, true);
    EXPECT_FALSE(write.score);
    EXPECT_EQ(write.engagement, -1000);
    // Without score columns there is nothing to write but fit.
    write = fit_on_insert(35, {}, -1000, false, false);
    EXPECT_FALSE(write.score);
    EXPECT_FALSE(write.engagement);
}

TEST(FitOnWrite, UpdateMovesTheTotalByTheFitDifference) {
    EXPECT_EQ(total_after_fit_change(10, 30, 5000, 5000), 7000);
    EXPECT_EQ(total_after_fit_change(30, -20, 7000, 7000), 2000);
    // The statement set the total itself: its value stands.
    EXPECT_FALSE(total_after_fit_change(10, 30, 5000, 6000));
    // No total to move, or no change of fit.
    EXPECT_FALSE(total_after_fit_change(10, 30, std::nullopt, std::nullopt));
    EXPECT_FALSE(total_after_fit_change(10, 10, 5000, 5000));
}

}  // namespace
}  // namespace leadscore::core
