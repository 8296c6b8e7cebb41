#include <gtest/gtest.h>

#include "core/lifecycle/stage_change.hpp"
#include "core/lifecycle/stage_resolver.hpp"

namespace leadscore::core {
namespace {

AttachmentConfig config() {
    AttachmentConfig config;
    config.reasons = default_reason_codes();
    return config;
}

ChangeVerdict judge(std::optional<Stage> from, std::optional<Stage> to,
                    std::string_view reason = {}, bool is_insert = false) {
    StageChange change;
    change.from = from;
    change.to = to;
    change.reason = reason;
    change.is_insert = is_insert;
    return judge_change(config(), change);
}

std::vector<Stage> stamped(const ChangeVerdict& verdict) {
    std::vector<Stage> stages;
    for (Stage stage : kAllStages) {
        if (verdict.stamp[stage_code(stage)])
            stages.push_back(stage);
    }
    return stages;
}

TEST(StageChange, AJumpStampsEveryFunnelStageUpToTheTarget) {
    const ChangeVerdict verdict = judge(Stage::Lead, Stage::Sql);
    EXPECT_TRUE(verdict.changed);
    EXPECT_FALSE(verdict.violation);
    EXPECT_EQ(stamped(verdict), (std::vector<Stage>{Stage::Visitor, Stage::Lead, Stage::Mql,
                                                    Stage::Pql, Stage::Sal, Stage::Sql}));
}

TEST(StageChange, ASideStageStampsOnlyItself) {
    EXPECT_EQ(stamped(judge(Stage::Sql, Stage::Recycled, "bad_timing")),
              std::vector<Stage>{Stage::Recycled});
}

TEST(StageChange, NoChangeNoStamps) {
    const ChangeVerdict verdict = judge(Stage::Mql, Stage::Mql);
    EXPECT_FALSE(verdict.changed);
    EXPECT_TRUE(stamped(verdict).empty());
}

TEST(StageChange, LeavingTheFunnelNeedsAKnownReason) {
    EXPECT_STREQ(judge(Stage::Mql, Stage::Disqualified).why,
                 "a move into disqualified needs a reason");
    EXPECT_STREQ(judge(Stage::Mql, Stage::Recycled, "too pricey").why,
                 "reason \"too pricey\" is not one of the attachment's reason codes");
    const ChangeVerdict ok = judge(Stage::Mql, Stage::Recycled, "No_Budget");
    EXPECT_FALSE(ok.violation);
    EXPECT_EQ(ok.reason, "no_budget");  // the code as the list spells it
}

TEST(StageChange, InsertsNeedNoReasonEvenIntoSideStages) {
    EXPECT_FALSE(judge(std::nullopt, Stage::Disqualified, {}, true).violation);
}

TEST(StageChange, PolicyRefusalsComeFirst) {
    const ChangeVerdict verdict = judge(Stage::Customer, Stage::Recycled, "no_need");
    EXPECT_TRUE(verdict.violation);
    EXPECT_STREQ(verdict.why,
                 "transition from customer to recycled is not allowed: a customer never moves "
                 "backward");
}

TEST(StageResolver, TheAttachmentsLabelsWinThenTheTypesAliases) {
    const StageResolver resolver({{"Working - Contacted", Stage::Sal}, {"Qualified", Stage::Sql}});
    EXPECT_EQ(resolver.resolve("working-contacted").stage, Stage::Sal);
    EXPECT_EQ(resolver.resolve(" QUALIFIED ").stage, Stage::Sql);  // ambiguous for the type
    EXPECT_EQ(resolver.resolve("subscriber").stage, Stage::Lead);
    EXPECT_EQ(resolver.resolve("warm").kind, LabelMatch::Kind::Unknown);
}

}  // namespace
}  // namespace leadscore::core
