#include <gtest/gtest.h>

#include "core/lifecycle/attachment.hpp"
#include "core/common/error.hpp"

namespace leadscore::core {
namespace {

TableShape contacts() {
    TableShape table;
    table.table_name = "crm.contacts";
    table.columns = {
        {"id", ColumnKind::Other, "integer", {}},
        {"lifecyclestage", ColumnKind::Text, "text", {}},
        {"status", ColumnKind::Enum, "crm.status", {"New", "Working", "Nurture"}},
        {"mql_at", ColumnKind::Timestamptz, "timestamp with time zone", {}},
        {"created", ColumnKind::Other, "timestamp without time zone", {}},
        {"lost_reason", ColumnKind::Text, "text", {}},
    };
    table.primary_key = {"id"};
    return table;
}

std::string error_of(std::string_view config, std::string* sqlstate = nullptr) {
    try {
        parse_attachment_config(config, contacts());
    } catch (const Error& error) {
        if (sqlstate)
            *sqlstate = error.sqlstate();
        return error.what();
    }
    ADD_FAILURE() << "no error for " << config;
    return {};
}

TEST(Attachment, DefaultsAreFilledIn) {
    const AttachmentConfig config =
        parse_attachment_config(R"({"stage_column": "lifecyclestage"})", contacts());
    EXPECT_EQ(config.key_column, "id");
    EXPECT_EQ(config.mode, AttachMode::Enforce);
    EXPECT_EQ(config.reasons, default_reason_codes());
    EXPECT_EQ(config.notify_channel, std::optional<std::string>("leadscore_handoff"));
    EXPECT_FALSE(config.reason_column.has_value());
}

TEST(Attachment, NormalisedJsonReadsBackUnchanged) {
    const AttachmentConfig config = parse_attachment_config(
        R"({"stage_column": "status", "labels": {"New": "lead", "Working": "SAL"},
            "stamps": {"Marketing Qualified Lead": "mql_at"}, "mode": "audit",
            "reason_column": "lost_reason", "reasons": ["No_Budget"], "notify_channel": null})",
        contacts());
    const std::string normalised = normalised_json(config);
    EXPECT_EQ(normalised_json(parse_attachment_config(normalised, contacts())), normalised);
    EXPECT_NE(normalised.find(R"("stamps":{"mql":"mql_at"})"), std::string::npos) << normalised;
    EXPECT_NE(normalised.find(R"("Working":"sal")"), std::string::npos) << normalised;
    EXPECT_NE(normalised.find(R"("reasons":["no_budget"])"), std::string::npos) << normalised;
    EXPECT_NE(normalised.find(R"("notify_channel":null)"), std::string::npos) << normalised;
}

TEST(Attachment, ErrorsNameThePathAndTheValue) {
    std::string state;
    EXPECT_EQ(error_of(R"({"stage_column": "lifecyclestage", "stmaps": {}})", &state),
              "invalid leadscore.attach config at stmaps: unknown key \"stmaps\"");
    EXPECT_EQ(state, "22023");
    EXPECT_EQ(error_of(R"({"stage_column": "stage"})", &state),
              "invalid leadscore.attach config at stage_column: column \"stage\" does not exist in "
              "crm.contacts");
    EXPECT_EQ(state, "42703");
    EXPECT_EQ(
        error_of(R"({"stage_column": "lifecyclestage", "stamps": {"mql": "created"}})", &state),
        "invalid leadscore.attach config at stamps.mql: column \"created\" has type timestamp "
        "without time zone, expected timestamptz");
    EXPECT_EQ(state, "42804");
    EXPECT_EQ(error_of(R"({"stage_column": "lifecyclestage", "labels": {"x": "hot"}})"),
              "invalid leadscore.attach config at labels.x: \"hot\" is not a lifecycle stage");
    EXPECT_EQ(error_of(R"({"stage_column": "lifecyclestage", "reasons": ["a", null]})"),
              "invalid leadscore.attach config at reasons[1]: expected a string, got null");
    EXPECT_EQ(error_of(R"({"stage_column": "lifecyclestage", "labels": {"  ": "mql"}})"),
              "invalid leadscore.attach config at labels.  : the CRM label \"  \" is empty or "
              "longer than 64 characters");
    EXPECT_EQ(error_of("{not json"),
              "invalid leadscore.attach config at the top level: expected a JSON object");
}

TEST(Attachment, EnumLabelsMustAllMeanAStage) {
    EXPECT_EQ(
        error_of(R"({"stage_column": "status"})"),
        "invalid leadscore.attach config at stage_column: label \"New\" of type crm.status is "
        "not a lifecycle stage");
    EXPECT_NO_THROW(parse_attachment_config(
        R"({"stage_column": "status", "labels": {"New": "lead", "Working": "sal"}})", contacts()));
}

TEST(Attachment, ScoreColumnsModelAndSqlStage) {
    TableShape table = contacts();
    table.columns.push_back({"score", ColumnKind::Number, "numeric", {}});
    table.columns.push_back({"title", ColumnKind::Text, "text", {}});
    const AttachmentConfig config = parse_attachment_config(
        R"({"stage_column": "lifecyclestage", "score_column": "score",
            "fit_attributes": ["title"]})",
        table);
    EXPECT_EQ(config.model, "default");  // scores without a model: the built-in one
    EXPECT_EQ(config.sql_stage, Stage::Sal);
    ASSERT_EQ(config.fit_attributes.size(), 1u);
    EXPECT_EQ(config.fit_attributes[0], std::make_pair(std::string("title"), std::string("title")));
    // The normalised form reads back to the same config.
    const std::string normalised = normalised_json(config);
    EXPECT_EQ(normalised_json(parse_attachment_config(normalised, table)), normalised);

    const auto error_for = [&](std::string_view text) -> std::string {
        try {
            parse_attachment_config(text, table);
        } catch (const Error& error) {
            return error.what();
        }
        return "no error";
    };
    EXPECT_EQ(error_for(R"({"stage_column": "lifecyclestage", "score_column": "title"})"),
              "invalid leadscore.attach config at score_column: column \"title\" has type text, "
              "expected a number type");
    EXPECT_EQ(error_for(R"({"stage_column": "lifecyclestage", "model": "default"})"),
              "invalid leadscore.attach config at model: a model without score columns");
    EXPECT_EQ(
        error_for(
            R"({"stage_column": "lifecyclestage", "score_column": "score", "sql_stage": "customer"})"),
        "invalid leadscore.attach config at sql_stage: leads crossing the SQL threshold "
        "cannot be moved to customer");
    EXPECT_EQ(
        error_for(
            R"({"stage_column": "lifecyclestage", "score_column": "score", "fit_attributes": {"title": "job"}})"),
        "invalid leadscore.attach config at fit_attributes.title: column \"job\" does not "
        "exist in crm.contacts");
    // An ENUM stage column needs values for mql and the sql stage.
    EXPECT_EQ(error_for(R"({"stage_column": "status", "score_column": "score",
                            "labels": {"New": "lead", "Working": "sal", "Nurture": "recycled"}})"),
              "invalid leadscore.attach config at stage_column: type crm.status has no value for "
              "stage mql, which scores move leads to");
}

}  // namespace
}  // namespace leadscore::core
