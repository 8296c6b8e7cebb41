#include "core/scoring/fit_on_write.hpp"

namespace leadscore::core {

FitWritePlan plan_fit_on_insert(EngagementSource source, const FitRow& row) {
    FitWritePlan plan;
    if (source == EngagementSource::None) {
        return plan;
    }
    const bool no_activity = source == EngagementSource::Events && !row.engagement_present;
    plan.engagement_no_activity = no_activity && row.has_engagement_column;
    if (row.has_score_column && !row.score_present) {
        plan.total = no_activity ? TotalRule::FitPlusNoActivity : TotalRule::FitPlusEngagement;
    }
    return plan;
}

FitWritePlan plan_fit_on_update(EngagementSource source, const FitRow& row, bool old_fit_known) {
    FitWritePlan plan;
    if (source == EngagementSource::None || !row.has_score_column) {
        return plan;
    }
    if (row.has_engagement_column) {
        plan.total = TotalRule::FitPlusEngagement;
    } else if (row.score_present && old_fit_known) {
        plan.total = TotalRule::MoveByFitChange;
    }
    return plan;
}

}  // namespace leadscore::core
