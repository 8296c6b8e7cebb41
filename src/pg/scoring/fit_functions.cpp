// Fit scoring and what depends on a model's fit: leadscore.fit_score,
// explain_fit, email_kind(model, email), grade and meets_threshold.
#include "pg/scoring/attributes.hpp"
#include "pg/common/guard.hpp"
#include "pg/common/jsonb_text.hpp"
#include "pg/scoring/model_cache.hpp"
#include "pg/common/set_result.hpp"
#include "pg/common/text_datum.hpp"

extern "C" {
#include "utils/numeric.h"
}

#include "core/scoring/fit_score.hpp"

namespace core = leadscore::core;
namespace pg = leadscore::pg;

namespace {

// Engagement as numeric -> centipoints (rounded to 0.01).
core::Centipoints centipoints_arg(FunctionCallInfo fcinfo, int n) {
    Numeric engagement = PG_GETARG_NUMERIC(n);
    const bool finite = !numeric_is_nan(engagement) && !numeric_is_inf(engagement);
    if (!finite) {
        ereport(
            ERROR,
            (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
             errmsg("engagement must be a finite number, got %s",
                    DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(engagement)))),
             errhint("Pass an engagement score, e.g. from leadscore.engagement_score.")));
    }
    const double points = DatumGetFloat8(
        DirectFunctionCall1(numeric_float8_no_overflow, NumericGetDatum(engagement)));
    if (points > 1e15 || points < -1e15) {
        ereport(
            ERROR,
            (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
             errmsg("engagement %s is out of range",
                    DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(engagement)))),
             errhint("Engagement scores lie between -10^15 and 10^15.")));
    }
    Datum hundredfold = DirectFunctionCall2(numeric_mul, PG_GETARG_DATUM(n),
                                            DirectFunctionCall1(int4_numeric, Int32GetDatum(100)));
    Datum rounded = DirectFunctionCall2(numeric_round, hundredfold, Int32GetDatum(0));
    return DatumGetInt64(DirectFunctionCall1(numeric_int8, rounded));
}

}  // namespace

LEADSCORE_FUNCTION(fit_score) {
    const pg::LoadedModel& loaded =
        pg::current_model(fcinfo->flinfo, pg::model_name_arg(fcinfo, 0));
    if (PG_ARGISNULL(1)) {
        PG_RETURN_NULL();
    }
    const core::Attribute* attributes = pg::read_attributes(PG_GETARG_JSONB_P(1), loaded.model.fit);
    PG_RETURN_INT32(static_cast<int32>(core::fit_score(loaded.model, attributes)));
}

// One explanation line as palloc'd plain data, for the tuplestore.
struct FitRow {
    char* rule;
    int32 points;
    char* detail;
};

LEADSCORE_FUNCTION(explain_fit) {
    const pg::LoadedModel& loaded =
        pg::current_model(fcinfo->flinfo, pg::model_name_arg(fcinfo, 0));
    pg::materialize_result(fcinfo);
    if (PG_ARGISNULL(1)) {
        return Datum(0);
    }
    const core::Attribute* attributes = pg::read_attributes(PG_GETARG_JSONB_P(1), loaded.model.fit);
    FitRow* rows;
    std::size_t row_count;
    {
        const std::vector<core::FitLine> lines = core::explain_fit(loaded.model, attributes);
        row_count = lines.size();
        rows = static_cast<FitRow*>(
            palloc_extended(sizeof(FitRow) * (row_count + 1), MCXT_ALLOC_NO_OOM));
        if (rows == nullptr) {
            throw std::bad_alloc();
        }
        for (std::size_t i = 0; i < row_count; ++i) {
            rows[i] = {pg::copy_to_palloc(lines[i].rule), static_cast<int32>(lines[i].points),
                       pg::copy_to_palloc(lines[i].detail)};
        }
    }
    auto* result = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    for (std::size_t i = 0; i < row_count; ++i) {
        Datum values[3] = {CStringGetTextDatum(rows[i].rule), Int32GetDatum(rows[i].points),
                           CStringGetTextDatum(rows[i].detail)};
        bool nulls[3] = {false, false, false};
        tuplestore_putvalues(result->setResult, result->setDesc, values, nulls);
    }
    return Datum(0);
}

LEADSCORE_FUNCTION(email_kind_for_model) {
    const pg::LoadedModel& loaded =
        pg::current_model(fcinfo->flinfo, pg::model_name_arg(fcinfo, 0));
    if (PG_ARGISNULL(1)) {
        PG_RETURN_NULL();
    }
    const core::EmailKind kind =
        core::email_kind(pg::text_arg(fcinfo, 1), loaded.model.competitor_list);
    return pg::text_datum(core::email_kind_name(kind));
}

LEADSCORE_FUNCTION(grade) {
    const pg::LoadedModel& loaded =
        pg::current_model(fcinfo->flinfo, pg::model_name_arg(fcinfo, 0));
    if (PG_ARGISNULL(1) || PG_ARGISNULL(2)) {
        PG_RETURN_NULL();
    }
    const int32 fit = PG_GETARG_INT32(1);
    const core::Centipoints engagement = centipoints_arg(fcinfo, 2);
    char grade_text[3];
    {
        const std::string grade = core::grade(loaded.model, fit, engagement);
        strlcpy(grade_text, grade.c_str(), sizeof grade_text);
    }
    return pg::text_datum(grade_text);
}

// leadscore.meets_threshold(model, threshold, fit, engagement): does a lead
// with these scores reach the model's 'mql' or 'sql' threshold?
LEADSCORE_FUNCTION(meets_threshold) {
    const pg::LoadedModel& loaded =
        pg::current_model(fcinfo->flinfo, pg::model_name_arg(fcinfo, 0));
    if (PG_ARGISNULL(1)) {
        ereport(ERROR,
                (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                 errmsg("the threshold name must not be NULL"), errhint("Use 'mql' or 'sql'.")));
    }
    const std::string_view which = pg::text_arg(fcinfo, 1);
    if (which != "mql" && which != "sql") {
        char quoted[320];
        pg::quote_into(quoted, which);
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("unknown threshold %s", quoted), errhint("Use 'mql' or 'sql'.")));
    }
    if (PG_ARGISNULL(2) || PG_ARGISNULL(3)) {
        PG_RETURN_NULL();
    }
    const core::Threshold& threshold = which == "mql" ? loaded.model.mql : loaded.model.sql;
    PG_RETURN_BOOL(threshold.met(PG_GETARG_INT32(2), centipoints_arg(fcinfo, 3)));
}
