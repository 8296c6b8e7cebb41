#include <gtest/gtest.h>

#include "core/common/error.hpp"
#include "core/scoring/score_promotion.hpp"

namespace leadscore::core {
namespace {

const ScoringModel& seeds() {
    static const ScoringModel model = parse_model("{}", "m");  // MQL 80, SQL 150
    return model;
}

ScoreReading total(std::optional<double> score) {
    ScoreReading reading;
    reading.score = score;
    return reading;
}

std::optional<Stage> promote(std::optional<Stage> current, std::optional<double> before,
                             std::optional<double> after, Stage sql_stage = Stage::Sal) {
    return promoted_stage(seeds(), sql_stage, current, total(before), total(after));
}

TEST(ScorePromotion, CrossingTheMqlThresholdMakesAnMql) {
    EXPECT_EQ(promote(Stage::Lead, 79, 80), Stage::Mql);
    EXPECT_EQ(promote(Stage::Visitor, std::nullopt, 95), Stage::Mql);
    EXPECT_EQ(promote(std::nullopt, std::nullopt, 95), Stage::Mql);
    EXPECT_EQ(promote(Stage::Recycled, 10, 90), Stage::Mql);  // re-engaged
    EXPECT_EQ(promote(Stage::Lead, 10, 79.99), std::nullopt);
}

TEST(ScorePromotion, OnlyACrossingCounts) {
    // A recycled lead whose score moves from 90 to 95 stays recycled: sales
    // decided, and the score did not newly cross anything.
    EXPECT_EQ(promote(Stage::Recycled, 90, 95), std::nullopt);
    EXPECT_EQ(promote(Stage::Lead, 85, 84), std::nullopt);
}

TEST(ScorePromotion, CrossingTheSqlThresholdGoesToTheConfiguredStage) {
    EXPECT_EQ(promote(Stage::Mql, 100, 150), Stage::Sal);
    EXPECT_EQ(promote(Stage::Lead, 10, 200), Stage::Sal);
    EXPECT_EQ(promote(Stage::Pql, 100, 150, Stage::Sql), Stage::Sql);
    EXPECT_EQ(promote(Stage::Lead, 10, 200, Stage::Pql), Stage::Pql);
    // recycled may re-enter only at lead or mql (transition policy)
    EXPECT_EQ(promote(Stage::Recycled, 10, 200), Stage::Mql);
}

TEST(ScorePromotion, NeverBackwardNeverFromDisqualified) {
    EXPECT_EQ(promote(Stage::Disqualified, 0, 500), std::nullopt);
    EXPECT_EQ(promote(Stage::Sal, 0, 500), std::nullopt);
    EXPECT_EQ(promote(Stage::Sql, 0, 500), std::nullopt);
    EXPECT_EQ(promote(Stage::Opportunity, 0, 500), std::nullopt);
    EXPECT_EQ(promote(Stage::Customer, 0, 500), std::nullopt);
    EXPECT_EQ(promote(Stage::Mql, 0, 100), std::nullopt);
    EXPECT_EQ(promote(Stage::Pql, 0, 100), std::nullopt);  // pql is past mql
}

TEST(ScorePromotion, FitAndEngagementConditions) {
    const ScoringModel model =
        parse_model(R"({"thresholds": {"mql": {"fit": 20, "engagement": 40}}})", "m");
    ScoreReading before;
    before.fit = 25;
    before.engagement = 39;
    ScoreReading after = before;
    after.engagement = 40;
    EXPECT_EQ(promoted_stage(model, Stage::Sal, Stage::Lead, before, after), Stage::Mql);
    after.fit = 19;
    EXPECT_EQ(promoted_stage(model, Stage::Sal, Stage::Lead, before, after), std::nullopt);
    after.fit.reset();  // unknown fit: not reached
    after.engagement = 500;
    EXPECT_EQ(promoted_stage(model, Stage::Sal, Stage::Lead, before, after), std::nullopt);
}

TEST(ScorePromotion, AttachChecksTheColumnsTheThresholdsRead) {
    const ScoringModel model =
        parse_model(R"({"thresholds": {"mql": {"fit": 20, "engagement": 40}}})", "m");
    AttachmentConfig config;
    config.model = "m";
    config.score_column = "score";
    try {
        check_thresholds_readable(model, config);
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_STREQ(error.what(),
                     "invalid leadscore.attach config at fit_column: the MQL threshold of scoring "
                     "model \"m\" reads the fit score, and no column holds it");
    }
    config.fit_column = "fit";
    config.engagement_column = "engagement";
    EXPECT_NO_THROW(check_thresholds_readable(model, config));
    config.score_column.reset();  // the SQL threshold's total: fit + engagement
    EXPECT_NO_THROW(check_thresholds_readable(model, config));
    config.fit_column.reset();
    EXPECT_THROW(check_thresholds_readable(model, config), Error);
}

}  // namespace
}  // namespace leadscore::core
