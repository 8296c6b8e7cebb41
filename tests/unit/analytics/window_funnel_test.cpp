#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "core/common/error.hpp"
#include "core/analytics/window_funnel.hpp"

namespace leadscore::core {
namespace {

// Events as letters: 'A' is step 1, 'B' step 2, ...; '.' matches no step.
// "A1 B2 C3": A at time 1, B at 2, C at 3. A group of letters ("AB5") is one
// row matching several steps.
std::vector<FunnelRow> rows_of(const std::string& events) {
    std::vector<FunnelRow> rows;
    std::size_t i = 0;
    while (i < events.size()) {
        if (events[i] == ' ') {
            ++i;
            continue;
        }
        FunnelRow row{0, 0};
        while (i < events.size() &&
               (std::isalpha(static_cast<unsigned char>(events[i])) || events[i] == '.')) {
            if (events[i] != '.') {
                row.steps |= 1U << (events[i] - 'A');
            }
            ++i;
        }
        while (i < events.size() && std::isdigit(static_cast<unsigned char>(events[i]))) {
            row.time = row.time * 10 + (events[i] - '0');
            ++i;
        }
        rows.push_back(row);
    }
    return rows;
}

// Evaluates `rows` (a copy: they are sorted in place) for the level and
// the times, and checks that the level alone comes out the same.
FunnelResult evaluate(std::vector<FunnelRow> rows, int steps, std::int64_t window,
                      const FunnelModes& modes) {
    std::vector<FunnelRow> copy = rows;
    const FunnelResult level_only =
        evaluate_funnel(copy.data(), copy.size(), steps, window, modes, FunnelOutput::kLevel);
    FunnelResult full = evaluate_funnel(rows.data(), rows.size(), steps, window, modes,
                                        FunnelOutput::kLevelAndTimes);
    EXPECT_EQ(level_only.level, full.level);
    EXPECT_TRUE(level_only.times.empty());
    EXPECT_EQ(full.times.size(), static_cast<std::size_t>(full.level));
    return full;
}

int level(const std::string& events, int steps, std::int64_t window,
          const std::string& modes = "") {
    return evaluate(rows_of(events), steps, window, parse_funnel_modes(modes)).level;
}

std::vector<std::int64_t> times(const std::string& events, int steps, std::int64_t window,
                                const std::string& modes = "") {
    return evaluate(rows_of(events), steps, window, parse_funnel_modes(modes)).times;
}

TEST(WindowFunnel, CountsTheDeepestStepWithinTheWindow) {
    EXPECT_EQ(level("A1 B2 C3", 3, 10), 3);
    EXPECT_EQ(level("A1 B2 C20", 3, 10), 2);  // C falls outside A's window
    EXPECT_EQ(level("A1 B2 C11", 3, 10), 3);  // the window is inclusive
    EXPECT_EQ(level("C1 B2 A3", 3, 10), 1);   // the wrong order counts only A
    EXPECT_EQ(level("B1 C2", 3, 10), 0);      // no first step, nothing
    EXPECT_EQ(level("", 3, 10), 0);
    EXPECT_EQ(level("A1 B2 A100 B101 C102", 3, 10), 3);  // the second chain completes
    EXPECT_EQ(level("A1 A8 B12", 2, 5), 2);              // a later start has more room
    EXPECT_EQ(level("A1 C2 B3", 3, 10), 2);              // other steps may come in between
    EXPECT_EQ(level("A1 B2 C3 D4", 3, 10), 3);
}

TEST(WindowFunnel, StrictDeduplicationStopsAtARepeatedStep) {
    // ClickHouse's example: A-B-C-B-D gives A-B-C.
    EXPECT_EQ(level("A1 B2 C3 B4 D5", 4, 100), 4);
    EXPECT_EQ(level("A1 B2 C3 B4 D5", 4, 100, "strict_deduplication"), 3);
    EXPECT_EQ(level("A1 B2 B3 C4", 3, 100, "strict_deduplication"), 2);
    EXPECT_EQ(level("A1 A2 B3 C4", 3, 100, "strict_deduplication"), 3);  // a new start is no repeat
}

TEST(WindowFunnel, StrictOrderAllowsNothingInBetween) {
    // ClickHouse's example: A-B-D-C stops at D, level 2.
    EXPECT_EQ(level("A1 B2 D3 C4", 4, 100), 3);
    EXPECT_EQ(level("A1 B2 D3 C4", 4, 100, "strict_order"), 2);
    EXPECT_EQ(level("A1 .2 B3", 2, 100, "strict_order"), 1);  // an unrelated event ends it
    EXPECT_EQ(level(".1 A2 B3", 2, 100, "strict_order"), 2);  // before the start it does not
    EXPECT_EQ(level("A1 .2 B3", 2, 100), 2);
    // allow_reentry ignores out-of-order steps instead of stopping.
    EXPECT_EQ(level("A1 B2 D3 C4", 4, 100, "strict_order, allow_reentry"), 3);
    EXPECT_EQ(level("A1 B2 D3 C4 D5", 4, 100, "strict_order,allow_reentry"), 4);
}

TEST(WindowFunnel, StrictIncreaseNeedsLaterTimes) {
    EXPECT_EQ(level("A1 B1", 2, 10), 2);  // equal times: step 1 is taken first
    EXPECT_EQ(level("A1 B1", 2, 10, "strict_increase"), 1);
    EXPECT_EQ(level("A1 B1 B2", 2, 10, "strict_increase"), 2);
    EXPECT_EQ(level("B1 A1", 2, 10), 2);  // the rows' order does not matter
}

TEST(WindowFunnel, StrictOnceCountsARowForOneStep) {
    // One row meeting steps 1 and 2 (say "visit" and "visit or signup").
    EXPECT_EQ(level("AB1", 2, 10), 2);
    EXPECT_EQ(level("AB1", 2, 10, "strict_once"), 1);
    EXPECT_EQ(level("AB1 AB2", 2, 10, "strict_once"), 2);
    // An earlier chain still counts when the row restarts step 1.
    EXPECT_EQ(level("A1 AB2", 2, 10, "strict_once"), 2);
    EXPECT_EQ(level("ABC1 ABC2 ABC3", 3, 10, "strict_once"), 3);
    EXPECT_EQ(level("ABC1 ABC2", 3, 10, "strict_once"), 2);
}

TEST(WindowFunnel, TimesOfTheFirstChainToReachTheDeepestStep) {
    EXPECT_EQ(times("A1 B5 A10 B12 C13", 3, 5), (std::vector<std::int64_t>{10, 12, 13}));
    EXPECT_EQ(times("A1 B5 A10 B12", 3, 5), (std::vector<std::int64_t>{1, 5}));
    EXPECT_EQ(times("B1", 3, 5), std::vector<std::int64_t>{});
    EXPECT_EQ(times("A1 A3 B4", 2, 5), (std::vector<std::int64_t>{3, 4}));
}

TEST(WindowFunnel, HugeWindowsAndExtremeTimes) {
    // first + window passes the int64 range: no overflow, the window covers it.
    std::vector<FunnelRow> rows = {{9000000000000000000, 1}, {9223371331199999999, 2}};
    EXPECT_EQ(evaluate(rows, 2, INT64_MAX, {}).level, 2);
    EXPECT_EQ(evaluate(rows, 2, 1000, {}).level, 1);
    // PostgreSQL's earliest and latest times, 9.4e18 microseconds apart.
    std::vector<FunnelRow> extremes = {{-211813488000000000, 1}, {9223371331199999999, 2}};
    EXPECT_EQ(evaluate(extremes, 2, INT64_MAX, {}).level, 1);
}

TEST(WindowFunnel, ResultDoesNotDependOnRowOrder) {
    std::mt19937_64 random(7);
    const char* mode_sets[] = {"",
                               "strict_deduplication",
                               "strict_order",
                               "strict_increase",
                               "strict_once",
                               "strict_order,allow_reentry",
                               "strict_once,strict_increase,strict_deduplication"};
    for (int round = 0; round < 300; ++round) {
        std::vector<FunnelRow> rows;
        const int count = static_cast<int>(random() % 30);
        for (int i = 0; i < count; ++i) {
            rows.push_back({static_cast<std::int64_t>(random() % 20),
                            static_cast<std::uint32_t>(random() % 16)});
        }
        for (const char* modes : mode_sets) {
            const FunnelResult expected = evaluate(rows, 4, 6, parse_funnel_modes(modes));
            std::vector<FunnelRow> shuffled = rows;
            std::shuffle(shuffled.begin(), shuffled.end(), random);
            const FunnelResult got = evaluate(shuffled, 4, 6, parse_funnel_modes(modes));
            ASSERT_EQ(got.level, expected.level) << modes;
            ASSERT_EQ(got.times, expected.times) << modes;
        }
    }
}

TEST(WindowFunnel, ModesAreNamedOrRefused) {
    EXPECT_TRUE(parse_funnel_modes(" strict_order , STRICT_INCREASE").strict_increase);
    EXPECT_TRUE(parse_funnel_modes("") == FunnelModes{});
    try {
        parse_funnel_modes("strict_order, strictest");
        ADD_FAILURE() << "no error";
    } catch (const Error& error) {
        EXPECT_STREQ(error.sqlstate(), sqlstate::kInvalidParameterValue);
        EXPECT_NE(std::string(error.what()).find("\"strictest\""), std::string::npos);
    }
    EXPECT_THROW(parse_funnel_modes("strict_order,,strict_once"), Error);
}

}  // namespace
}  // namespace leadscore::core

namespace leadscore::core {
namespace {

TEST(WindowFunnel, SerialisedStatesRoundTripAndAreChecked) {
    FunnelSettings settings;
    settings.step_count = 3;
    settings.window = 600;
    settings.modes = parse_funnel_modes("strict_order,strict_once");
    const std::vector<FunnelRow> rows = {{5, 1}, {7, 0}, {9, 6}};
    std::string bytes(serialized_funnel_size(rows.size()), '\0');
    serialize_funnel(settings, rows.data(), rows.size(), bytes.data());
    std::size_t count = 0;
    EXPECT_TRUE(read_serialized_funnel(bytes.data(), bytes.size(), count) == settings);
    ASSERT_EQ(count, 3u);
    EXPECT_EQ(serialized_funnel_row(bytes.data(), 2).steps, 6u);

    auto refused = [&](std::string damaged) {
        std::size_t ignored = 0;
        try {
            read_serialized_funnel(damaged.data(), damaged.size(), ignored);
        } catch (const Error& error) {
            EXPECT_STREQ(error.sqlstate(), sqlstate::kInvalidBinaryRepresentation);
            return true;
        }
        return false;
    };
    for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
        EXPECT_TRUE(refused(bytes.substr(0, cut))) << cut;  // every truncation
    }
    std::string damaged = bytes;
    damaged[0] = 'X';
    EXPECT_TRUE(refused(damaged));
    damaged = bytes;
    damaged[4] = 40;  // 40 steps
    EXPECT_TRUE(refused(damaged));
    damaged = bytes;
    damaged[8] = 64;  // unknown mode bit
    EXPECT_TRUE(refused(damaged));
    damaged = bytes;
    damaged[16 + 7] = static_cast<char>(0x80);  // negative window
    EXPECT_TRUE(refused(damaged));
    damaged = bytes;
    damaged[kFunnelHeaderSize + 2 * kFunnelRowSize + 8] = 8;  // step 4 of 3
    EXPECT_TRUE(refused(damaged));
    damaged = bytes;
    damaged[24] = 4;  // more rows than bytes
    EXPECT_TRUE(refused(damaged));
}

}  // namespace
}  // namespace leadscore::core
