#include <gtest/gtest.h>

#include "core/common/error.hpp"
#include "core/stage/stage.hpp"

namespace leadscore::core {
namespace {

TEST(Stage, CodesFollowTheSortOrderAndRanksStartAtOne) {
    for (std::size_t i = 0; i < kStageCount; ++i) {
        EXPECT_EQ(stage_code(kAllStages[i]), i);
        EXPECT_EQ(stage_rank(kAllStages[i]), static_cast<int>(i) + 1);
    }
    EXPECT_LT(Stage::Recycled, Stage::Visitor);
    EXPECT_LT(Stage::Mql, Stage::Pql);
    EXPECT_LT(Stage::Opportunity, Stage::Customer);
}

TEST(Stage, LabelsAreCanonicalLowercase) {
    EXPECT_EQ(stage_label(Stage::Disqualified), "disqualified");
    EXPECT_EQ(stage_label(Stage::Mql), "mql");
    EXPECT_EQ(stage_label(Stage::Opportunity), "opportunity");
    EXPECT_EQ(stage_label(Stage::Customer), "customer");
}

TEST(Stage, SideStagesAreNotFunnelStages) {
    EXPECT_FALSE(is_funnel_stage(Stage::Disqualified));
    EXPECT_FALSE(is_funnel_stage(Stage::Recycled));
    for (Stage stage : kAllStages) {
        if (stage >= Stage::Visitor) {
            EXPECT_TRUE(is_funnel_stage(stage)) << stage_label(stage);
        }
    }
}

TEST(Stage, FromCodeRejectsOutOfRange) {
    EXPECT_EQ(stage_from_code(9), Stage::Customer);
    EXPECT_FALSE(stage_from_code(10).has_value());
    EXPECT_FALSE(stage_from_code(255).has_value());
}

TEST(Stage, StoredCodeOutOfRangeIsDataCorrupted) {
    EXPECT_EQ(stage_from_stored_code(4), Stage::Mql);
    try {
        stage_from_stored_code(120);
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_STREQ(error.sqlstate(), "XX001");
        EXPECT_NE(std::string(error.what()).find("code 120"), std::string::npos);
        EXPECT_FALSE(error.hint().empty());
    }
}

TEST(Stage, BinaryIsOneByte) {
    const unsigned char mql[] = {4};
    EXPECT_EQ(stage_from_binary(mql, 1), Stage::Mql);

    const unsigned char two[] = {4, 4};
    const unsigned char out_of_range[] = {10};
    for (auto [bytes, length, fragment] :
         {std::tuple{two, std::size_t{2}, "expected 1 byte, got 2"},
          std::tuple{two, std::size_t{0}, "expected 1 byte, got 0"},
          std::tuple{out_of_range, std::size_t{1}, "code 10 is out of range"}}) {
        try {
            stage_from_binary(bytes, length);
            FAIL() << "expected an error for " << fragment;
        } catch (const Error& error) {
            EXPECT_STREQ(error.sqlstate(), "22P03");
            EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
        }
    }
}

}  // namespace
}  // namespace leadscore::core
