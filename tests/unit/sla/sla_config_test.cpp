#include <gtest/gtest.h>

#include <string>

#include "core/lifecycle/attachment.hpp"
#include "core/common/error.hpp"

namespace leadscore::core {
namespace {

TableShape contacts() {
    TableShape table;
    table.table_name = "crm.contacts";
    table.columns = {
        {"id", ColumnKind::Number, "integer", {}},
        {"stage", ColumnKind::Text, "text", {}},
        {"first_contacted_at", ColumnKind::Timestamptz, "timestamp with time zone", {}},
        {"sla_due_at", ColumnKind::Timestamptz, "timestamp with time zone", {}},
        {"sla_breached", ColumnKind::Boolean, "boolean", {}},
        {"owner", ColumnKind::Text, "text", {}},
    };
    table.primary_key = {"id"};
    return table;
}

std::string with_sla(const std::string& sla) {
    return R"({"stage_column": "stage", "sla": )" + sla + "}";
}

constexpr char kPolicies[] =
    R"({"calendar": "sales", "due_column": "sla_due_at", "breached_column": "sla_breached",
    "owner_column": "owner", "policies": [
      {"name": "first_response", "met_by": {"column": "first_contacted_at"}},
      {"name": "disposition", "within": "48 Hours", "met_by": {"leaves_for": ["SQL", "recycled", "disqualified"]}},
      {"name": "attempts", "stage": "mql", "within": "90 minutes", "calendar": "emea",
       "met_by": {"events": "crm.activities", "lead_column": "contact_id", "time_column": "at",
                  "type_column": "kind", "types": ["call", "email"], "at_least": 5}}]})";

std::string error_of(const std::string& sla, std::string* sqlstate = nullptr) {
    try {
        parse_attachment_config(with_sla(sla), contacts());
    } catch (const Error& error) {
        if (sqlstate) {
            *sqlstate = error.sqlstate();
        }
        EXPECT_FALSE(error.hint().empty()) << error.what();
        return error.what();
    }
    ADD_FAILURE() << "no error for " << sla;
    return {};
}

TEST(SlaConfig, ReadsPoliciesWithDefaults) {
    const AttachmentConfig config = parse_attachment_config(with_sla(kPolicies), contacts());
    ASSERT_TRUE(config.sla);
    const SlaConfig& sla = *config.sla;
    EXPECT_EQ(sla.calendar, "sales");
    EXPECT_DOUBLE_EQ(sla.warn_at, 0.75);
    EXPECT_EQ(sla.notify_channel, std::optional<std::string>("leadscore_sla"));
    ASSERT_EQ(sla.policies.size(), 3u);
    EXPECT_EQ(sla.policies[0].stage, Stage::Mql);             // seed 000: MQLs
    EXPECT_EQ(sla.policies[0].within, 2 * 3600 * 1000000LL);  // within 2 business hours
    EXPECT_EQ(sla.policies[0].calendar, "sales");
    EXPECT_EQ(sla.policies[1].leaves_for.front(), Stage::Sql);
    EXPECT_EQ(sla.policies[2].calendar, "emea");
    EXPECT_EQ(sla.policies[2].at_least, 5u);
    const std::string normalised = normalised_json(config);
    EXPECT_EQ(normalised_json(parse_attachment_config(normalised, contacts())), normalised);
    EXPECT_NE(normalised.find(R"("within":"48 hours")"), std::string::npos) << normalised;
    EXPECT_NE(normalised.find(R"("within":"90 minutes")"), std::string::npos) << normalised;
    // A config without sla reads back without it.
    EXPECT_EQ(normalised_json(parse_attachment_config(R"({"stage_column": "stage"})", contacts()))
                  .find("sla"),
              std::string::npos);
}

TEST(SlaConfig, BusinessAmountsHaveNoDays) {
    EXPECT_EQ(parse_business_amount("2 hours"), 7200 * 1000000LL);
    EXPECT_EQ(parse_business_amount("1.5 Hours"), 5400 * 1000000LL);
    EXPECT_EQ(parse_business_amount("30 minutes"), 1800 * 1000000LL);
    EXPECT_FALSE(parse_business_amount("2 days"));
    EXPECT_FALSE(parse_business_amount("1 week"));
    EXPECT_FALSE(parse_business_amount("2"));
    EXPECT_FALSE(parse_business_amount("-2 hours"));
    EXPECT_EQ(format_business_amount(7200 * 1000000LL), "2 hours");
    EXPECT_EQ(format_business_amount(5400 * 1000000LL), "90 minutes");
}

TEST(SlaConfig, ErrorsNameThePath) {
    std::string state;
    EXPECT_NE(error_of("[]").find("at sla: expected an object"), std::string::npos);
    EXPECT_NE(error_of(R"({"policies": []})").find("sla.calendar: missing"), std::string::npos);
    EXPECT_NE(error_of(R"({"calendar": "x"})").find("sla.policies: missing"), std::string::npos);
    EXPECT_NE(
        error_of(R"({"calendar": "x", "policies": []})").find("sla.policies: expected an array"),
        std::string::npos);
    EXPECT_NE(
        error_of(R"({"calendar": "x", "lunch": 1, "policies": []})").find("sla.lunch: unknown key"),
        std::string::npos);
    EXPECT_NE(error_of(R"({"calendar": "x", "warn_at": 1.5, "policies": []})").find("sla.warn_at"),
              std::string::npos);
    const std::string policy = R"({"calendar": "x", "policies": [)";
    EXPECT_NE(error_of(policy + R"({"met_by": {"column": "owner"}}]})")
                  .find("sla.policies[0].name: missing"),
              std::string::npos);
    EXPECT_NE(error_of(policy + R"({"name": "a"}]})").find("sla.policies[0].met_by: missing"),
              std::string::npos);
    EXPECT_NE(
        error_of(policy + R"({"name": "a", "within": "2 days", "met_by": {"column": "owner"}}]})")
            .find("sla.policies[0].within: expected an amount of business time"),
        std::string::npos);
    EXPECT_NE(error_of(policy + R"({"name": "a", "stage": "hot", "met_by": {"column": "owner"}}]})")
                  .find("sla.policies[0].stage: \"hot\" is not a lifecycle stage"),
              std::string::npos);
    EXPECT_NE(error_of(policy + R"({"name": "a", "met_by": {"column": "missing_col"}}]})", &state)
                  .find("sla.policies[0].met_by.column: column \"missing_col\" does not exist"),
              std::string::npos);
    EXPECT_EQ(state, "42703");
    EXPECT_NE(error_of(policy + R"({"name": "a", "met_by": {}}]})").find("expected exactly one of"),
              std::string::npos);
    EXPECT_NE(error_of(policy + R"({"name": "a", "met_by": {"leaves_for": ["mql"]}}]})")
                  .find("cannot leave mql for mql"),
              std::string::npos);
    EXPECT_NE(
        error_of(
            policy +
            R"({"name": "a", "met_by": {"events": "e", "lead_column": "l", "time_column": "t", "at_least": 0}}]})")
            .find("met_by.at_least"),
        std::string::npos);
    EXPECT_NE(error_of(policy + R"({"name": "a", "met_by": {"events": "e", "time_column": "t"}}]})")
                  .find("met_by.lead_column: missing"),
              std::string::npos);
    EXPECT_NE(
        error_of(
            policy +
            R"({"name": "a", "met_by": {"events": "e", "lead_column": "l", "time_column": "t", "types": ["call"]}}]})")
            .find("met_by.type_column: missing"),
        std::string::npos);
    EXPECT_NE(
        error_of(
            policy +
            R"({"name": "a", "met_by": {"column": "owner"}}, {"name": "a", "met_by": {"column": "owner"}}]})")
            .find("sla.policies[1].name: two policies are named \"a\""),
        std::string::npos);
    EXPECT_NE(
        error_of(
            R"({"calendar": "x", "due_column": "owner", "policies": [{"name": "a", "met_by": {"column": "owner"}}]})",
            &state)
            .find("sla.due_column: column \"owner\" has type text, expected timestamptz"),
        std::string::npos);
    EXPECT_EQ(state, "42804");
    EXPECT_NE(
        error_of(
            R"({"calendar": "x", "breached_column": "sla_due_at", "policies": [{"name": "a", "met_by": {"column": "owner"}}]})")
            .find("expected boolean"),
        std::string::npos);
}

}  // namespace
}  // namespace leadscore::core
