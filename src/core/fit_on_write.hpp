// Fit kept current by the lifecycle trigger (attach's fit_attributes): fit
// is a function of who the lead is, so it is computed when the lead is
// inserted and whenever one of its fit attributes changes, not only by the
// nightly rescore. What that writes into the row's score columns, the way
// rescore would compute them for the row at that moment:
#pragma once

#include <cstdint>
#include <optional>

#include "scoring_model.hpp"

namespace leadscore::core {

// One score column of the row as stored.
struct StoredScore {
    bool present = false;              // the column is mapped and not NULL
    std::optional<Centipoints> value;  // its value, when it is a usable number
};

// Where an attachment's engagement comes from, as rescore sees it.
enum class EngagementSource {
    None,    // neither events tables nor an engagement column: totals are left alone
    Column,  // the engagement column, kept by the application (NULL counts 0)
    Events,  // attached events tables: a new lead has none yet
};

// What to write (nothing: leave the column as it is).
struct FitWrite {
    std::optional<Centipoints> score;
    std::optional<Centipoints> engagement;
};

// On INSERT, for a row without a total: fit plus the engagement the row
// brings, else (events attached) that of a lead with no activity yet
// (`no_activity`: the inactivity penalty of the default model), which the
// engagement column then gets too; with the application's engagement
// column, NULL counts 0. Values the row brings (an import) are kept, and an
// engagement that is no usable number leaves the total alone.
FitWrite fit_on_insert(std::int64_t fit, const StoredScore& score, const StoredScore& engagement,
                       Centipoints no_activity, EngagementSource source, bool has_score_column,
                       bool has_engagement_column);

// On an UPDATE that changed fit from `old_fit` (nothing: unknown) to
// `new_fit`: the total moves by the difference (its engagement part did not
// change), unless the statement set the total itself or there is none.
std::optional<Centipoints> total_after_fit_change(std::optional<std::int64_t> old_fit,
                                                  std::int64_t new_fit,
                                                  std::optional<Centipoints> old_score,
                                                  std::optional<Centipoints> new_score);

}  // namespace leadscore::core
