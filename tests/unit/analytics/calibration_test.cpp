#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/analytics/calibration.hpp"
#include "core/common/error.hpp"

namespace leadscore::core {
namespace {

std::vector<ScoreCount> counts_of(const std::vector<std::pair<double, bool>>& leads) {
    std::vector<ScoreCount> counts;
    for (const auto& [score, converted] : leads) {
        counts.push_back({score, 1, converted ? 1U : 0U});
    }
    counts.resize(compact_score_counts(counts.data(), counts.size()));
    return counts;
}

// The AUC by its definition: every (converted, not converted) pair.
double pairwise_auc(const std::vector<std::pair<double, bool>>& leads) {
    double wins = 0;
    double pairs = 0;
    for (const auto& [p, positive] : leads) {
        for (const auto& [n, negative] : leads) {
            if (positive && !negative) {
                pairs += 1;
                wins += p > n ? 1 : p == n ? 0.5 : 0;
            }
        }
    }
    return wins / pairs;
}

TEST(Calibration, AucCountsTiesAsHalf) {
    EXPECT_DOUBLE_EQ(*score_auc(counts_of({{1, false}, {2, true}}).data(), 2), 1.0);
    EXPECT_DOUBLE_EQ(*score_auc(counts_of({{1, true}, {2, false}}).data(), 2), 0.0);
    const auto tied = counts_of({{5, true}, {5, false}});
    EXPECT_DOUBLE_EQ(*score_auc(tied.data(), tied.size()), 0.5);
    const auto one_kind = counts_of({{1, true}, {2, true}});
    EXPECT_FALSE(score_auc(one_kind.data(), one_kind.size()));
    EXPECT_FALSE(score_auc(nullptr, 0));
}

TEST(Calibration, AucMatchesThePairwiseDefinition) {
    std::mt19937_64 random(11);
    for (int round = 0; round < 100; ++round) {
        std::vector<std::pair<double, bool>> leads;
        for (int i = 0; i < 60; ++i) {
            const double score = static_cast<double>(random() % 20);
            leads.emplace_back(score,
                               static_cast<int>(random() % 100) < 10 + 4 * static_cast<int>(score));
        }
        const auto counts = counts_of(leads);
        const auto auc = score_auc(counts.data(), counts.size());
        if (auc) {
            EXPECT_NEAR(*auc, pairwise_auc(leads), 1e-12);
        }
    }
}

TEST(Calibration, RecommendsTheLowestThresholdReachingTheRate) {
    // Scores 10..100; conversion rises with the score.
    std::vector<std::pair<double, bool>> leads;
    for (int score = 10; score <= 100; score += 10) {
        for (int i = 0; i < 10; ++i) {
            leads.emplace_back(score, i < score / 10);  // score 10: 1 in 10, 100: 10 in 10
        }
    }
    const auto counts = counts_of(leads);
    // At or above 60: (6+7+8+9+10)/50 = 80%; at or above 50: 45/60 = 75%.
    EXPECT_EQ(recommend_threshold(counts.data(), counts.size(), 0.75), 50.0);
    EXPECT_EQ(recommend_threshold(counts.data(), counts.size(), 0.76), 60.0);
    EXPECT_EQ(recommend_threshold(counts.data(), counts.size(), 0.25), 10.0);  // everyone: 55%
    EXPECT_EQ(recommend_threshold(counts.data(), counts.size(), 1.0), 100.0);
    const auto never = counts_of({{1, false}, {2, false}});
    EXPECT_FALSE(recommend_threshold(never.data(), never.size(), 0.25));
    const auto curve = threshold_curve(counts.data(), counts.size());
    ASSERT_EQ(curve.size(), 10u);
    EXPECT_EQ(curve[4].threshold, 50.0);
    EXPECT_EQ(curve[4].leads, 60u);
    EXPECT_EQ(curve[4].converted, 45u);
    EXPECT_DOUBLE_EQ(curve[4].conversion_rate, 0.75);
    EXPECT_DOUBLE_EQ(curve[4].share_of_conversions, 45.0 / 55.0);
    EXPECT_DOUBLE_EQ(curve[0].share_of_conversions, 1.0);
}

TEST(Calibration, CompactionIsOrderIndependentAndStatesAreChecked) {
    std::vector<ScoreCount> a = {{3, 1, 1}, {1, 1, 0}, {3, 1, 0}, {2, 1, 1}, {1, 1, 1}};
    a.resize(compact_score_counts(a.data(), a.size()));
    ASSERT_EQ(a.size(), 3u);
    EXPECT_EQ(a[0].score, 1.0);
    EXPECT_EQ(a[0].leads, 2u);
    EXPECT_EQ(a[2].converted, 1u);
    std::string bytes(serialized_score_counts_size(a.size()), '\0');
    serialize_score_counts(a.data(), a.size(), bytes.data());
    EXPECT_EQ(read_serialized_score_counts(bytes.data(), bytes.size()), 3u);
    EXPECT_EQ(serialized_score_count(bytes.data(), 1).score, 2.0);
    auto refused = [](const std::string& damaged) {
        try {
            read_serialized_score_counts(damaged.data(), damaged.size());
        } catch (const Error& error) {
            EXPECT_STREQ(error.sqlstate(), sqlstate::kInvalidBinaryRepresentation);
            return true;
        }
        return false;
    };
    for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
        EXPECT_TRUE(refused(bytes.substr(0, cut))) << cut;
    }
    std::string damaged = bytes;
    damaged[kScoreCountsHeaderSize + 24 + 16] = 9;  // more converted than leads
    EXPECT_TRUE(refused(damaged));
    damaged = bytes;
    std::memcpy(damaged.data() + kScoreCountsHeaderSize + 24,
                damaged.data() + kScoreCountsHeaderSize, 8);
    EXPECT_TRUE(refused(damaged));  // a score twice
}

}  // namespace
}  // namespace leadscore::core

namespace leadscore::core {
namespace {

TEST(Calibration, HashTableCountsEveryScoreOnce) {
    std::vector<ScoreCount> slots(64, ScoreCount{0, 0, 0});
    std::size_t distinct = 0;
    for (int i = 0; i < 1000; ++i) {
        const double score = (i % 30) * 0.5;  // 30 distinct scores, many collisions
        distinct += count_score(slots.data(), slots.size(), score, 1, i % 3 == 0 ? 1 : 0) ? 1 : 0;
    }
    EXPECT_EQ(distinct, 30u);
    EXPECT_FALSE(count_score(slots.data(), slots.size(), -0.0, 1, 0));  // -0.0 is 0.0
    std::uint64_t leads = 0;
    for (const ScoreCount& slot : slots) {
        leads += slot.leads;
    }
    EXPECT_EQ(leads, 1001u);
}

}  // namespace
}  // namespace leadscore::core
