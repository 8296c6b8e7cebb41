#include "fit_on_write.hpp"

namespace leadscore::core {

FitWrite fit_on_insert(std::int64_t fit, const StoredScore& score, const StoredScore& engagement,
                       Centipoints no_activity, EngagementSource source, bool has_score_column,
                       bool has_engagement_column) {
    FitWrite write;
    std::optional<Centipoints> engagement_part;
    switch (source) {
        case EngagementSource::None:
            return write;
        case EngagementSource::Column:
            engagement_part = engagement.present ? engagement.value : Centipoints{0};
            break;
        case EngagementSource::Events:
            if (engagement.present) {
                engagement_part = engagement.value;
            } else {
                engagement_part = no_activity;
                if (has_engagement_column) {
                    write.engagement = no_activity;
                }
            }
            break;
    }
    if (has_score_column && !score.present && engagement_part) {
        write.score = fit * 100 + *engagement_part;
    }
    return write;
}

std::optional<Centipoints> total_after_fit_change(std::optional<std::int64_t> old_fit,
                                                  std::int64_t new_fit,
                                                  std::optional<Centipoints> old_score,
                                                  std::optional<Centipoints> new_score) {
    if (!old_fit || !old_score || new_score != old_score || *old_fit == new_fit) {
        return std::nullopt;
    }
    return *old_score + (new_fit - *old_fit) * 100;
}

}  // namespace leadscore::core
