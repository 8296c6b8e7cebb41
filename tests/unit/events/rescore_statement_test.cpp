#include "core/events/rescore_statement.hpp"

#include <gtest/gtest.h>

#include "core/common/error.hpp"
#include "core/events/rescore_config.hpp"

namespace leadscore::core {
namespace {

std::size_t occurrences(const std::string& text, const std::string& part) {
    std::size_t count = 0;
    for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
        ++count;
    }
    return count;
}

RescoreInputs scored_with_events() {
    RescoreInputs inputs;
    inputs.leads_table = "crm.contacts";
    inputs.key_column = "id";
    inputs.key_equality = "OPERATOR(pg_catalog.=)";
    inputs.model = "default";
    inputs.score_column = ScoreTarget{"score", "numeric(8,2)"};
    inputs.events.push_back({"crm.activities", "contact_id", "kind", "at"});
    return inputs;
}

TEST(QuotedIdentifier, QuotesEveryNameAndDoublesItsQuotes) {
    EXPECT_EQ(quoted_identifier("id"), "\"id\"");
    EXPECT_EQ(quoted_identifier("Lead \"Id\""), "\"Lead \"\"Id\"\"\"");
}

TEST(QuotedLiteral, DoublesQuotesAndEscapesBackslashes) {
    EXPECT_EQ(quoted_literal("it's"), "'it''s'");
    EXPECT_EQ(quoted_literal("a\\b"), "E'a\\\\b'");
}

TEST(AttributesObject, FiftyPairsPerCall) {
    std::vector<std::pair<std::string, std::string>> attributes;
    EXPECT_EQ(attributes_object(attributes, "l"), "pg_catalog.jsonb_build_object()");
    for (int n = 0; n < 101; ++n) {
        attributes.emplace_back("a" + std::to_string(n), "c" + std::to_string(n));
    }
    const std::string object = attributes_object(attributes, "l");
    EXPECT_EQ(occurrences(object, "pg_catalog.jsonb_build_object("), 3u);
    EXPECT_EQ(occurrences(object, " OPERATOR(pg_catalog.||) "), 2u);
    EXPECT_NE(object.find("'a100', l.\"c100\""), std::string::npos);
}

TEST(RescoreStatement, NothingToRecomputeWithoutAnEngagementOrFitSource) {
    RescoreInputs inputs = scored_with_events();
    inputs.events.clear();
    EXPECT_FALSE(rescore_statement(inputs, std::nullopt));  // a total with no engagement source
    inputs.engagement_column = ScoreTarget{"engagement", "integer"};
    EXPECT_TRUE(rescore_statement(inputs, std::nullopt));
}

TEST(RescoreStatement, RestrictsLeadsAndEventsToTheKeysGiven) {
    const RescoreInputs inputs = scored_with_events();
    const std::string all = *rescore_statement(inputs, std::nullopt);
    EXPECT_EQ(all.find("ANY (ARRAY("), std::string::npos);
    const std::string keys = keys_from_text_array("integer");
    const std::string some = *rescore_statement(inputs, keys);
    // the leads, and the rows of the one events table
    EXPECT_EQ(occurrences(some, "OPERATOR(pg_catalog.=) ANY (ARRAY(" + keys + "))"), 2u);
    EXPECT_NE(some.find("e.\"kind\"::pg_catalog.text AS type"), std::string::npos);
    // the computed total is cast to the column's type before it is compared
    EXPECT_NE(some.find(")::numeric(8,2)"), std::string::npos);
    EXPECT_NE(some.find("'skipped'"), std::string::npos);
}

TEST(RescoreStatement, FitFromAttributesIsWrittenToTheFitColumn) {
    RescoreInputs inputs = scored_with_events();
    inputs.fit_attributes = {{"title", "job title"}};
    inputs.fit_column = ScoreTarget{"fit", "integer"};
    const std::string statement = *rescore_statement(inputs, std::nullopt);
    EXPECT_NE(
        statement.find("leadscore.fit_score('default', pg_catalog.jsonb_build_object('title', "
                       "l.\"job title\"))"),
        std::string::npos);
    EXPECT_NE(statement.find("\"fit\" = n.fit"), std::string::npos);
}

TEST(RescoreLockStatement, LocksInKeyOrder) {
    const std::string lock = rescore_lock_statement(scored_with_events(), "SELECT 1");
    EXPECT_NE(lock.find("ORDER BY l.\"id\" FOR NO KEY UPDATE OF l"), std::string::npos);
}

TEST(RescoreConfig, ReadsTheStoredConfigs) {
    const RescoreConfig config = parse_rescore_config(
        R"({"key_column": "id", "model": "default", "score_column": "score", "fit_column": null,
            "fit_attributes": {"title": "title"}})",
        R"([[16390, {"leads": "public.l", "lead_column": "lead_id", "type_column": "event_type",
                     "time_column": "occurred_at"}]])");
    EXPECT_EQ(*config.model, "default");
    EXPECT_FALSE(config.fit_column);
    ASSERT_EQ(config.fit_attributes.size(), 1u);
    ASSERT_EQ(config.events.size(), 1u);
    EXPECT_EQ(config.events[0].events, 16390u);
    EXPECT_EQ(config.events[0].type_column, "event_type");
    EXPECT_TRUE(parse_rescore_config(R"({"key_column": "id"})", "null").events.empty());
}

TEST(RescoreConfig, RefusesWhatLeadscoreDidNotWrite) {
    const char* events = "null";
    for (const char* config : {"", "[]", R"({"model": "default"})", R"({"key_column": 3})"}) {
        try {
            parse_rescore_config(config, events);
            ADD_FAILURE() << config;
        } catch (const Error& error) {
            EXPECT_STREQ(error.sqlstate(), sqlstate::kDataCorrupted) << config;
        }
    }
    EXPECT_THROW(parse_rescore_config(R"({"key_column": "id"})", R"([["16390", {}]])"), Error);
}

TEST(RescoreAnswer, ReadsWrittenAndSkipped) {
    const RescoreAnswer answer = parse_rescore_answer(R"({"written": 2, "skipped": ["7", "x y"]})");
    EXPECT_EQ(answer.written, 2);
    ASSERT_EQ(answer.skipped.size(), 2u);
    EXPECT_EQ(answer.skipped[1], "x y");
    EXPECT_THROW(parse_rescore_answer(R"({"written": 2})"), Error);
}

}  // namespace
}  // namespace leadscore::core
