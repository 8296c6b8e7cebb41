#include <gtest/gtest.h>

#include <map>

#include "core/common/error.hpp"
#include "core/scoring/fit_score.hpp"

namespace leadscore::core {
namespace {

Attribute string_attribute(std::string_view text) {
    Attribute a;
    a.kind = Attribute::Kind::String;
    a.text = text;
    return a;
}

Attribute number_attribute(std::string_view digits) {
    Attribute a;
    a.kind = Attribute::Kind::Number;
    a.text = digits;
    return a;
}

// Attributes in the model's order, from a name -> value map.
std::vector<Attribute> attributes_for(const ScoringModel& model,
                                      const std::map<std::string, Attribute>& lead) {
    std::vector<Attribute> out;
    for (const std::string& name : model.fit.attributes) {
        const auto found = lead.find(name);
        out.push_back(found == lead.end() ? Attribute{} : found->second);
    }
    return out;
}

std::int64_t sum_of(const std::vector<FitLine>& lines) {
    std::int64_t sum = 0;
    for (const FitLine& line : lines) {
        sum += line.points;
    }
    return sum;
}

class DefaultModel : public ::testing::Test {
  protected:
    ScoringModel model = parse_model(default_model_json(), "default");

    std::int64_t score(const std::map<std::string, Attribute>& lead) {
        const std::vector<Attribute> values = attributes_for(model, lead);
        const std::int64_t total = fit_score(model, values.data());
        EXPECT_EQ(sum_of(explain_fit(model, values.data())), total);
        return total;
    }
};

TEST_F(DefaultModel, IdealCustomerProfileAndEconomicBuyer) {
    EXPECT_EQ(score({{"title", string_attribute("SVP, Revenue")},
                     {"employees", number_attribute("120")},
                     {"industry", string_attribute(" SaaS ")},
                     {"country", string_attribute("US")},
                     {"email", string_attribute("ann@acme.io")}}),
              50);
}

TEST_F(DefaultModel, NegativeEmailPoints) {
    EXPECT_EQ(score({{"email", string_attribute("ann@gmail.com")}}), -20);
    EXPECT_EQ(score({{"email", string_attribute("ann@cs.stanford.edu")}}), -20);
    EXPECT_EQ(score({{"email", string_attribute("ann@acme.io")}}), 0);
}

TEST_F(DefaultModel, MissingNullAndBlankAttributesScoreNothing) {
    Attribute null_value;
    null_value.kind = Attribute::Kind::Null;
    EXPECT_EQ(score({}), 0);
    EXPECT_EQ(score({{"title", null_value}, {"employees", string_attribute("  ")}}), 0);
}

TEST_F(DefaultModel, RangesAreInclusiveAndNumericStringsCount) {
    EXPECT_EQ(score({{"employees", number_attribute("50")}}), 15);
    EXPECT_EQ(score({{"employees", number_attribute("500")}}), 15);
    EXPECT_EQ(score({{"employees", string_attribute("501")}}), 10);
    EXPECT_EQ(score({{"employees", number_attribute("9")}}), 0);
}

TEST_F(DefaultModel, GroupCapShowsAsItsOwnLine) {
    ScoringModel capped = parse_model(R"({"fit": {"groups": {"icp": {"cap": 12}},
        "rules": [{"attribute": "employees", "group": "icp", "ranges": [{"min": 50, "points": 15}]}]}})",
                                      "capped");
    std::vector<Attribute> values = attributes_for(capped, {{"employees", number_attribute("80")}});
    const std::vector<FitLine> lines = explain_fit(capped, values.data());
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].points, 15);
    EXPECT_EQ(lines[1].rule, "group icp");
    EXPECT_EQ(lines[1].points, -3);
    EXPECT_EQ(fit_score(capped, values.data()), 12);
}

TEST_F(DefaultModel, WrongAttributeTypesAreErrorsNamingTheAttribute) {
    const auto error_for = [&](const std::map<std::string, Attribute>& lead) -> std::string {
        const std::vector<Attribute> values = attributes_for(model, lead);
        try {
            fit_score(model, values.data());
        } catch (const Error& error) {
            EXPECT_STREQ(error.sqlstate(), "22023");
            return error.what();
        }
        return "no error";
    };
    EXPECT_EQ(error_for({{"title", number_attribute("42")}}),
              "attribute \"title\" read by fit rule \"seniority\": expected a string, got a number "
              "\"42\"");
    EXPECT_EQ(error_for({{"employees", string_attribute("lots")}}),
              "attribute \"employees\" read by fit rule \"company_size\": expected a number, got a "
              "string \"lots\"");
    Attribute object;
    object.kind = Attribute::Kind::Object;
    EXPECT_EQ(error_for({{"industry", object}}),
              "attribute \"industry\" read by fit rule \"industry\": expected a scalar or an array "
              "of scalars, got an object");
}

TEST(FitScore, ArraysScoreEachMatchingElementWithinTheRuleCap) {
    const ScoringModel model = parse_model(R"({"fit": {"rules": [
        {"attribute": "tech", "in": ["hubspot", "salesforce", "marketo"], "points": 4, "cap": 10}]}})",
                                           "m");
    Attribute elements[4] = {string_attribute("HubSpot"), string_attribute("Salesforce"),
                             string_attribute("excel"), string_attribute("marketo")};
    Attribute tech;
    tech.kind = Attribute::Kind::Array;
    tech.elements = elements;
    tech.size = 2;
    EXPECT_EQ(fit_score(model, &tech), 8);
    tech.size = 4;
    EXPECT_EQ(fit_score(model, &tech), 10);
    const std::vector<FitLine> lines = explain_fit(model, &tech);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].detail, "3 of 4 values of tech match, 12 bounded to 10");
}

TEST(FitScore, CompetitorsComeFromTheModel) {
    const ScoringModel model = parse_model(R"({"competitors": ["rival.com"], "fit": {"rules": [
        {"attribute": "email", "email_kind": {"competitor": -30, "personal": -20}}]}})",
                                           "m");
    Attribute email = string_attribute("bob@eu.rival.com");
    EXPECT_EQ(fit_score(model, &email), -30);
}

TEST(FitScore, TotalBoundsAndOverflow) {
    const ScoringModel model = parse_model(R"({"fit": {"floor": -10, "rules": [
        {"attribute": "email", "email_kind": {"personal": -20}}]}})",
                                           "m");
    Attribute email = string_attribute("x@gmail.com");
    EXPECT_EQ(fit_score(model, &email), -10);
    EXPECT_EQ(explain_fit(model, &email).back().rule, "fit total");

    const ScoringModel huge = parse_model(R"({"fit": {"rules": [
        {"attribute": "tags", "in": ["a"], "points": 1000000}]}})",
                                          "m");
    std::vector<Attribute> many(3000, string_attribute("a"));
    Attribute tags;
    tags.kind = Attribute::Kind::Array;
    tags.elements = many.data();
    tags.size = many.size();
    EXPECT_THROW(fit_score(huge, &tags), Error);
}

TEST(Grade, LetterByFitDigitByEngagement) {
    const ScoringModel model = parse_model("{}", "m");  // A 40, B 25, C 10; 1 60, 2 30, 3 10
    EXPECT_EQ(grade(model, 40, 6000), "A1");
    EXPECT_EQ(grade(model, 39, 5999), "B2");
    EXPECT_EQ(grade(model, 10, 1000), "C3");
    EXPECT_EQ(grade(model, 9, 999), "D4");
    EXPECT_EQ(grade(model, -50, -1000), "D4");
}

TEST(Threshold, FitAndEngagementBothRequiredWhenGiven) {
    const ScoringModel model =
        parse_model(R"({"thresholds": {"mql": {"fit": 20, "engagement": 40}, "sql": 150}})", "m");
    EXPECT_TRUE(model.mql.met(20, 4000));
    EXPECT_FALSE(model.mql.met(19, 9000));
    EXPECT_FALSE(model.mql.met(90, 3999));
    EXPECT_TRUE(model.sql.met(100, 5000));
    EXPECT_FALSE(model.sql.met(100, 4999));
}

}  // namespace
}  // namespace leadscore::core
