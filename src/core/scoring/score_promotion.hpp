// Scores that move stages (seed 000: "Lead score above 80: MQL. Above 150:
// SQL trigger"): when a lead's stored scores cross a model's threshold, the
// lead moves forward; scores never move a lead backward.
#pragma once

#include <optional>
#include <string>

#include "core/lifecycle/attachment.hpp"
#include "core/scoring/scoring_model.hpp"

namespace leadscore::core {

// A row's scores as stored (points; nothing where the column is NULL or not
// mapped). Without a score column, the total is fit + engagement.
struct ScoreReading {
    std::optional<double> score;  // fit + engagement
    std::optional<double> fit;
    std::optional<double> engagement;
};

// Every condition the threshold sets must be present and met.
bool threshold_reached(const Threshold& threshold, const ScoreReading& scores);

// The stage a score change moves a lead to, or nothing. A threshold counts
// when it is reached now and was not before (HubSpot's "crossed" semantics,
// so a rep's decision to recycle a high-scoring lead is not undone by the
// next unrelated score update):
// - SQL threshold crossed, the lead before `sql_stage` in the funnel (or
//   without a stage), and the policy allows the move: `sql_stage`;
// - else either threshold crossed and the lead a visitor, a lead, recycled or
//   without a stage: mql;
// - never from disqualified, never backward.
std::optional<Stage> promoted_stage(const ScoringModel& model, Stage sql_stage,
                                    std::optional<Stage> current, const ScoreReading& before,
                                    const ScoreReading& after);

// Checks, at attach time, that the columns the config maps can tell whether
// the model's thresholds are reached; throws Error (22023) naming the
// missing key otherwise.
void check_thresholds_readable(const ScoringModel& model, const AttachmentConfig& config);

inline constexpr char kScoreThresholdReason[] = "score_threshold";

}  // namespace leadscore::core
