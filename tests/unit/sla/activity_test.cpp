#include "core/sla/activity.hpp"

#include <gtest/gtest.h>

#include "core/common/error.hpp"

namespace leadscore::core {
namespace {

constexpr char kPolicies[] = R"([{"name": "call", "stage": "mql", "within": "4 hours",
    "met_by": {"events": "crm.calls", "lead_column": "contact_id", "time_column": "at",
               "type_column": "kind", "types": ["call", "meeting"], "at_least": 3}},
    {"name": "touch", "met_by": {"events": "crm.calls", "lead_column": "contact_id",
                                 "time_column": "at", "type_column": null, "types": null}}])";

TEST(ActivityPolicies, ReadWhatAttachWrote) {
    const std::vector<ActivityPolicy> policies = parse_activity_policies(kPolicies);
    ASSERT_EQ(policies.size(), 2u);
    EXPECT_EQ(policies[0].name, "call");
    EXPECT_EQ(policies[0].type_column, "kind");
    EXPECT_EQ(policies[0].types, (std::vector<std::string>{"call", "meeting"}));
    EXPECT_EQ(policies[0].at_least, 3u);
    EXPECT_TRUE(policies[1].types.empty());
    EXPECT_EQ(policies[1].at_least, 1u);
}

TEST(ActivityPolicies, RefuseWhatAttachDidNotWrite) {
    for (const char* policies :
         {"", "{}", R"([{"name": "x"}])", R"([{"name": "x", "met_by": {"lead_column": "a"}}])",
          R"([{"name": "x", "met_by": {"lead_column": "a", "time_column": "t",
                                      "at_least": 0}}])"}) {
        try {
            parse_activity_policies(policies);
            ADD_FAILURE() << policies;
        } catch (const Error& error) {
            EXPECT_STREQ(error.sqlstate(), sqlstate::kDataCorrupted) << policies;
        }
    }
}

TEST(ActivityMetStatement, CountsTheAtLeastThRowOfTheTypesSinceTheClockStarted) {
    const ActivityPolicy policy = parse_activity_policies(kPolicies)[0];
    const std::string statement =
        activity_met_statement(policy, "crm.calls", "OPERATOR(pg_catalog.=)", "integer");
    EXPECT_NE(statement.find("e.\"contact_id\" OPERATOR(pg_catalog.=) (u.k)::integer"),
              std::string::npos);
    EXPECT_NE(statement.find("e.\"at\" OPERATOR(pg_catalog.>=) u.s"), std::string::npos);
    EXPECT_NE(statement.find("e.\"kind\"::pg_catalog.text OPERATOR(pg_catalog.=) ANY ($4)"),
              std::string::npos);
    EXPECT_NE(statement.find("OFFSET 2 LIMIT 1"), std::string::npos);
}

TEST(ActivityMetStatement, KeysWithoutABtreeClassCompareAsText) {
    const ActivityPolicy policy = parse_activity_policies(kPolicies)[1];
    const std::string statement = activity_met_statement(policy, "crm.calls", std::nullopt, "");
    EXPECT_NE(
        statement.find("pg_catalog.format('%s', e.\"contact_id\") OPERATOR(pg_catalog.=) (u.k)"),
        std::string::npos);
    EXPECT_EQ(statement.find("ANY ($4)"), std::string::npos);  // any type counts
    EXPECT_NE(statement.find("OFFSET 0 LIMIT 1"), std::string::npos);
}

}  // namespace
}  // namespace leadscore::core
