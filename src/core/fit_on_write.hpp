// Fit kept current by the lifecycle trigger (attach's fit_attributes): fit
// is a function of who the lead is, so it is computed when the lead is
// inserted and whenever one of its fit attributes changes, not only by the
// nightly rescore. What that writes into the row's score columns:
#pragma once

#include <cstdint>
#include <optional>

#include "scoring_model.hpp"

namespace leadscore::core {

// A row's score columns as stored, in hundredths of a point (nothing where
// the column is NULL).
struct StoredScores {
    std::optional<Centipoints> score;
    std::optional<Centipoints> engagement;
};

// What to write (nothing: leave the column as it is).
struct FitWrite {
    std::optional<Centipoints> score;
    std::optional<Centipoints> engagement;
};

// On INSERT: a total the row does not bring is fit plus its engagement, and
// an engagement it does not bring is that of a lead with no activity yet
// (`no_activity`: what rescore gives a lead without events, the inactivity
// penalty of the default model). A total or engagement the row brings (an
// import) is kept.
FitWrite fit_on_insert(std::int64_t fit, const StoredScores& row, Centipoints no_activity,
                       bool has_score_column, bool has_engagement_column);

// On an UPDATE that changed fit from `old_fit` to `new_fit`: the total
// moves by the difference (its engagement part did not change), unless the
// statement set the total itself or there is none.
std::optional<Centipoints> total_after_fit_change(std::int64_t old_fit, std::int64_t new_fit,
                                                  std::optional<Centipoints> old_score,
                                                  std::optional<Centipoints> new_score);

}  // namespace leadscore::core
