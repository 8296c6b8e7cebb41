// Score calibration: how well a score separates leads that converted from
// those that did not (ROC AUC), and where an MQL threshold should sit (seed
// 000: "the score above which 25%+ of leads historically convert").
//
// The aggregates keep outcome counts per distinct score in a hash table, so
// their state is bounded by the number of distinct scores, not of leads.
// Every result is exact: counts are integers, the AUC is a ratio of
// integers computed once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace leadscore::core {

struct ScoreCount {
    double score;
    std::uint64_t leads;
    std::uint64_t converted;
};

// Sorts `counts[0..size)` by score and merges equal scores; returns the new size.
std::size_t compact_score_counts(ScoreCount* counts, std::size_t size);

// An open-addressing hash table of counts by score: `slots` has a power-of-two
// capacity and a slot with leads == 0 is free. Adds `leads` and `converted`
// to the score's slot; returns true when the score took a free slot. The
// caller keeps the table at most half full.
bool count_score(ScoreCount* slots, std::size_t capacity, double score, std::uint64_t leads,
                 std::uint64_t converted);

// ROC AUC with ties counted as half: the chance that a converted lead scores
// above one that did not. Nothing without both kinds of leads. `counts` must
// be compacted.
std::optional<double> score_auc(const ScoreCount* counts, std::size_t size);

// The lowest score t such that leads scoring t or more convert at a rate of
// at least `target_rate`; nothing when no threshold reaches it.
std::optional<double> recommend_threshold(const ScoreCount* counts, std::size_t size,
                                          double target_rate);

struct ThresholdPoint {
    double threshold;
    std::uint64_t leads;          // scoring at or above it
    std::uint64_t converted;      // of those
    double conversion_rate;       // converted / leads
    double share_of_conversions;  // converted / all conversions (0 without any)
};

// One point per distinct score, lowest threshold first.
std::vector<ThresholdPoint> threshold_curve(const ScoreCount* counts, std::size_t size);

// The serialised state: "LSCT", the count, then 24 bytes per distinct score.
inline constexpr std::size_t kScoreCountsHeaderSize = 16;
std::size_t serialized_score_counts_size(std::size_t size);
void serialize_score_counts(const ScoreCount* counts, std::size_t size, char* out);
// Checks every byte (core::Error 22P03): sorted distinct finite-or-infinite
// scores, converted <= leads, leads > 0. Returns the number of entries.
std::size_t read_serialized_score_counts(const char* bytes, std::size_t size);
ScoreCount serialized_score_count(const char* bytes, std::size_t index);

}  // namespace leadscore::core
