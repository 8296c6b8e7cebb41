#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "core/stage/transition_policy.hpp"

namespace leadscore::core {
namespace {

bool allowed(Stage from, Stage to) {
    return transition_allowed({from, to});
}

std::string refusal(std::optional<Stage> from, std::optional<Stage> to) {
    char buffer[kRefusalCapacity];
    const std::size_t length = describe_refusal({from, to}, buffer, sizeof buffer);
    return std::string(buffer, length);
}

// The policy, restated rule by rule from the specification, cell by cell.
TEST(TransitionPolicy, MatchesTheStatedRulesInEveryCell) {
    for (Stage from : kAllStages) {
        for (Stage to : kAllStages) {
            bool expected;
            if (from == to) {
                expected = true;  // not a change
            } else if (from == Stage::Customer) {
                expected = false;  // customer never moves backward
            } else if (from == Stage::Disqualified) {
                expected = to == Stage::Lead;  // reactivated only to lead
            } else if (to == Stage::Recycled || to == Stage::Disqualified) {
                expected = true;  // backward only into the side stages, always allowed
            } else if (from == Stage::Recycled) {
                expected = to == Stage::Lead || to == Stage::Mql;  // re-enter at lead or mql
            } else {
                expected = to > from;  // forward along the funnel, skips included
            }
            EXPECT_EQ(allowed(from, to), expected)
                << stage_label(from) << " -> " << stage_label(to);
        }
    }
}

TEST(TransitionPolicy, NullFromIsAFirstAssignmentAndClearingIsRefused) {
    for (Stage to : kAllStages) {
        EXPECT_TRUE(transition_allowed({std::nullopt, to}));
        EXPECT_FALSE(transition_allowed({to, std::nullopt}));
    }
    EXPECT_TRUE(transition_allowed({std::nullopt, std::nullopt}));
}

TEST(TransitionPolicy, RefusalsSayWhy) {
    EXPECT_EQ(refusal(Stage::Sql, Stage::Mql),
              "transition from sql to mql is not allowed: a lead leaves the funnel backward only "
              "into recycled or disqualified");
    EXPECT_EQ(refusal(Stage::Customer, Stage::Recycled),
              "transition from customer to recycled is not allowed: a customer never moves "
              "backward");
    EXPECT_EQ(refusal(Stage::Recycled, Stage::Sql),
              "transition from recycled to sql is not allowed: a recycled lead re-enters the "
              "funnel at lead or mql");
    EXPECT_EQ(refusal(Stage::Disqualified, Stage::Mql),
              "transition from disqualified to mql is not allowed: a disqualified lead can only "
              "be reactivated to lead");
    EXPECT_EQ(refusal(Stage::Mql, std::nullopt),
              "cannot clear the stage of a lead at mql: a stage, once set, can only move to "
              "another stage");
    EXPECT_EQ(refusal(Stage::Lead, Stage::Sql), "");
    EXPECT_EQ(refusal(std::nullopt, Stage::Customer), "");
}

TEST(TransitionPolicy, RefusalIsTruncatedToTheBuffer) {
    char small[16];
    const std::size_t length = describe_refusal({Stage::Sql, Stage::Mql}, small, sizeof small);
    EXPECT_EQ(length, 15u);
    EXPECT_EQ(std::string(small), "transition from");
}

// docs/stages.md prints the matrix; this keeps it in step with the table.
std::string render_matrix() {
    std::ostringstream out;
    out << "| from \\ to |";
    for (Stage to : kAllStages)
        out << ' ' << stage_label(to) << " |";
    out << "\n|---|";
    for (std::size_t i = 0; i < kStageCount; ++i)
        out << ":-:|";
    out << '\n';
    for (Stage from : kAllStages) {
        out << "| **" << stage_label(from) << "** |";
        for (Stage to : kAllStages) {
            const TransitionRule rule = transition_rule(from, to);
            out << ' '
                << (rule == TransitionRule::Unchanged ? "·"
                    : is_allowed(rule)                ? "✓"
                                                      : "✗")
                << " |";
        }
        out << '\n';
    }
    return out.str();
}

TEST(TransitionPolicy, StagesPagePrintsTheMatrix) {
    std::ifstream readme(LEADSCORE_STAGES_DOC_PATH);
    ASSERT_TRUE(readme) << "cannot read " << LEADSCORE_STAGES_DOC_PATH;
    std::stringstream text;
    text << readme.rdbuf();
    const std::string matrix = render_matrix();
    EXPECT_NE(text.str().find(matrix), std::string::npos)
        << "docs/stages.md does not contain the current transition matrix:\n"
        << matrix;
}

}  // namespace
}  // namespace leadscore::core
