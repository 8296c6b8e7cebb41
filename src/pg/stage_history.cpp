#include "stage_history.hpp"

#include "table_shape.hpp"
#include "text_datum.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace leadscore::pg {

namespace {

SPIPlanPtr insert_plan = nullptr;
Oid history_owner = InvalidOid;

constexpr int kColumns = 9;

void prepare_insert() {
    const Oid schema = get_namespace_oid("leadscore", false);
    const Oid history = get_relname_relid("stage_history", schema);
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(history));
    if (!HeapTupleIsValid(tuple)) {
        elog(ERROR, "leadscore.stage_history does not exist");
    }
    history_owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->relowner;
    ReleaseSysCache(tuple);

    const Oid stage = lifecycle_stage_type();
    Oid types[kColumns] = {REGCLASSOID, TEXTOID, stage,   stage,  NAMEOID,
                           TEXTOID,     BOOLOID, TEXTOID, TEXTOID};
    SPIPlanPtr plan = SPI_prepare(
        "INSERT INTO leadscore.stage_history (target, lead_key, from_stage, to_stage, "
        "changed_by, reason, violation, violation_detail, crm_label) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        kColumns, types);
    if (plan == nullptr) {
        elog(ERROR, "leadscore: preparing the history insert failed: %s",
             SPI_result_code_string(SPI_result));
    }
    SPI_keepplan(plan);
    insert_plan = plan;
}

Datum text_or_null(const char* value, char& null_flag) {
    null_flag = value == nullptr ? 'n' : ' ';
    return value == nullptr ? Datum(0) : CStringGetTextDatum(value);
}

Datum stage_or_null(const std::optional<core::Stage>& stage, char& null_flag) {
    null_flag = stage ? ' ' : 'n';
    return stage ? CharGetDatum(core::stage_code(*stage)) : Datum(0);
}

}  // namespace

void insert_history(const HistoryRow& row) {
    if (SPI_connect() != SPI_OK_CONNECT) {
        elog(ERROR, "leadscore: SPI_connect failed");
    }
    if (insert_plan == nullptr) {
        prepare_insert();
    }
    char nulls[kColumns + 1] = "         ";
    Datum values[kColumns] = {
        ObjectIdGetDatum(row.target),
        CStringGetTextDatum(row.lead_key),
        stage_or_null(row.from, nulls[2]),
        stage_or_null(row.to, nulls[3]),
        DirectFunctionCall1(namein, CStringGetDatum(row.changed_by)),
        text_or_null(row.reason, nulls[5]),
        BoolGetDatum(row.violation),
        text_or_null(row.violation_detail, nulls[7]),
        text_or_null(row.crm_label, nulls[8]),
    };

    Oid saved_user;
    int saved_security_context;
    GetUserIdAndSecContext(&saved_user, &saved_security_context);
    SetUserIdAndSecContext(history_owner, saved_security_context | SECURITY_LOCAL_USERID_CHANGE);
    const int result = SPI_execute_plan(insert_plan, values, nulls, false, 1);
    SetUserIdAndSecContext(saved_user, saved_security_context);
    if (result != SPI_OK_INSERT) {
        elog(ERROR, "leadscore: inserting into leadscore.stage_history failed: %s",
             SPI_result_code_string(result));
    }
    SPI_finish();
}

}  // namespace leadscore::pg
