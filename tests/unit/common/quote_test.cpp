#include <gtest/gtest.h>

#include "core/common/quote.hpp"

namespace leadscore::core {
namespace {

TEST(Quote, ShortValuesAreQuotedAsTheyAre) {
    EXPECT_EQ(quote_for_message("mql"), "\"mql\"");
    EXPECT_EQ(quote_for_message(""), "\"\"");
    EXPECT_EQ(quote_for_message("Qualifi\xC3\xA9"), "\"Qualifi\xC3\xA9\"");
}

TEST(Quote, ControlBytesAreEscaped) {
    EXPECT_EQ(quote_for_message("a\tb\x7F"), "\"a\\x09b\\x7F\"");
}

TEST(Quote, LongValuesAreCutAtACharacterBoundary) {
    // "é" is two bytes; a cut at 4 bytes would split the third one.
    EXPECT_EQ(quote_for_message("\xC3\xA9\xC3\xA9\xC3\xA9", 5),
              "\"\xC3\xA9\xC3\xA9\"... (6 bytes)");
    EXPECT_EQ(quote_for_message("abcdef", 3), "\"abc\"... (6 bytes)");
}

}  // namespace
}  // namespace leadscore::core
