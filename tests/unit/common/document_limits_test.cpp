// The size limits of user documents and the stop hook of long core loops.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "core/calendar/calendar_definition.hpp"
#include "core/common/document_limits.hpp"
#include "core/common/error.hpp"
#include "core/scoring/scoring_model.hpp"
#include "core/common/stop_check.hpp"

namespace leadscore::core {
namespace {

// {"fit": {"rules": [...]}} with `count` equals rules on distinct attributes.
std::string model_with_rules(std::size_t count) {
    std::string text = R"({"fit": {"rules": [)";
    for (std::size_t i = 0; i < count; ++i) {
        const std::string n = std::to_string(i);
        text += (i == 0 ? "" : ",");
        text += R"({"name": "r)" + n + R"(", "attribute": "a)" + n +
                R"(", "equals": "yes", "points": 1})";
    }
    return text + "]}}";
}

// A calendar open on Mondays with `count` closed days from 1900 on.
std::string calendar_with_holidays(std::size_t count) {
    std::string text =
        R"({"time_zone": "UTC", "week": {"mon": [["09:00", "17:00"]]}, "holidays": [)";
    for (std::size_t i = 0; i < count; ++i) {
        // The 1st to the 28th of each month: 336 distinct days a year.
        const int year = 1900 + static_cast<int>(i / 336);
        const int month = 1 + static_cast<int>(i % 336 / 28);
        const int day_of_month = 1 + static_cast<int>(i % 28);
        char date[16];
        std::snprintf(date, sizeof date, "%04d-%02d-%02d", year, month, day_of_month);
        text += (i == 0 ? "\"" : ",\"") + std::string(date) + "\"";
    }
    return text + "]}";
}

// Installs a stop hook for one test and removes it again.
class StopHookScope {
  public:
    explicit StopHookScope(StopHook hook) { set_stop_hook(hook); }
    ~StopHookScope() { set_stop_hook(nullptr); }
    StopHookScope(const StopHookScope&) = delete;
    StopHookScope& operator=(const StopHookScope&) = delete;
};

int asked = 0;
bool stop_after_100_questions() noexcept {
    return ++asked > 100;
}
bool never_stop() noexcept {
    ++asked;
    return false;
}

TEST(DocumentLimits, ModelAtTheRuleLimitIsReadAndOneMoreIsRefused) {
    const ScoringModel model = parse_model(model_with_rules(kMaxModelEntries), "m");
    EXPECT_EQ(model.fit.rules.size(), kMaxModelEntries);
    EXPECT_EQ(model.fit.attributes.size(), kMaxModelEntries);
    EXPECT_EQ(model.fit.rules.back().attribute_index, kMaxModelEntries - 1);
    try {
        parse_model(model_with_rules(kMaxModelEntries + 1), "m");
        ADD_FAILURE() << "no error for one rule too many";
    } catch (const Error& error) {
        EXPECT_STREQ(error.sqlstate(), "54000");
        EXPECT_NE(std::string(error.what()).find("10001 fit rules, 1 over the limit of 10000"),
                  std::string::npos)
            << error.what();
        EXPECT_NE(error.hint().find("at most 10000 fit rules"), std::string::npos) << error.hint();
    }
}

TEST(DocumentLimits, StoredModelsAreReadBeyondTheLimits) {
    const ScoringModel model =
        parse_model(model_with_rules(kMaxModelEntries + 1), "m", DocumentSource::Stored);
    EXPECT_EQ(model.fit.rules.size(), kMaxModelEntries + 1);
}

TEST(DocumentLimits, BytesAreCountedBeforeTheTextIsParsed) {
    // Not JSON at all: the size is what is refused, not the syntax.
    const std::string text(kMaxModelBytes + 1, '[');
    try {
        parse_model(text, "m");
        ADD_FAILURE() << "no error for a text past the byte limit";
    } catch (const Error& error) {
        EXPECT_STREQ(error.sqlstate(), "54000");
        EXPECT_NE(std::string(error.what()).find("1 over the limit of 4194304"), std::string::npos)
            << error.what();
    }
}

TEST(DocumentLimits, DuplicateRuleNamesAreStillFoundWithTheHashedIndex) {
    std::string text = model_with_rules(3);
    text.replace(text.find("\"r2\""), 4, "\"r0\"");
    try {
        parse_model(text, "m");
        ADD_FAILURE() << "no error for a repeated rule name";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("fit.rules[2].name: a second rule named \"r0\""),
                  std::string::npos)
            << error.what();
    }
}

TEST(StopHook, ModelValidationStopsWhenTheHookSaysSo) {
    asked = 0;
    const StopHookScope scope(stop_after_100_questions);
    EXPECT_THROW(parse_model(model_with_rules(1000), "m"), StopRequested);
    EXPECT_EQ(asked, 101);  // it stopped at the first "yes"
}

TEST(StopHook, StopRequestedIsNotAUserError) {
    asked = 0;
    const StopHookScope scope(stop_after_100_questions);
    try {
        parse_model(model_with_rules(1000), "m");
    } catch (const Error&) {
        ADD_FAILURE() << "a stop must not be caught as a bad input";
    } catch (const StopRequested&) {
    }
}

TEST(StopHook, CalendarValidationStopsWhenTheHookSaysSo) {
    asked = 0;
    const std::string calendar = calendar_with_holidays(1000);
    const StopHookScope scope(stop_after_100_questions);
    EXPECT_THROW(parse_calendar(calendar, "c"), StopRequested);
}

TEST(StopHook, AHookThatNeverStopsIsAskedAndTheWorkFinishes) {
    asked = 0;
    const StopHookScope scope(never_stop);
    EXPECT_EQ(parse_model(model_with_rules(1000), "m").fit.rules.size(), 1000U);
    EXPECT_GE(asked, 1000);  // once per rule at least
    asked = 0;
    EXPECT_EQ(parse_calendar(calendar_with_holidays(500), "c").holidays.size(), 500U);
    EXPECT_GE(asked, 500);
}

}  // namespace
}  // namespace leadscore::core
