#include "core/analytics/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "core/common/error.hpp"

namespace leadscore::core {

std::size_t compact_score_counts(ScoreCount* counts, std::size_t size) {
    std::sort(counts, counts + size,
              [](const ScoreCount& a, const ScoreCount& b) { return a.score < b.score; });
    std::size_t out = 0;
    for (std::size_t i = 0; i < size; ++i) {
        if (out > 0 && counts[out - 1].score == counts[i].score) {
            counts[out - 1].leads += counts[i].leads;
            counts[out - 1].converted += counts[i].converted;
        } else {
            counts[out++] = counts[i];
        }
    }
    return out;
}

bool count_score(ScoreCount* slots, std::size_t capacity, double score, std::uint64_t leads,
                 std::uint64_t converted) {
    if (score == 0) {
        score = 0;  // -0.0 and 0.0 are one score
    }
    std::uint64_t bits;
    std::memcpy(&bits, &score, sizeof bits);
    // A 64-bit finaliser (MurmurHash3's): every bit of the double reaches the
    // low bits the table uses, so whole-number scores do not collide.
    bits ^= bits >> 33;
    bits *= 0xFF51AFD7ED558CCDULL;
    bits ^= bits >> 33;
    bits *= 0xC4CEB9FE1A85EC53ULL;
    bits ^= bits >> 33;
    std::size_t slot = static_cast<std::size_t>(bits) & (capacity - 1);
    while (slots[slot].leads != 0 && slots[slot].score != score) {
        slot = (slot + 1) & (capacity - 1);
    }
    const bool taken = slots[slot].leads == 0;
    slots[slot].score = score;
    slots[slot].leads += leads;
    slots[slot].converted += converted;
    return taken;
}

// Walking up the scores with the negatives seen so far: each converted lead
// at score s beats every non-converted lead below s and ties with those at
// s. Twice the numerator is an integer (no rounding until the division).
std::optional<double> score_auc(const ScoreCount* counts, std::size_t size) {
    unsigned __int128 twice_wins = 0;
    std::uint64_t negatives_below = 0;
    std::uint64_t positives = 0;
    for (std::size_t i = 0; i < size; ++i) {
        const std::uint64_t negatives = counts[i].leads - counts[i].converted;
        twice_wins += static_cast<unsigned __int128>(counts[i].converted) *
                      (2 * static_cast<unsigned __int128>(negatives_below) + negatives);
        negatives_below += negatives;
        positives += counts[i].converted;
    }
    if (positives == 0 || negatives_below == 0) {
        return std::nullopt;
    }
    return static_cast<double>(twice_wins) /
           (2.0 * static_cast<double>(positives) * static_cast<double>(negatives_below));
}

std::optional<double> recommend_threshold(const ScoreCount* counts, std::size_t size,
                                          double target_rate) {
    // Leads and conversions at or above each score, from the top down; the
    // lowest qualifying score wins.
    std::uint64_t leads = 0;
    std::uint64_t converted = 0;
    std::optional<double> lowest;
    for (std::size_t i = size; i > 0; --i) {
        leads += counts[i - 1].leads;
        converted += counts[i - 1].converted;
        // converted / leads >= target, without dividing
        if (static_cast<long double>(converted) >=
            static_cast<long double>(target_rate) * static_cast<long double>(leads)) {
            lowest = counts[i - 1].score;
        }
    }
    return lowest;
}

std::vector<ThresholdPoint> threshold_curve(const ScoreCount* counts, std::size_t size) {
    std::uint64_t all_converted = 0;
    for (std::size_t i = 0; i < size; ++i) {
        all_converted += counts[i].converted;
    }
    std::vector<ThresholdPoint> curve(size);
    std::uint64_t leads = 0;
    std::uint64_t converted = 0;
    for (std::size_t i = size; i > 0; --i) {
        leads += counts[i - 1].leads;
        converted += counts[i - 1].converted;
        curve[i - 1] = {counts[i - 1].score, leads, converted,
                        static_cast<double>(converted) / static_cast<double>(leads),
                        all_converted == 0
                            ? 0.0
                            : static_cast<double>(converted) / static_cast<double>(all_converted)};
    }
    return curve;
}

namespace {

constexpr char kMagic[4] = {'L', 'S', 'C', 'T'};
constexpr std::size_t kEntrySize = 24;

[[noreturn]] void corrupted(const std::string& what) {
    corrupted_state("score calibration", what);
}

}  // namespace

std::size_t serialized_score_counts_size(std::size_t size) {
    return kScoreCountsHeaderSize + size * kEntrySize;
}

void serialize_score_counts(const ScoreCount* counts, std::size_t size, char* out) {
    std::memcpy(out, kMagic, sizeof kMagic);
    std::memset(out + 4, 0, 4);
    const std::uint64_t count = size;
    std::memcpy(out + 8, &count, sizeof count);
    for (std::size_t i = 0; i < size; ++i) {
        char* entry = out + kScoreCountsHeaderSize + i * kEntrySize;
        std::memcpy(entry, &counts[i].score, 8);
        std::memcpy(entry + 8, &counts[i].leads, 8);
        std::memcpy(entry + 16, &counts[i].converted, 8);
    }
}

ScoreCount serialized_score_count(const char* bytes, std::size_t index) {
    ScoreCount count;
    const char* entry = bytes + kScoreCountsHeaderSize + index * kEntrySize;
    std::memcpy(&count.score, entry, 8);
    std::memcpy(&count.leads, entry + 8, 8);
    std::memcpy(&count.converted, entry + 16, 8);
    return count;
}

std::size_t read_serialized_score_counts(const char* bytes, std::size_t size) {
    if (size < kScoreCountsHeaderSize || std::memcmp(bytes, kMagic, sizeof kMagic) != 0) {
        corrupted("not a calibration state (" + std::to_string(size) + " bytes)");
    }
    std::uint64_t count;
    std::memcpy(&count, bytes + 8, sizeof count);
    if (count > (size - kScoreCountsHeaderSize) / kEntrySize ||
        size != serialized_score_counts_size(count)) {
        corrupted(std::to_string(count) + " scores in " + std::to_string(size) + " bytes");
    }
    for (std::size_t i = 0; i < count; ++i) {
        const ScoreCount entry = serialized_score_count(bytes, i);
        if (std::isnan(entry.score) || entry.leads == 0 || entry.converted > entry.leads) {
            corrupted("entry " + std::to_string(i) + " is not a score with its counts");
        }
        if (i > 0 && !(serialized_score_count(bytes, i - 1).score < entry.score)) {
            corrupted("scores out of order at entry " + std::to_string(i));
        }
    }
    return count;
}

}  // namespace leadscore::core
