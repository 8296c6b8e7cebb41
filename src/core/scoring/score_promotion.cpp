#include "core/scoring/score_promotion.hpp"

#include "core/common/error.hpp"
#include "core/common/quote.hpp"
#include "core/stage/transition_policy.hpp"

namespace leadscore::core {

namespace {

bool at_least(const std::optional<double>& value, std::int64_t hundredths) {
    // Points compared in hundredths, as the model stores its thresholds.
    return value && *value * 100 >= static_cast<double>(hundredths) - 1e-7;
}

bool crossed(const Threshold& threshold, const ScoreReading& before, const ScoreReading& after) {
    return threshold_reached(threshold, after) && !threshold_reached(threshold, before);
}

bool allowed(std::optional<Stage> from, Stage to) {
    return transition_allowed(Transition{from, to});
}

}  // namespace

bool threshold_reached(const Threshold& threshold, const ScoreReading& scores) {
    if (threshold.score && !at_least(scores.score, *threshold.score)) {
        return false;
    }
    if (threshold.fit && !at_least(scores.fit, *threshold.fit * 100)) {
        return false;
    }
    if (threshold.engagement && !at_least(scores.engagement, *threshold.engagement)) {
        return false;
    }
    return true;
}

std::optional<Stage> promoted_stage(const ScoringModel& model, Stage sql_stage,
                                    std::optional<Stage> current, const ScoreReading& before,
                                    const ScoreReading& after) {
    if (current == Stage::Disqualified) {
        return std::nullopt;
    }
    const bool sql_crossed = crossed(model.sql, before, after);
    const bool mql_crossed = crossed(model.mql, before, after);
    const auto before_in_funnel = [&](Stage target) {
        return !current || *current == Stage::Recycled ||
               (is_funnel_stage(*current) && stage_rank(*current) < stage_rank(target));
    };
    if (sql_crossed && before_in_funnel(sql_stage) && allowed(current, sql_stage)) {
        return sql_stage;
    }
    if ((sql_crossed || mql_crossed) && before_in_funnel(Stage::Mql) &&
        allowed(current, Stage::Mql)) {
        return Stage::Mql;
    }
    return std::nullopt;
}

void check_thresholds_readable(const ScoringModel& model, const AttachmentConfig& config) {
    const auto check = [&](const Threshold& threshold, const char* name) {
        const auto need = [&](bool needed, const std::optional<std::string>& column,
                              const char* key, const char* what) {
            if (needed && !column) {
                throw Error(
                    sqlstate::kInvalidParameterValue,
                    "invalid leadscore.attach config at " + std::string(key) + ": the " + name +
                        " threshold of scoring model " + quote_for_message(*config.model) +
                        " reads the " + what + " score, and no column holds it",
                    "Map the column that holds it: {\"" + std::string(key) + "\": \"...\"}.");
            }
        };
        // The total is read from score_column, or added up from the other two.
        const bool total_readable =
            config.score_column || (config.fit_column && config.engagement_column);
        need(threshold.score.has_value() && !total_readable, std::nullopt, "score_column", "total");
        need(threshold.fit.has_value(), config.fit_column, "fit_column", "fit");
        need(threshold.engagement.has_value(), config.engagement_column, "engagement_column",
             "engagement");
    };
    check(model.mql, "MQL");
    check(model.sql, "SQL");
}

}  // namespace leadscore::core
