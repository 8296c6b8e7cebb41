#include "fit_on_write.hpp"

namespace leadscore::core {

FitWrite fit_on_insert(std::int64_t fit, const StoredScores& row, Centipoints no_activity,
                       bool has_score_column, bool has_engagement_column) {
    FitWrite write;
    const Centipoints engagement = row.engagement.value_or(no_activity);
    if (has_engagement_column && !row.engagement) {
        write.engagement = no_activity;
    }
    if (has_score_column && !row.score) {
        write.score = fit * 100 + engagement;
    }
    return write;
}

std::optional<Centipoints> total_after_fit_change(std::int64_t old_fit, std::int64_t new_fit,
                                                  std::optional<Centipoints> old_score,
                                                  std::optional<Centipoints> new_score) {
    if (!old_score || new_score != old_score || old_fit == new_fit) {
        return std::nullopt;
    }
    return *old_score + (new_fit - old_fit) * 100;
}

}  // namespace leadscore::core
