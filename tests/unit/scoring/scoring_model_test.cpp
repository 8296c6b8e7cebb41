#include <gtest/gtest.h>

#include "core/common/error.hpp"
#include "core/scoring/scoring_model.hpp"

namespace leadscore::core {
namespace {

std::string error_of(std::string_view definition) {
    try {
        parse_model(definition, "m");
    } catch (const Error& error) {
        EXPECT_STREQ(error.sqlstate(), "22023");
        EXPECT_FALSE(error.hint().empty()) << error.what();
        return error.what();
    }
    ADD_FAILURE() << "no error for " << definition;
    return {};
}

TEST(ScoringModel, DefaultModelCarriesTheSeedValues) {
    const ScoringModel model = parse_model(default_model_json(), "default");
    const EngagementModel& engagement = model.engagement;
    const auto points = [&](std::string_view type) {
        const int index = engagement.find_event(type);
        EXPECT_GE(index, 0) << type;
        return index < 0 ? -1 : engagement.events[static_cast<std::size_t>(index)].points;
    };
    EXPECT_EQ(points("email_open"), 200);
    EXPECT_EQ(points("email_click"), 500);
    EXPECT_EQ(points("blog_view"), 300);
    EXPECT_EQ(points("pricing_view"), 1500);
    EXPECT_EQ(points("demo_view"), 2000);
    EXPECT_EQ(points("webinar_attended"), 2500);
    EXPECT_EQ(points("chat"), 2000);
    EXPECT_EQ(points("content_download"), 800);
    EXPECT_EQ(points("video_75"), 1000);
    EXPECT_EQ(engagement.inactivity.points, -1000);
    EXPECT_EQ(engagement.inactivity.after, 30LL * 86400 * 1000000);
    EXPECT_EQ(model.mql.score, 8000);
    EXPECT_EQ(model.sql.score, 15000);
    ASSERT_EQ(model.fit.groups.size(), 1u);
    EXPECT_EQ(model.fit.groups[0].bounds.cap, 30);
    const FitRule& seniority = model.fit.rules[0];
    EXPECT_EQ(seniority.seniority_points[static_cast<std::size_t>(Seniority::Vp)], 20);
    EXPECT_EQ(seniority.seniority_points[static_cast<std::size_t>(Seniority::CLevel)], 20);
    EXPECT_EQ(seniority.seniority_points[static_cast<std::size_t>(Seniority::Director)], 10);
    EXPECT_EQ(seniority.seniority_points[static_cast<std::size_t>(Seniority::Individual)], 5);
    const FitRule& email = model.fit.rules.back();
    EXPECT_EQ(email.email_points[static_cast<std::size_t>(EmailKind::Competitor)], -30);
    EXPECT_EQ(email.email_points[static_cast<std::size_t>(EmailKind::Personal)], -20);
    EXPECT_EQ(email.email_points[static_cast<std::size_t>(EmailKind::Student)], -20);
}

TEST(ScoringModel, NormalisedJsonReadsBackToItself) {
    const std::string rich = R"({
      "competitors": ["Rival.com"],
      "fit": {"cap": 60, "floor": -40, "groups": {"icp": {"cap": 30}},
              "rules": [{"attribute": "plan", "equals": true, "points": 3, "group": "icp"},
                        {"attribute": "tech", "in": ["hubspot", 5], "points": 4, "cap": 8},
                        {"attribute": "phone", "exists": true, "points": 2},
                        {"attribute": "revenue", "ranges": [{"min": 1e6, "points": 9}]}]},
      "engagement": {"cap": 200, "floor": 0, "unknown_events": "error",
                     "decay": {"percent": 25, "every": "3 months"},
                     "groups": {"web": {"cap": 40.5, "floor": 0, "decay": {"half_life": "14 days"}}},
                     "events": {"visit": {"points": 1.25, "group": "web", "cap": 10}, "unsubscribe": -15},
                     "frequency": [{"name": "regular", "events": ["visit"], "at_least": 3,
                                    "within": "30 days", "points": 15, "group": "web"}],
                     "inactivity": {"after": "6 weeks", "points": -5, "group": "web"}},
      "thresholds": {"mql": {"fit": 20, "engagement": 40}, "sql": 150},
      "grade": {"fit": {"A": 50, "B": 30, "C": 0}, "engagement": {"1": 80, "2": 40.5, "3": 40.5}}
    })";
    const std::string once = model_json(parse_model(rich, "rich"));
    EXPECT_EQ(model_json(parse_model(once, "rich")), once);
    const std::string defaults = model_json(parse_model(default_model_json(), "default"));
    EXPECT_EQ(model_json(parse_model(defaults, "default")), defaults);
    EXPECT_NE(once.find(R"("half_life":"2 weeks")"), std::string::npos) << once;
    EXPECT_NE(once.find(R"("competitors":["rival.com"])"), std::string::npos) << once;
}

TEST(ScoringModel, AnEmptyModelHasTheSeedThresholds) {
    const ScoringModel model = parse_model("{}", "empty");
    EXPECT_TRUE(model.fit.rules.empty());
    EXPECT_TRUE(model.engagement.events.empty());
    EXPECT_EQ(model.mql.score, 8000);
    EXPECT_TRUE(model.mql.met(30, 5000));
    EXPECT_FALSE(model.mql.met(30, 4999));
}

TEST(ScoringModel, ErrorsNameThePathAndWhatWasExpected) {
    EXPECT_EQ(error_of(R"({"engagement": {"events": {"pricing_view": "high"}}})"),
              "invalid scoring model \"m\" at engagement.events.pricing_view: expected a number or "
              "an object, got a string \"high\"");
    EXPECT_EQ(error_of(R"({"engagement": {"events": {"pricing_view": {"points": "high"}}}})"),
              "invalid scoring model \"m\" at engagement.events.pricing_view.points: expected a "
              "number, got a string \"high\"");
    EXPECT_EQ(error_of("[1]"),
              "invalid scoring model \"m\" at the top level: expected a JSON object, got an array");
    EXPECT_EQ(error_of("{"), "invalid scoring model \"m\": not valid JSON");
    EXPECT_EQ(error_of(R"({"fit": {"rules": [{"attribute": "x", "equals": 1, "points": 1.5}]}})"),
              "invalid scoring model \"m\" at fit.rules[0].points: expected a whole number of "
              "points, got 1.5");
    EXPECT_EQ(error_of(R"({"scoring": {}})"),
              "invalid scoring model \"m\" at scoring: unknown key \"scoring\"");
}

TEST(ScoringModel, RefusesBadDecaysBoundsAndReferences) {
    const auto at = [](std::string_view definition) {
        const std::string message = error_of(definition);
        return message.substr(0, message.find(':', 26));
    };
    EXPECT_EQ(at(R"({"engagement": {"decay": {"half_life": "0 days"}}})"),
              "invalid scoring model \"m\" at engagement.decay.half_life");
    EXPECT_EQ(at(R"({"engagement": {"decay": {"half_life": "-3 days"}}})"),
              "invalid scoring model \"m\" at engagement.decay.half_life");
    EXPECT_EQ(at(R"({"engagement": {"decay": {"half_life": 30}}})"),
              "invalid scoring model \"m\" at engagement.decay.half_life");
    EXPECT_EQ(at(R"({"engagement": {"decay": {"percent": 0, "every": "1 month"}}})"),
              "invalid scoring model \"m\" at engagement.decay.percent");
    EXPECT_EQ(at(R"({"engagement": {"decay": {"percent": 101, "every": "1 month"}}})"),
              "invalid scoring model \"m\" at engagement.decay.percent");
    EXPECT_EQ(at(R"({"engagement": {"decay": {"half_life": "1 day", "percent": 5}}})"),
              "invalid scoring model \"m\" at engagement.decay");
    EXPECT_EQ(at(R"({"engagement": {"groups": {"web": {"cap": 5, "floor": 10}}}})"),
              "invalid scoring model \"m\" at engagement.groups.web.cap");
    EXPECT_EQ(at(R"({"engagement": {"groups": {"web": {"cap": -5}}}})"),
              "invalid scoring model \"m\" at engagement.groups.web.cap");
    EXPECT_EQ(at(R"({"fit": {"cap": -1}})"), "invalid scoring model \"m\" at fit.cap");
    EXPECT_EQ(at(R"({"engagement": {"events": {"visit": {"points": 1, "cap": -0.5}}}})"),
              "invalid scoring model \"m\" at engagement.events.visit.cap");
    EXPECT_EQ(at(R"({"engagement": {"events": {"visit": {"points": 1, "group": "web"}}}})"),
              "invalid scoring model \"m\" at engagement.events.visit.group");
    EXPECT_EQ(at(R"({"engagement": {"events": {"visit": 1.005}}})"),
              "invalid scoring model \"m\" at engagement.events.visit");
    EXPECT_EQ(at(R"({"engagement": {"events": {"visit": 1e9}}})"),
              "invalid scoring model \"m\" at engagement.events.visit");
    EXPECT_EQ(
        at(R"({"engagement": {"events": {"visit": 1}, "frequency": [{"name": "f", "events": ["click"], "at_least": 2, "points": 5}]}})"),
        "invalid scoring model \"m\" at engagement.frequency[0].events[0]");
    EXPECT_EQ(
        at(R"({"engagement": {"events": {"visit": 1}, "frequency": [{"name": "f", "events": ["visit"], "at_least": 0, "points": 5}]}})"),
        "invalid scoring model \"m\" at engagement.frequency[0].at_least");
    EXPECT_EQ(at(R"({"engagement": {"unknown_events": "drop"}})"),
              "invalid scoring model \"m\" at engagement.unknown_events");
    EXPECT_EQ(at(R"({"fit": {"rules": [{"attribute": "t", "seniority": {"boss": 5}}]}})"),
              "invalid scoring model \"m\" at fit.rules[0].seniority.boss");
    EXPECT_EQ(at(R"({"fit": {"rules": [{"attribute": "t", "equals": 1}]}})"),
              "invalid scoring model \"m\" at fit.rules[0].points");
    EXPECT_EQ(
        at(R"({"fit": {"rules": [{"attribute": "t", "equals": 1, "in": [1], "points": 1}]}})"),
        "invalid scoring model \"m\" at fit.rules[0]");
    EXPECT_EQ(
        at(R"({"fit": {"rules": [{"attribute": "n", "ranges": [{"min": 9, "max": 1, "points": 1}]}]}})"),
        "invalid scoring model \"m\" at fit.rules[0].ranges[0].max");
    EXPECT_EQ(
        at(R"({"fit": {"rules": [{"attribute": "t", "exists": true, "points": 1}, {"attribute": "t", "exists": true, "points": 2}]}})"),
        "invalid scoring model \"m\" at fit.rules[1].name");
    EXPECT_EQ(at(R"({"thresholds": {"mql": {}}})"),
              "invalid scoring model \"m\" at thresholds.mql");
    EXPECT_EQ(at(R"({"grade": {"fit": {"A": 10, "B": 20, "C": 0}}})"),
              "invalid scoring model \"m\" at grade.fit.B");
    EXPECT_EQ(at(R"({"competitors": ["a@b.com"]})"),
              "invalid scoring model \"m\" at competitors[0]");
}

TEST(ScoringModel, NamesAreShortAndPrintable) {
    EXPECT_NO_THROW(check_model_name("enterprise 2027"));
    EXPECT_THROW(check_model_name(""), Error);
    EXPECT_THROW(check_model_name(std::string(64, 'm')), Error);
    EXPECT_THROW(check_model_name("tab\there"), Error);
}

TEST(Decay, HalfLifeHalvesAndLinearStepsDownToZero) {
    Decay half{Decay::Kind::HalfLife, 10, 0, 0};
    EXPECT_DOUBLE_EQ(half.factor(0), 1.0);
    EXPECT_DOUBLE_EQ(half.factor(10), 0.5);
    EXPECT_DOUBLE_EQ(half.factor(20), 0.25);
    Decay linear{Decay::Kind::Linear, 0, 25, 30};
    EXPECT_DOUBLE_EQ(linear.factor(29), 1.0);
    EXPECT_DOUBLE_EQ(linear.factor(30), 0.75);
    EXPECT_DOUBLE_EQ(linear.factor(119), 0.25);
    EXPECT_DOUBLE_EQ(linear.factor(120), 0.0);
    EXPECT_DOUBLE_EQ(linear.factor(1000), 0.0);
}

}  // namespace
}  // namespace leadscore::core
