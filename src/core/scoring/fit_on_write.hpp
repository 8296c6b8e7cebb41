// Fit kept current by the lifecycle trigger (attach's fit_attributes): fit
// is a function of who the lead is, so it is computed when the lead is
// inserted and whenever one of its fit attributes changes, not only by the
// nightly rescore. What then becomes of the row's total and engagement, the
// way rescore would compute them for the row at that moment (the glue does
// the arithmetic in numeric, as rescore's SQL does):
#pragma once

namespace leadscore::core {

// Where an attachment's engagement comes from, as rescore sees it.
enum class EngagementSource {
    None,    // neither events tables nor an engagement column: totals are left alone
    Column,  // the engagement column, kept by the application (NULL counts 0)
    Events,  // attached events tables: a new lead has none yet
};

enum class TotalRule {
    Keep,               // leave the total as it is
    FitPlusEngagement,  // fit + the row's engagement column (NULL counts 0)
    FitPlusNoActivity,  // fit + the engagement of a lead with no activity yet
    MoveByFitChange,    // the stored total + (new fit - old fit)
};

struct FitWritePlan {
    TotalRule total = TotalRule::Keep;
    bool engagement_no_activity = false;  // write the no-activity engagement into its column
};

// The row as the trigger sees it.
struct FitRow {
    bool has_score_column = false;
    bool has_engagement_column = false;
    bool score_present = false;       // the total is not NULL
    bool engagement_present = false;  // the engagement column is not NULL
};

// On INSERT: a total the row brings (an import, a column DEFAULT) is kept;
// else fit plus the engagement the row brings or, with events attached and
// none brought, that of a lead with no activity yet (also written into the
// engagement column); with only the application's engagement column, its
// value (NULL counts 0); without an engagement source nothing.
FitWritePlan plan_fit_on_insert(EngagementSource source, const FitRow& row);

// On an UPDATE that changed fit (and did not set the total itself): with an
// engagement column the total is fit + that column, as rescore adds them;
// with events but no engagement column, the stored total moves by the
// change in fit when the old fit is known; without an engagement source the
// total is left alone, as rescore leaves it.
FitWritePlan plan_fit_on_update(EngagementSource source, const FitRow& row, bool old_fit_known);

}  // namespace leadscore::core
