#include <gtest/gtest.h>

#include <random>
#include <string>

#include "core/calendar/calendar_definition.hpp"
#include "core/common/error.hpp"
#include "random_calendar.hpp"

namespace leadscore::core {
namespace {

constexpr char kOffice[] = R"({"time_zone": "America/New_York",
    "week": {"mon": [["13:00", "17:00"], ["09:00", "12:00"]], "Tuesday": [["09:00", "17:00"]],
             "fri": [["09:00", "12:00"], ["12:00", "17:00"]],
             "sat": [["22:00", "06:00", "overnight"]], "sun": [["08:00", "12:00"]]},
    "holidays": {"2025-12-25": [], "2025-12-24": [["09:00", "13:00"]]}})";

// The message of the error parse_calendar raises, or "" when it does not.
std::string error_of(const std::string& definition) {
    try {
        parse_calendar(definition, "office");
    } catch (const Error& error) {
        EXPECT_STREQ(error.sqlstate(), sqlstate::kInvalidParameterValue);
        EXPECT_FALSE(error.hint().empty()) << error.what();
        return error.what();
    }
    return "";
}

std::string with_week(const std::string& week) {
    return R"({"time_zone": "UTC", "week": )" + week + "}";
}

TEST(CalendarDefinition, NormalisesWindowsDaysAndHolidays) {
    const CalendarDefinition calendar = parse_calendar(kOffice, "office");
    EXPECT_EQ(calendar.time_zone, "America/New_York");
    ASSERT_EQ(calendar.week[0].size(), 2u);
    EXPECT_EQ(calendar.week[0][0].start, 9 * 3600);  // sorted
    ASSERT_EQ(calendar.week[4].size(), 1u);          // touching windows joined
    EXPECT_EQ(calendar.week[4][0].end, 17 * 3600);
    EXPECT_EQ(calendar.week[5][0].end, 30 * 3600);  // overnight: 06:00 the next day
    ASSERT_EQ(calendar.holidays.size(), 2u);
    EXPECT_LT(calendar.holidays[0].day, calendar.holidays[1].day);
    const std::string json = calendar_json(calendar);
    EXPECT_EQ(
        json,
        R"({"time_zone":"America/New_York","week":{"mon":[["09:00","12:00"],["13:00","17:00"]],)"
        R"("tue":[["09:00","17:00"]],"wed":[],"thu":[],"fri":[["09:00","17:00"]],)"
        R"("sat":[["22:00","06:00","overnight"]],"sun":[["08:00","12:00"]]},)"
        R"("holidays":{"2025-12-24":[["09:00","13:00"]],"2025-12-25":[]}})");
    EXPECT_EQ(calendar_json(parse_calendar(json, "office")), json);
}

TEST(CalendarDefinition, AcceptsFullDaysSecondsAndDateLists) {
    const CalendarDefinition calendar = parse_calendar(
        R"({"time_zone": "UTC", "week": {"mon": [["00:00", "24:00"]], "tue": [["08:30:15", "09:00"]],
            "wed": [["23:00", "00:00", "overnight"]]}, "holidays": ["2026-01-01", "2025-12-25"]})",
        "office");
    EXPECT_EQ(calendar.week[0][0].end, 86400);
    EXPECT_EQ(calendar.week[1][0].start, 8 * 3600 + 30 * 60 + 15);
    EXPECT_EQ(calendar.week[2][0].end, 86400);  // ends at midnight: not overnight
    EXPECT_EQ(calendar.holidays.size(), 2u);
    EXPECT_TRUE(calendar.holidays[0].windows.empty());
    EXPECT_NE(calendar_json(calendar).find(R"("tue":[["08:30:15","09:00"]])"), std::string::npos);
}

TEST(CalendarDefinition, ErrorsNameThePath) {
    EXPECT_NE(error_of("{"), "");
    EXPECT_NE(error_of("[]").find("expected an object"), std::string::npos);
    EXPECT_NE(error_of(R"({"week": {"mon": [["09:00", "17:00"]]}})").find("time_zone: missing"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"time_zone": 5, "week": {}})").find("time_zone: expected an IANA"),
              std::string::npos);
    EXPECT_NE(
        error_of(R"({"time_zone": "UTC", "week": {}, "colour": 1})").find("colour: unknown key"),
        std::string::npos);
    EXPECT_NE(error_of(with_week(R"({"funday": []})")).find("week.funday: unknown weekday"),
              std::string::npos);
    EXPECT_NE(error_of(with_week(R"({"mon": [], "Monday": []})")).find("given twice"),
              std::string::npos);
    EXPECT_NE(error_of(with_week(R"({"mon": "09:00-17:00"})")).find("week.mon: expected a list"),
              std::string::npos);
    EXPECT_NE(error_of(with_week(R"({"mon": [["9:00", "17:00"]]})")).find("week.mon[0][0]"),
              std::string::npos);
    EXPECT_NE(error_of(with_week(R"({"mon": [["09:00", "24:01"]]})")).find("week.mon[0][1]"),
              std::string::npos);
    EXPECT_NE(error_of(with_week(R"({"mon": [["09:00"]]})")).find("expected a window"),
              std::string::npos);
    EXPECT_NE(
        error_of(with_week(R"({"mon": [["09:00", "17:00", "late"]]})")).find("expected a window"),
        std::string::npos);
    EXPECT_NE(error_of(with_week(R"({"mon": []})")).find("the week has no business time"),
              std::string::npos);
    EXPECT_NE(error_of(with_week(R"({"mon": [["09:00", "12:00"], ["11:00", "13:00"]]})"))
                  .find("week.mon[1]: the window [11:00, 13:00] overlaps [09:00, 12:00]"),
              std::string::npos);
}

TEST(CalendarDefinition, WindowsEndAfterTheyStartUnlessOvernight) {
    const std::string message = error_of(with_week(R"({"mon": [["17:00", "09:00"]]})"));
    EXPECT_NE(message.find("week.mon[0]: the window ends at 09:00, not after it starts at 17:00"),
              std::string::npos);
    EXPECT_NE(error_of(with_week(R"({"mon": [["09:00", "09:00"]]})")), "");
    EXPECT_NE(error_of(with_week(R"({"mon": [["08:00", "09:00", "overnight"]]})"))
                  .find("an overnight window starts before midnight"),
              std::string::npos);
    // A 24-hour overnight window is allowed; running into the next day's
    // window is not, nor into Monday from Sunday.
    EXPECT_EQ(error_of(with_week(R"({"mon": [["22:00", "22:00", "overnight"]]})")), "");
    EXPECT_NE(
        error_of(
            with_week(R"({"mon": [["22:00", "06:00", "overnight"]], "tue": [["05:00", "09:00"]]})"))
            .find("runs into the first window of tue"),
        std::string::npos);
    EXPECT_NE(
        error_of(
            with_week(R"({"sun": [["22:00", "06:00", "overnight"]], "mon": [["05:00", "09:00"]]})"))
            .find("week.sun"),
        std::string::npos);
    EXPECT_EQ(error_of(with_week(
                  R"({"mon": [["22:00", "06:00", "overnight"]], "tue": [["06:00", "09:00"]]})")),
              "");
}

// The hint of the error parse_calendar raises, or "" when it does not.
std::string hint_of(const std::string& definition) {
    try {
        parse_calendar(definition, "office");
    } catch (const Error& error) {
        return error.hint();
    }
    return "";
}

// Touching windows join, into at most 24 hours: 0.6 joined these into
// ["09:00", "10:00", "overnight"], which it then refused to read back.
TEST(CalendarDefinition, TouchingWindowsJoinIntoAtMostADay) {
    const std::string longer =
        with_week(R"({"mon": [["09:00", "12:00"], ["12:00", "10:00", "overnight"]]})");
    EXPECT_NE(error_of(longer).find("week.mon[1]: the window [12:00, 10:00, overnight] touches "
                                    "[09:00, 12:00]: joined they run from 09:00 to 10:00 the next "
                                    "day, longer than 24 hours"),
              std::string::npos);
    EXPECT_NE(hint_of(longer).find(R"(["09:00", "24:00"], and give the next day a window )"
                                   R"(["00:00", "10:00"])"),
              std::string::npos);
    // In any order, after joins of several, and on a holiday.
    EXPECT_NE(error_of(with_week(R"({"mon": [["12:00", "10:00", "overnight"], ["11:00", "12:00"],
                                             ["09:00", "11:00"]]})"))
                  .find("week.mon[0]: the window [12:00, 10:00, overnight] touches [09:00, 12:00]"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"time_zone": "UTC", "week": {"tue": [["09:00", "17:00"]]},
                          "holidays": {"2025-12-22": [["09:00", "12:00"], ["12:00", "09:30", "overnight"]]}})")
                  .find("holidays.2025-12-22[1]: the window [12:00, 09:30, overnight] touches"),
              std::string::npos);
    // Exactly 24 hours is one overnight window; midnight to midnight a day.
    const std::string day =
        with_week(R"({"mon": [["09:00", "12:00"], ["12:00", "09:00", "overnight"]],
                                          "wed": [["00:00", "12:00"], ["12:00", "00:00", "overnight"]]})");
    const std::string json = calendar_json(parse_calendar(day, "office"));
    EXPECT_NE(json.find(R"("mon":[["09:00","09:00","overnight"]])"), std::string::npos) << json;
    EXPECT_NE(json.find(R"("wed":[["00:00","24:00"]])"), std::string::npos) << json;
    EXPECT_EQ(calendar_json(parse_calendar(json, "office")), json);
    // The hint's way of writing the longer stretch is accepted.
    EXPECT_EQ(error_of(with_week(R"({"mon": [["09:00", "24:00"]], "tue": [["00:00", "10:00"]]})")),
              "");
}

// For every definition parse_calendar accepts, the normal form (what
// define_calendar stores and pg_dump restores) is accepted again and gives
// itself back; what it refuses it refuses with 22023.
TEST(CalendarDefinition, EveryAcceptedDefinitionStoresARereadableNormalForm) {
    std::mt19937_64 random(20251215);
    int accepted = 0;
    int refused = 0;
    for (int round = 0; round < 6000; ++round) {
        const std::string definition = testing::random_calendar(random);
        CalendarDefinition parsed;
        try {
            parsed = parse_calendar(definition, "random");
        } catch (const Error& error) {
            ASSERT_STREQ(error.sqlstate(), sqlstate::kInvalidParameterValue) << definition;
            ++refused;
            continue;
        }
        ++accepted;
        const std::string stored = calendar_json(parsed);
        std::string again;
        try {
            again = calendar_json(parse_calendar(stored, "random"));
            ASSERT_EQ(normalised_calendar(stored, "random"), stored);
            ASSERT_EQ(calendar_json(parse_calendar(stored, "random", DocumentSource::Stored)),
                      stored);
        } catch (const Error& error) {
            FAIL() << definition << "\nstored as " << stored << "\nis refused: " << error.what();
        }
        ASSERT_EQ(again, stored) << definition;
    }
    // The generator explores both sides.
    EXPECT_GT(accepted, 3000);
    EXPECT_GT(refused, 1000);
}

TEST(CalendarDefinition, HolidaysAreRealDatesInRange) {
    const std::string week =
        R"({"time_zone": "UTC", "week": {"mon": [["22:00", "06:00", "overnight"]]}, )";
    EXPECT_NE(error_of(week + R"("holidays": {"2025-02-30": []}})")
                  .find("holidays.2025-02-30: expected a date"),
              std::string::npos);
    EXPECT_NE(error_of(week + R"("holidays": ["christmas"]})").find("holidays[0]: expected a date"),
              std::string::npos);
    EXPECT_NE(error_of(week + R"("holidays": [20251225]})").find("holidays[0]: expected a date"),
              std::string::npos);
    EXPECT_NE(error_of(week + R"("holidays": "2025-12-25"})").find("holidays: expected an object"),
              std::string::npos);
    EXPECT_NE(error_of(week + R"("holidays": ["2025-12-25", "2025-12-25"]})").find("listed twice"),
              std::string::npos);
    EXPECT_NE(error_of(week + R"("holidays": ["2400-01-03"]})").find("outside the years"),
              std::string::npos);
    // 2025-12-23 is a Tuesday: Monday's overnight window runs into its window.
    EXPECT_NE(
        error_of(week + R"("holidays": {"2025-12-23": [["05:00", "07:00"]]}})")
            .find("holidays.2025-12-23: the window [22:00, 06:00, overnight] of the day before"),
        std::string::npos);
    // A holiday's overnight window must end before the next Monday's.
    EXPECT_NE(error_of(week + R"("holidays": {"2025-12-21": [["23:00", "23:00", "overnight"]]}})")
                  .find("runs into the next day's first window"),
              std::string::npos);
}

TEST(CalendarDefinition, NamesAreBounded) {
    EXPECT_NO_THROW(check_calendar_name("sales emea"));
    EXPECT_THROW(check_calendar_name(""), Error);
    EXPECT_THROW(check_calendar_name(std::string(64, 'x')), Error);
    EXPECT_THROW(check_calendar_name("a\nb"), Error);
}

}  // namespace
}  // namespace leadscore::core
