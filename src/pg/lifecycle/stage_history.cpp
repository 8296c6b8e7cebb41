#include "pg/lifecycle/stage_history.hpp"

#include "pg/common/table_appender.hpp"

extern "C" {
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

namespace leadscore::pg {

namespace {

// The columns leadscore writes. A column added to the table by an upgrade
// must be added here too: this writer evaluates no defaults.
enum Column {
    kId,
    kTarget,
    kLeadKey,
    kFromStage,
    kToStage,
    kChangedAt,
    kChangedBy,
    kReason,
    kViolation,
    kViolationDetail,
    kCrmLabel,
    kColumnCount
};

constexpr const char* kColumnNames[kColumnCount] = {
    "id",         "target", "lead_key",  "from_stage",       "to_stage",  "changed_at",
    "changed_by", "reason", "violation", "violation_detail", "crm_label",
};

AppendedTable history = {"stage_history", kColumnNames, kColumnCount, InvalidOid,
                         InvalidOid,      InvalidOid,   nullptr};
SPIPlanPtr last_stage_plan = nullptr;

Datum text_or_null(const char* value, bool& is_null) {
    is_null = value == nullptr;
    return is_null ? Datum(0) : CStringGetTextDatum(value);
}

Datum stage_or_null(const std::optional<core::Stage>& stage, bool& is_null) {
    is_null = !stage.has_value();
    return is_null ? Datum(0) : CharGetDatum(core::stage_code(*stage));
}

}  // namespace

void insert_history(const HistoryRow& row) {
    Datum values[kColumnCount];
    bool nulls[kColumnCount] = {};
    values[kTarget] = ObjectIdGetDatum(row.target);
    values[kLeadKey] = CStringGetTextDatum(row.lead_key);
    values[kFromStage] = stage_or_null(row.from, nulls[kFromStage]);
    values[kToStage] = stage_or_null(row.to, nulls[kToStage]);
    values[kChangedAt] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
    values[kChangedBy] = DirectFunctionCall1(namein, CStringGetDatum(row.changed_by));
    values[kReason] = text_or_null(row.reason, nulls[kReason]);
    values[kViolation] = BoolGetDatum(row.violation);
    values[kViolationDetail] = text_or_null(row.violation_detail, nulls[kViolationDetail]);
    values[kCrmLabel] = text_or_null(row.crm_label, nulls[kCrmLabel]);
    append_row(history, values, nulls);
}

std::optional<core::Stage> last_recorded_stage(Oid target, const char* lead_key) {
    look_up_appended_table(history);
    if (SPI_connect() != SPI_OK_CONNECT) {
        elog(ERROR, "leadscore: SPI_connect failed");
    }
    if (last_stage_plan == nullptr) {
        Oid types[2] = {REGCLASSOID, TEXTOID};
        SPIPlanPtr plan = SPI_prepare(
            // Qualified operators: it runs as the history's owner, and a kept
            // plan is re-parsed under the caller's search_path.
            "SELECT to_stage FROM leadscore.stage_history "
            "WHERE target OPERATOR(pg_catalog.=) $1 AND lead_key OPERATOR(pg_catalog.=) $2 "
            "ORDER BY changed_at DESC, id DESC LIMIT 1",
            2, types);
        if (plan == nullptr || SPI_keepplan(plan) != 0) {
            elog(ERROR, "leadscore: preparing the last-stage lookup failed");
        }
        last_stage_plan = plan;
    }
    Datum values[2] = {ObjectIdGetDatum(target), CStringGetTextDatum(lead_key)};
    Oid saved_user;
    int saved_context;
    GetUserIdAndSecContext(&saved_user, &saved_context);
    SetUserIdAndSecContext(history.owner, saved_context | SECURITY_LOCAL_USERID_CHANGE);
    // Not read-only: the snapshot must see the history this very command wrote
    // (the source partition's BEFORE UPDATE of the same move).
    const int result = SPI_execute_plan(last_stage_plan, values, nullptr, false, 1);
    SetUserIdAndSecContext(saved_user, saved_context);
    if (result != SPI_OK_SELECT) {
        elog(ERROR, "leadscore: reading leadscore.stage_history failed: %s",
             SPI_result_code_string(result));
    }
    std::optional<core::Stage> stage;
    if (SPI_processed == 1) {
        bool is_null;
        const Datum value =
            SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null);
        if (!is_null) {
            stage = core::stage_from_code(static_cast<unsigned char>(DatumGetChar(value)));
        }
    }
    SPI_finish();
    return stage;
}

}  // namespace leadscore::pg
