#include <gtest/gtest.h>

#include <string>

#include "core/lifecycle/handoff.hpp"

namespace leadscore::core {
namespace {

std::string payload(std::string_view key, std::optional<Stage> from = Stage::Lead) {
    Handoff handoff;
    handoff.table = "crm.\"Contacts\"";
    handoff.key = key;
    handoff.from = from;
    handoff.to = Stage::Mql;
    handoff.at = "2026-11-22T09:00:00+00:00";
    char out[kNotifyPayloadCapacity];
    const std::size_t length = format_handoff(handoff, out, sizeof out);
    return std::string(out, length);
}

TEST(Handoff, PayloadIsJsonWithEscapedValues) {
    EXPECT_EQ(payload("42"), R"({"at":"2026-11-22T09:00:00+00:00","from":"lead","key":"42",)"
                             R"("table":"crm.\"Contacts\"","to":"mql"})");
    EXPECT_NE(payload("42", std::nullopt).find(R"("from":null)"), std::string::npos);
}

TEST(Handoff, LongKeysAreCutAndSaySo) {
    const std::string text = payload(std::string(20000, 'k'));
    EXPECT_LT(text.size(), kNotifyPayloadCapacity);
    EXPECT_NE(text.find(R"("key_truncated":true)"), std::string::npos);
}

TEST(Handoff, InvalidUtf8IsReplacedNotThrown) {
    EXPECT_NE(payload("\xFF\xFE").find("\xEF\xBF\xBD"), std::string::npos);
}

}  // namespace
}  // namespace leadscore::core
