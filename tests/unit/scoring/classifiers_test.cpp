#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/scoring/email_kind.hpp"
#include "core/scoring/title_seniority.hpp"

namespace leadscore::core {
namespace {

std::string_view seniority(std::string_view title) {
    return seniority_name(title_seniority(title));
}

TEST(TitleSeniority, TheTitlesOfTheIssue) {
    EXPECT_EQ(seniority("SVP, Revenue"), "vp");
    EXPECT_EQ(seniority("Co-Founder & CEO"), "c_level");
    EXPECT_EQ(seniority("Head of Growth"), "director");
    EXPECT_EQ(seniority("Sr. Mgr, Demand Gen"), "manager");
    EXPECT_EQ(seniority("Chief Revenue Officer"), "c_level");
    EXPECT_EQ(seniority("VP/GM EMEA"), "vp");
    EXPECT_EQ(seniority("Marketing Intern"), "student");
    EXPECT_EQ(seniority("Student"), "student");
}

TEST(TitleSeniority, MoreRealTitles) {
    EXPECT_EQ(seniority("Vice President of Sales"), "vp");
    EXPECT_EQ(seniority("President"), "c_level");
    EXPECT_EQ(seniority("Founder"), "c_level");
    EXPECT_EQ(seniority("Managing Partner"), "c_level");
    EXPECT_EQ(seniority("Partner Marketing Manager"), "manager");
    EXPECT_EQ(seniority("Director, Product Marketing"), "director");
    EXPECT_EQ(seniority("Team Lead, SDR"), "manager");
    EXPECT_EQ(seniority("Executive Assistant to the CEO"), "individual");
    EXPECT_EQ(seniority("Assistant to the CFO"), "individual");
    EXPECT_EQ(seniority("Senior Software Engineer"), "individual");
    EXPECT_EQ(seniority("Intern Program Manager"), "manager");
    EXPECT_EQ(seniority("MARKETING SPECIALIST"), "individual");
}

TEST(TitleSeniority, EmptyAndOddTitles) {
    EXPECT_EQ(seniority(""), "unknown");
    EXPECT_EQ(seniority("  --  "), "unknown");
    EXPECT_EQ(seniority(std::string(100000, 'x') + " CEO"), "individual");  // read up to 256 bytes
    EXPECT_EQ(seniority("Directeur Général"), "director");
}

std::string_view kind(std::string_view email, std::string_view competitors = {}) {
    return email_kind_name(email_kind(email, competitors));
}

TEST(EmailKind, Kinds) {
    EXPECT_EQ(kind("dora@umbrella.com"), "business");
    EXPECT_EQ(kind("Dora.Smith@GMAIL.com"), "personal");
    EXPECT_EQ(kind("x@proton.me"), "personal");
    EXPECT_EQ(kind("ana@mit.edu"), "student");
    EXPECT_EQ(kind("ana@student.ox.ac.uk"), "student");
    EXPECT_EQ(kind("ana@unsw.edu.au"), "student");
    EXPECT_EQ(kind("ana@edu.com"), "business");
    EXPECT_EQ(kind("info@acme.com"), "role");
    EXPECT_EQ(kind("sales+emea@acme.com"), "role");
    EXPECT_EQ(kind("  support@acme.com "), "role");
    EXPECT_EQ(kind("info@gmail.com"), "personal");
}

TEST(EmailKind, Competitors) {
    EXPECT_EQ(kind("bob@rival.io", "rival.io, other.com"), "competitor");
    EXPECT_EQ(kind("bob@eu.rival.io", "rival.io"), "competitor");
    EXPECT_EQ(kind("bob@notrival.io", "rival.io"), "business");
}

TEST(EmailKind, Invalid) {
    for (std::string_view bad :
         {"", "plainaddress", "@acme.com", "ana@", "ana@@acme.com", "ana@acme", "ana@acme..com",
          "ana@-", "a na@acme.com", "ana@acme.com.", ".ana@acme.com", "ana@ac me.com"}) {
        EXPECT_EQ(kind(bad), "invalid") << bad;
    }
    EXPECT_EQ(kind(std::string(65, 'a') + "@acme.com"), "invalid");
    EXPECT_EQ(kind("a@" + std::string(260, 'b') + ".com"), "invalid");
}

}  // namespace
}  // namespace leadscore::core
