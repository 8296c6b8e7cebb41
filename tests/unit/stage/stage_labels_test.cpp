#include <gtest/gtest.h>

#include <string>

#include "core/common/error.hpp"
#include "core/stage/stage_labels.hpp"

namespace leadscore::core {
namespace {

std::string error_of(std::string_view label, std::string* hint = nullptr,
                     std::string* detail = nullptr) {
    try {
        parse_stage_label(label);
    } catch (const Error& error) {
        EXPECT_STREQ(error.sqlstate(), "22P02");
        if (hint)
            *hint = error.hint();
        if (detail)
            *detail = error.detail();
        return error.what();
    }
    ADD_FAILURE() << "no error for " << label;
    return {};
}

TEST(StageLabels, CanonicalLabelsRoundTrip) {
    for (Stage stage : kAllStages) {
        EXPECT_EQ(parse_stage_label(stage_label(stage)), stage);
    }
}

TEST(StageLabels, CaseBlanksAndSeparatorsDoNotMatter) {
    EXPECT_EQ(parse_stage_label("MQL"), Stage::Mql);
    EXPECT_EQ(parse_stage_label("  sql\t\n"), Stage::Sql);
    EXPECT_EQ(parse_stage_label("Marketing Qualified Lead"), Stage::Mql);
    EXPECT_EQ(parse_stage_label("marketingqualifiedlead"), Stage::Mql);
    EXPECT_EQ(parse_stage_label("marketing_qualified_lead"), Stage::Mql);
    EXPECT_EQ(parse_stage_label("Sales-Accepted-Lead"), Stage::Sal);
}

TEST(StageLabels, VendorAliases) {
    EXPECT_EQ(parse_stage_label("subscriber"), Stage::Lead);
    EXPECT_EQ(parse_stage_label("salesqualifiedlead"), Stage::Sql);
    EXPECT_EQ(parse_stage_label("evangelist"), Stage::Customer);
    EXPECT_EQ(parse_stage_label("Product Qualified Lead"), Stage::Pql);
    EXPECT_EQ(parse_stage_label("Nurture"), Stage::Recycled);
    EXPECT_EQ(parse_stage_label("Closed Won"), Stage::Customer);
}

TEST(StageLabels, EveryTableEntryMatchesItself) {
    // Also proves that no two spellings share a matching key: if they did,
    // one of them would match the other entry.
    for (const StageLabel& label : stage_label_table()) {
        const LabelMatch match = match_stage_label(label.spelling);
        EXPECT_EQ(match.entry, &label) << label.spelling;
        EXPECT_EQ(match.kind == LabelMatch::Kind::Ambiguous, !label.stage.has_value());
        EXPECT_FALSE(label.note.empty()) << label.spelling;
        EXPECT_LE(label.spelling.size(), kMaxLabelLength);
    }
}

TEST(StageLabels, AmbiguousLabelsAreErrorsThatSayWhy) {
    std::string hint, detail;
    EXPECT_EQ(error_of("other", &hint, &detail), "ambiguous lifecycle_stage label \"other\"");
    EXPECT_NE(detail.find("HubSpot"), std::string::npos);
    EXPECT_NE(hint.find("disqualified, recycled, visitor, lead, mql, pql, sal, sql, opportunity, "
                        "customer"),
              std::string::npos);
    EXPECT_EQ(error_of("Qualified"), "ambiguous lifecycle_stage label \"Qualified\"");
    EXPECT_EQ(error_of("Closed - Not Converted"),
              "ambiguous lifecycle_stage label \"Closed - Not Converted\"");
}

TEST(StageLabels, UnknownLabelsNameTheValueAndListTheValidOnes) {
    std::string hint, detail;
    EXPECT_EQ(error_of("hot lead", &hint, &detail),
              "invalid input value for lifecycle_stage: \"hot lead\"");
    EXPECT_NE(hint.find("Valid labels are disqualified"), std::string::npos);
    EXPECT_TRUE(detail.empty());
}

TEST(StageLabels, EmptyLabelsSaySo) {
    std::string detail;
    EXPECT_EQ(error_of("   ", nullptr, &detail),
              "invalid input value for lifecycle_stage: \"   \"");
    EXPECT_EQ(detail, "The label is empty.");
    EXPECT_EQ(error_of(""), "invalid input value for lifecycle_stage: \"\"");
}

TEST(StageLabels, LongLabelsAreRejectedWithAShortMessage) {
    const std::string huge(1 << 20, 'm');
    const std::string message = error_of(huge);
    EXPECT_LT(message.size(), 200u);
    EXPECT_NE(message.find("(1048576 bytes)"), std::string::npos);
    // Exactly at the limit is still looked up (and unknown); one past is not.
    EXPECT_EQ(match_stage_label(std::string(kMaxLabelLength, 'x')).kind, LabelMatch::Kind::Unknown);
    EXPECT_EQ(match_stage_label("  mql" + std::string(kMaxLabelLength, ' ')).kind,
              LabelMatch::Kind::Stage);
}

TEST(StageLabels, NonAsciiAndControlBytesDoNotMatch) {
    EXPECT_EQ(match_stage_label("m\xC3\xA9l").kind, LabelMatch::Kind::Unknown);
    EXPECT_EQ(match_stage_label("\xFF\xFE").kind, LabelMatch::Kind::Unknown);
    EXPECT_EQ(error_of(std::string("mq\x01l", 4)),
              "invalid input value for lifecycle_stage: \"mq\\x01l\"");
}

}  // namespace
}  // namespace leadscore::core
