#include "pg/sla/sla_clock_store.hpp"

#include "pg/common/kept_plan.hpp"

#include <string_view>

#include "pg/stage/stage_datum.hpp"
#include "pg/common/table_appender.hpp"
#include "pg/lifecycle/table_shape.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace core = leadscore::core;

namespace leadscore::pg {

namespace {

// Prepared once and kept for the backend's life (PostgreSQL re-plans them as
// needed). They run as the extension's owner, and a kept plan is re-parsed
// under the search_path of the moment it is re-planned: so every table,
// operator and function is schema-qualified, nothing resolves through the
// caller's path.
constexpr char kOpenClocks[] =
    "SELECT c.policy, c.started_at, c.due_at, c.status, c.ctid "
    "FROM ONLY leadscore.sla_clocks AS c "  // ONLY: the ctid is the table's own
    "WHERE c.target OPERATOR(pg_catalog.=) $1 AND c.lead_key OPERATOR(pg_catalog.=) $2 "
    "  AND c.closed_at IS NULL AND ($3 IS NULL OR c.stage OPERATOR(leadscore.<>) $3) "
    "FOR UPDATE OF c";  // no ORDER BY: it would tempt the planner into the primary key
// Clocks are started and closed by the table appender (no plan, no CHECK
// evaluated: a due time is never before its start or its warning, and a
// status is one of the six, by construction).
enum ClockColumn {
    kId,
    kTarget,
    kLeadKey,
    kPolicy,
    kStage,
    kCalendar,
    kStartedAt,
    kWarnAt,
    kDueAt,
    kMetAt,
    kClosedAt,
    kStatus,
    kOwner,
    kSource,
    kClockColumnCount
};
constexpr const char* kClockColumns[kClockColumnCount] = {
    "id",      "target", "lead_key", "policy",    "stage",  "calendar", "started_at",
    "warn_at", "due_at", "met_at",   "closed_at", "status", "owner",    "source"};
AppendedTable clocks_appender = {
    "sla_clocks", kClockColumns, kClockColumnCount, InvalidOid, InvalidOid, InvalidOid, nullptr};
constexpr char kWriteLeadColumns[] = "SELECT leadscore._sla_write_lead_columns($1, ARRAY[$2])";

struct Statements {
    bool stale = true;  // sla_clocks may have changed (or was never looked up)
    Oid clocks_owner = InvalidOid;
    Oid clocks_table = InvalidOid;
    SPIPlanPtr open_clocks = nullptr;
    SPIPlanPtr write_lead_columns = nullptr;
};
Statements statements;
// Sessions entered and not yet left: a CRM trigger fired by
// write_lead_columns can change the stage of another attached lead, which
// enters again while the outer statement still runs.
int depth = 0;

// A relcache invalidation of sla_clocks (an ANALYZE, an ALTER ... OWNER,
// DROP/CREATE EXTENSION) marks the statements stale; they are checked on
// the next outermost entry, never here: an invalidation can arrive while
// one of them runs.
void forget_statements(Datum, Oid relid) {
    if (relid == InvalidOid || relid == statements.clocks_table) {
        statements.stale = true;
    }
}

// Looks up sla_clocks and its owner; returns whether the statements must be
// prepared (again): on first use, and when the extension was re-created
// (new OIDs for the table and for lifecycle_stage). Otherwise the plan cache
// keeps the kept plans valid by itself.
bool look_up_clocks() {
    const Oid clocks =
        get_relname_relid("sla_clocks", get_namespace_oid("leadscore", /*missing_ok=*/false));
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(clocks));
    if (!HeapTupleIsValid(tuple)) {
        elog(ERROR, "leadscore: table leadscore.sla_clocks not found");
    }
    statements.clocks_owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->relowner;
    ReleaseSysCache(tuple);
    const bool renewed = clocks != statements.clocks_table || statements.open_clocks == nullptr;
    statements.clocks_table = clocks;
    statements.stale = false;
    return renewed;
}

// As the owner of sla_clocks, at the outermost entry: no plan is running.
void prepare_statements() {
    for (SPIPlanPtr* plan : {&statements.open_clocks, &statements.write_lead_columns}) {
        if (*plan != nullptr) {
            SPI_freeplan(*plan);
            *plan = nullptr;
        }
    }
    const Oid stage = lifecycle_stage_type();
    Oid open_types[3] = {REGCLASSOID, TEXTOID, stage};
    statements.open_clocks = pg::kept_plan(kOpenClocks, 3, open_types);
    Oid write_types[2] = {REGCLASSOID, TEXTOID};
    statements.write_lead_columns = pg::kept_plan(kWriteLeadColumns, 2, write_types);
}

Datum text_datum(std::string_view text) {
    return PointerGetDatum(cstring_to_text_with_len(text.data(), static_cast<int>(text.size())));
}

std::string_view text_view(Datum value) {
    const text* t = DatumGetTextPP(value);
    return {VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)};
}

void execute(SPIPlanPtr plan, Datum* values, const char* nulls, int expected, const char* what) {
    const int result = SPI_execute_plan(plan, values, nulls, false, 0);
    if (result != expected) {
        elog(ERROR, "leadscore: %s failed: %s", what, SPI_result_code_string(result));
    }
}

}  // namespace

void register_clock_store_callbacks() {
    CacheRegisterRelcacheCallback(forget_statements, 0);
}

ClocksSession enter_clocks() {
    if (SPI_connect() != SPI_OK_CONNECT) {
        elog(ERROR, "leadscore: SPI_connect failed");
    }
    const bool renew = depth == 0 && statements.stale && look_up_clocks();
    ClocksSession session;
    GetUserIdAndSecContext(&session.saved_user, &session.saved_context);
    SetUserIdAndSecContext(statements.clocks_owner,
                           session.saved_context | SECURITY_LOCAL_USERID_CHANGE);
    ++depth;
    if (renew) {
        prepare_statements();
    }
    return session;
}

void restore_user(const ClocksSession& session) {
    --depth;
    SetUserIdAndSecContext(session.saved_user, session.saved_context);
}

void leave_clocks() {
    SPI_finish();
}

OpenClockRows query_open_clocks(const CompiledAttachment& attachment, Datum key,
                                std::optional<core::Stage> except_stage) {
    Datum values[3] = {ObjectIdGetDatum(attachment.attached_table), key,
                       except_stage ? stage_datum(*except_stage) : Datum(0)};
    const char nulls[3] = {' ', ' ', except_stage ? ' ' : 'n'};
    // A lead's clocks are always found through the sla_clocks_open index.
    // A plan made while sla_clocks is empty (a new install, the first rows
    // of a bulk change) would otherwise be a sequential scan, kept while the
    // statement fills the table: quadratic. The setting counts only when the
    // statement is planned, which happens inside this call if at all.
    const int setting_level = NewGUCNestLevel();
    (void)set_config_option("enable_seqscan", "off", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
                            true, 0, false);
    execute(statements.open_clocks, values, nulls, SPI_OK_SELECT, "reading the lead's SLA clocks");
    AtEOXact_GUC(true, setting_level);
    // Kept (not freed) while later statements replace SPI_tuptable.
    return {SPI_tuptable, SPI_processed};
}

OpenClock open_clock_at(const CompiledAttachment& attachment, const OpenClockRows& rows,
                        std::uint64_t i) {
    HeapTuple row = rows.table->vals[i];
    const TupleDesc descriptor = rows.table->tupdesc;
    bool is_null;
    const auto column = [&](int n) { return SPI_getbinval(row, descriptor, n, &is_null); };
    OpenClock clock;
    clock.policy = core::find_policy(*attachment.config.sla, text_view(column(1)));
    clock.started = DatumGetTimestampTz(column(2));
    clock.due = DatumGetTimestampTz(column(3));
    // The table's CHECK admits only the six labels.
    clock.status =
        core::clock_status_from_label(text_view(column(4))).value_or(core::ClockStatus::Running);
    clock.tid = *reinterpret_cast<ItemPointer>(DatumGetPointer(column(5)));
    return clock;
}

void close_clock(const OpenClock& clock, core::ClockStatus status, std::optional<TimestampTz> met,
                 TimestampTz now) {
    const int columns[3] = {kStatus, kMetAt, kClosedAt};
    const Datum values[3] = {text_datum(core::clock_status_label(status)),
                             met ? TimestampTzGetDatum(*met) : Datum(0), TimestampTzGetDatum(now)};
    const bool nulls[3] = {false, !met, false};
    ItemPointerData tid = clock.tid;
    update_row(clocks_appender, &tid, 3, columns, values, nulls);
}

void start_clock(const CompiledAttachment& attachment, Datum key, const NewClock& clock,
                 TimestampTz now) {
    Datum values[kClockColumnCount];
    bool nulls[kClockColumnCount] = {};
    values[kTarget] = ObjectIdGetDatum(attachment.attached_table);
    values[kLeadKey] = key;
    values[kPolicy] = text_datum(clock.policy->name);
    values[kStage] = stage_datum(clock.stage);
    values[kCalendar] = text_datum(clock.policy->calendar);
    values[kStartedAt] = TimestampTzGetDatum(clock.started);
    values[kWarnAt] = TimestampTzGetDatum(clock.warn);
    values[kDueAt] = TimestampTzGetDatum(clock.due);
    values[kMetAt] = clock.met ? TimestampTzGetDatum(*clock.met) : Datum(0);
    nulls[kMetAt] = !clock.met;
    values[kClosedAt] = TimestampTzGetDatum(now);  // closed at once when met at once
    nulls[kClosedAt] = !clock.met;
    values[kStatus] =
        text_datum(core::clock_status_label(core::starting_status(clock.met, clock.due)));
    values[kOwner] = clock.owner;
    nulls[kOwner] = clock.owner == 0;
    values[kSource] = clock.source;
    nulls[kSource] = clock.source == 0;
    append_row(clocks_appender, values, nulls);
}

void write_lead_columns(const CompiledAttachment& attachment, Datum key) {
    Datum values[2] = {ObjectIdGetDatum(attachment.attached_table), key};
    execute(statements.write_lead_columns, values, nullptr, SPI_OK_SELECT,
            "writing the lead's SLA columns");
}

}  // namespace leadscore::pg
