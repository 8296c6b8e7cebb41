#include <gtest/gtest.h>

#include "core/scoring/fit_on_write.hpp"

namespace leadscore::core {
namespace {

FitRow row(bool score_present, bool engagement_present, bool engagement_column = true) {
    return {true, engagement_column, score_present, engagement_present};
}

TEST(FitOnWrite, InsertWithEventsStartsFromNoActivity) {
    FitWritePlan plan = plan_fit_on_insert(EngagementSource::Events, row(false, false));
    EXPECT_EQ(plan.total, TotalRule::FitPlusNoActivity);
    EXPECT_TRUE(plan.engagement_no_activity);  // shown in the row
    plan = plan_fit_on_insert(EngagementSource::Events, row(false, false, false));
    EXPECT_EQ(plan.total, TotalRule::FitPlusNoActivity);
    EXPECT_FALSE(plan.engagement_no_activity);  // no column to show it in
    // An import that brings its engagement: the total is built on it.
    plan = plan_fit_on_insert(EngagementSource::Events, row(false, true));
    EXPECT_EQ(plan.total, TotalRule::FitPlusEngagement);
    EXPECT_FALSE(plan.engagement_no_activity);
}

TEST(FitOnWrite, InsertWithTheApplicationsEngagementColumn) {
    const FitWritePlan plan = plan_fit_on_insert(EngagementSource::Column, row(false, false));
    EXPECT_EQ(plan.total, TotalRule::FitPlusEngagement);  // NULL counts 0, as in rescore
    EXPECT_FALSE(plan.engagement_no_activity);
}

TEST(FitOnWrite, InsertKeepsATotalTheRowBrings) {
    for (const EngagementSource source : {EngagementSource::Events, EngagementSource::Column}) {
        EXPECT_EQ(plan_fit_on_insert(source, row(true, false)).total, TotalRule::Keep);
    }
    EXPECT_TRUE(
        plan_fit_on_insert(EngagementSource::Events, row(true, false)).engagement_no_activity);
}

TEST(FitOnWrite, WithoutAnEngagementSourceTotalsAreLeftAlone) {
    EXPECT_EQ(plan_fit_on_insert(EngagementSource::None, row(false, false, false)).total,
              TotalRule::Keep);
    EXPECT_EQ(plan_fit_on_update(EngagementSource::None, row(true, false, false), true).total,
              TotalRule::Keep);
}

TEST(FitOnWrite, UpdateAddsFitAndEngagementOrMovesTheTotal) {
    EXPECT_EQ(plan_fit_on_update(EngagementSource::Column, row(true, true), true).total,
              TotalRule::FitPlusEngagement);
    EXPECT_EQ(plan_fit_on_update(EngagementSource::Events, row(true, false), false).total,
              TotalRule::FitPlusEngagement);
    // Events but no engagement column: the stored total moves by the change
    // in fit, when there is one and the old fit is known.
    EXPECT_EQ(plan_fit_on_update(EngagementSource::Events, row(true, false, false), true).total,
              TotalRule::MoveByFitChange);
    EXPECT_EQ(plan_fit_on_update(EngagementSource::Events, row(true, false, false), false).total,
              TotalRule::Keep);
    EXPECT_EQ(plan_fit_on_update(EngagementSource::Events, row(false, false, false), true).total,
              TotalRule::Keep);
}

}  // namespace
}  // namespace leadscore::core
