// The SLA activity trigger, leadscore._sla_events_inserted(): a statement
// trigger on an events table named by an SLA policy met by activity (and
// cloned onto its partitions). For each such policy, the open clocks of the
// inserted rows' leads are locked (another transaction adding activity for
// the same lead waits, then counts this one's rows too), each clock's
// at_least-th qualifying row since it started is looked up as the events
// table's owner, and the clocks met are closed; then the leads' SLA columns
// are written.
//
// Per backend and trigger, it keeps what each statement would otherwise
// look up or plan again (the attached table, the policies, each policy's
// prepared count), made stale with the events trigger's caches
// (events_trigger.hpp).
#include <algorithm>
#include <memory>
#include <vector>

#include "pg/common/guard.hpp"
#include "pg/common/jsonb_text.hpp"
#include "pg/common/kept_plan.hpp"
#include "pg/common/key_operator.hpp"
#include "pg/common/run_as_owner.hpp"
#include "pg/events/events_trigger.hpp"
#include "pg/sla/sla_activity.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "commands/trigger.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
}

#include "core/sla/activity.hpp"

namespace {

using namespace leadscore;

struct PolicyPlan {
    char* name;         // palloc'd in TopMemoryContext
    char* lead_column;  // likewise
    SPIPlanPtr met;     // run as the events table's owner
    ArrayType* types;   // NULL: any type counts (TopMemoryContext)
};

struct ActivityTrigger {
    Oid trigger;
    uint64 generation;
    Oid events;
    Oid leads;  // InvalidOid: no attached table has these policies for these events
    std::vector<PolicyPlan> policies;
};

std::vector<std::unique_ptr<ActivityTrigger>> triggers;

// leadscore's own statements, the same for every trigger: run as the
// extension's owner.
SPIPlanPtr lock_clocks = nullptr;
SPIPlanPtr close_clocks = nullptr;
SPIPlanPtr owner_can_read = nullptr;
SPIPlanPtr write_lead_columns = nullptr;

void free_stale_triggers(XactEvent event, void*) {
    if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT &&
        event != XACT_EVENT_PARALLEL_COMMIT && event != XACT_EVENT_PARALLEL_ABORT) {
        return;
    }
    const uint64 current = pg::events_cache_generation();
    triggers.erase(std::remove_if(triggers.begin(), triggers.end(),
                                  [current](const std::unique_ptr<ActivityTrigger>& entry) {
                                      if (entry->generation == current) {
                                          return false;
                                      }
                                      for (const PolicyPlan& policy : entry->policies) {
                                          if (policy.met != nullptr) {
                                              SPI_freeplan(policy.met);
                                          }
                                      }
                                      return true;
                                  }),
                   triggers.end());
}

void prepare_own_statements() {
    if (write_lead_columns != nullptr) {
        return;
    }
    pg::as_extension_owner([&] {
        Oid lock_types[3] = {OIDOID, TEXTOID, TEXTARRAYOID};
        lock_clocks = pg::kept_plan(
            "SELECT c.id, c.lead_key, c.started_at FROM leadscore.sla_clocks AS c "
            "WHERE c.target OPERATOR(pg_catalog.=) $1::pg_catalog.regclass "
            "  AND c.policy OPERATOR(pg_catalog.=) $2 AND c.closed_at IS NULL "
            "  AND c.lead_key OPERATOR(pg_catalog.=) ANY ($3) "
            "ORDER BY c.id FOR NO KEY UPDATE",
            3, lock_types);
        Oid close_types[2] = {INT8ARRAYOID, TIMESTAMPTZARRAYOID};
        close_clocks = pg::kept_plan(
            "UPDATE leadscore.sla_clocks AS c SET met_at = m.met, "
            "  status = CASE WHEN m.met OPERATOR(pg_catalog.<=) c.due_at THEN 'met' ELSE "
            "'met_late' "
            "END, closed_at = pg_catalog.now() "
            "FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) AS m(id, met) "
            "WHERE c.id OPERATOR(pg_catalog.=) m.id AND c.closed_at IS NULL RETURNING c.lead_key",
            2, close_types);
        Oid read_types[1] = {OIDOID};
        owner_can_read = pg::kept_plan(
            "SELECT FROM pg_catalog.pg_class AS r WHERE r.oid OPERATOR(pg_catalog.=) $1 "
            "  AND pg_catalog.has_table_privilege(r.relowner, r.oid, 'SELECT') "
            "  AND pg_catalog.has_schema_privilege(r.relowner, r.relnamespace, 'USAGE')",
            1, read_types);
        Oid write_types[2] = {REGCLASSOID, TEXTARRAYOID};
        write_lead_columns =
            pg::kept_plan("SELECT leadscore._sla_write_lead_columns($1, $2)", 2, write_types);
    });
}

// The table attached with these policies met by these events: the one the
// trigger recorded when it is such a table (its OID changes in a dump and
// restore), else the only one.
Oid attached_leads(const char* recorded, Oid events, const char* policies) {
    Oid leads = InvalidOid;
    pg::as_extension_owner([&] {
        Oid types[3] = {OIDOID, OIDOID, TEXTOID};
        Datum values[3] = {ObjectIdGetDatum(atooid(recorded)), ObjectIdGetDatum(events),
                           CStringGetTextDatum(policies)};
        const int result = SPI_execute_with_args(
            "SELECT leadscore._sla_events_target($1, $2::pg_catalog.regclass, "
            "$3::pg_catalog.jsonb)",
            3, types, values, nullptr, true, 1);
        if (result != SPI_OK_SELECT) {
            elog(ERROR, "leadscore: finding the table of an SLA activity trigger failed");
        }
        bool is_null = true;
        const Datum value = SPI_processed == 1 ? SPI_getbinval(SPI_tuptable->vals[0],
                                                               SPI_tuptable->tupdesc, 1, &is_null)
                                               : 0;
        leads = is_null ? InvalidOid : DatumGetObjectId(value);
    });
    return leads;
}

// Plain data for one policy, built by the core.
struct PolicySource {
    char* name;
    char* lead_column;
    char* statement;
    char** types;
    int type_count;
};

// (C++ objects alive: the PostgreSQL calls go through call_postgres.)
PolicySource* policy_sources(const char* policies_json, Oid events, int* count) {
    const std::vector<core::ActivityPolicy> policies = core::parse_activity_policies(policies_json);
    *count = static_cast<int>(policies.size());
    PolicySource* sources = nullptr;
    const char* events_name = nullptr;
    pg::call_postgres([&] {
        sources = static_cast<PolicySource*>(palloc0(sizeof(PolicySource) * (*count + 1)));
        events_name = quote_qualified_identifier(get_namespace_name(get_rel_namespace(events)),
                                                 get_rel_name(events));
    });
    for (int n = 0; n < *count; ++n) {
        const core::ActivityPolicy& policy = policies[n];
        const char* equality = nullptr;
        const char* key_type = nullptr;
        pg::call_postgres([&] {
            equality = pg::key_operator(events, policy.lead_column.c_str(), 3);
            key_type = pg::column_sql_type(events, policy.lead_column.c_str());
        });
        const std::string statement = core::activity_met_statement(
            policy, events_name,
            equality != nullptr ? std::optional<std::string_view>(equality) : std::nullopt,
            key_type != nullptr ? key_type : "pg_catalog.text");
        sources[n].name = pg::copy_to_palloc(policy.name);
        sources[n].lead_column = pg::copy_to_palloc(policy.lead_column);
        sources[n].statement = pg::copy_to_palloc(statement);
        if (!policy.types.empty() && !policy.type_column.empty()) {
            sources[n].type_count = static_cast<int>(policy.types.size());
            pg::call_postgres([&] {
                sources[n].types = static_cast<char**>(palloc(sizeof(char*) * policy.types.size()));
            });
            for (std::size_t t = 0; t < policy.types.size(); ++t) {
                sources[n].types[t] = pg::copy_to_palloc(policy.types[t]);
            }
        }
    }
    return sources;
}

const ActivityTrigger& activity_trigger(TriggerData* trigger_data) {
    const Trigger* trigger = trigger_data->tg_trigger;
    const uint64 generation = pg::events_cache_generation();
    for (const auto& entry : triggers) {
        if (entry->trigger == trigger->tgoid && entry->generation == generation) {
            return *entry;
        }
    }
    if (trigger->tgnargs < 2) {
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("leadscore's SLA activity trigger needs its two arguments"),
                        errhint("leadscore.attach creates it.")));
    }
    prepare_own_statements();
    const Oid events =
        pg::attached_events_table(trigger, RelationGetRelid(trigger_data->tg_relation));
    const Oid leads = attached_leads(trigger->tgargs[0], events, trigger->tgargs[1]);
    int count = 0;
    PolicySource* sources =
        leads != InvalidOid ? policy_sources(trigger->tgargs[1], events, &count) : nullptr;
    const Oid owner = pg::table_owner(events);
    std::vector<PolicyPlan> plans;
    if (leads != InvalidOid) {
        pg::watch_relation(events);
        pg::watch_relation(leads);
        Oid types[4] = {INT8ARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID, TEXTARRAYOID};
        for (int n = 0; n < count; ++n) {
            PolicyPlan plan{nullptr, nullptr, nullptr, nullptr};
            pg::call_postgres([&] {
                pg::as_owner(owner,
                             [&] { plan.met = pg::kept_plan(sources[n].statement, 4, types); });
                MemoryContext saved = MemoryContextSwitchTo(TopMemoryContext);
                plan.name = pstrdup(sources[n].name);
                plan.lead_column = pstrdup(sources[n].lead_column);
                if (sources[n].type_count > 0) {
                    Datum* texts =
                        static_cast<Datum*>(palloc(sizeof(Datum) * sources[n].type_count));
                    for (int t = 0; t < sources[n].type_count; ++t) {
                        texts[t] = CStringGetTextDatum(sources[n].types[t]);
                    }
                    plan.types = construct_array(texts, sources[n].type_count, TEXTOID, -1, false,
                                                 TYPALIGN_INT);
                }
                MemoryContextSwitchTo(saved);
            });
            plans.push_back(plan);
        }
    }
    auto entry = std::make_unique<ActivityTrigger>();
    entry->trigger = trigger->tgoid;
    entry->generation = generation;
    entry->events = events;
    entry->leads = leads;
    entry->policies = std::move(plans);
    triggers.push_back(std::move(entry));
    return *triggers.back();
}

// SPI's column `column` of every row as an array of `type`, in the caller's
// memory context.
Datum column_array(int column, Oid type, MemoryContext context) {
    ArrayBuildState* values = initArrayResult(type, context, false);
    for (uint64 row = 0; row < SPI_processed; ++row) {
        bool is_null;
        const Datum value =
            SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, column, &is_null);
        values = accumArrayResult(values, value, is_null, type, context);
    }
    return makeArrayResult(values, context);
}

}  // namespace

namespace leadscore::pg {

void register_sla_activity_callbacks() {
    RegisterXactCallback(free_stale_triggers, nullptr);
}

}  // namespace leadscore::pg

LEADSCORE_FUNCTION(sla_events_inserted) {
    if (!CALLED_AS_TRIGGER(fcinfo)) {
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("leadscore._sla_events_inserted must be called as a trigger")));
    }
    auto* trigger_data = reinterpret_cast<TriggerData*>(fcinfo->context);
    if (trigger_data->tg_newtable == nullptr) {
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("leadscore._sla_events_inserted needs the inserted rows"),
                        errhint("leadscore.attach creates its trigger.")));
    }
    const ActivityTrigger& trigger = activity_trigger(trigger_data);
    if (trigger.leads == InvalidOid) {
        return PointerGetDatum(nullptr);  // (left by a table detached since)
    }
    MemoryContext caller_context = CurrentMemoryContext;
    ArrayBuildState* met_keys = initArrayResult(TEXTOID, caller_context, false);
    bool any_met = false;
    for (const PolicyPlan& policy : trigger.policies) {
        ArrayType* keys = pg::inserted_keys(trigger_data, policy.lead_column, true);
        if (keys == nullptr) {
            continue;
        }
        Datum ids = 0, clock_keys = 0, starts = 0;
        bool found = false, readable = false;
        pg::as_extension_owner([&] {
            Datum values[3] = {ObjectIdGetDatum(trigger.leads), CStringGetTextDatum(policy.name),
                               PointerGetDatum(keys)};
            if (SPI_execute_plan(lock_clocks, values, nullptr, false, 0) != SPI_OK_SELECT) {
                elog(ERROR, "leadscore: locking the SLA clocks failed");
            }
            found = SPI_processed > 0;
            if (found) {
                ids = column_array(1, INT8OID, caller_context);
                clock_keys = column_array(2, TEXTOID, caller_context);
                starts = column_array(3, TIMESTAMPTZOID, caller_context);
                Datum events[1] = {ObjectIdGetDatum(trigger.events)};
                if (SPI_execute_plan(owner_can_read, events, nullptr, true, 1) != SPI_OK_SELECT) {
                    elog(ERROR, "leadscore: checking the events table's owner failed");
                }
                readable = SPI_processed == 1;
            }
        });
        if (!found) {
            continue;
        }
        // An events table its owner cannot read leaves the clocks open (the
        // INSERT goes through) and says so.
        if (!readable) {
            ereport(WARNING,
                    (errmsg("leadscore cannot count the activity in %s for SLA policy \"%s\": its "
                            "owner cannot read it",
                            quote_qualified_identifier(
                                get_namespace_name(get_rel_namespace(trigger.events)),
                                get_rel_name(trigger.events)),
                            policy.name),
                     errhint("The clocks stay open until the owner can read the table and activity "
                             "is added again.")));
            continue;
        }
        Datum met_ids = 0, met_times = 0;
        bool met = false;
        pg::as_owner(pg::table_owner(trigger.events), [&] {
            Datum values[4] = {ids, clock_keys, starts, PointerGetDatum(policy.types)};
            const char nulls[4] = {' ', ' ', ' ', policy.types == nullptr ? 'n' : ' '};
            if (SPI_execute_plan(policy.met, values, nulls, false, 0) != SPI_OK_SELECT) {
                elog(ERROR, "leadscore: counting the activity as the events table's owner failed");
            }
            met = SPI_processed > 0;
            if (met) {
                met_ids = column_array(1, INT8OID, caller_context);
                met_times = column_array(2, TIMESTAMPTZOID, caller_context);
            }
        });
        if (!met) {
            continue;
        }
        pg::as_extension_owner([&] {
            Datum values[2] = {met_ids, met_times};
            if (SPI_execute_plan(close_clocks, values, nullptr, false, 0) !=
                SPI_OK_UPDATE_RETURNING) {
                elog(ERROR, "leadscore: closing the SLA clocks met failed");
            }
            for (uint64 row = 0; row < SPI_processed; ++row) {
                bool is_null;
                const Datum key =
                    SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, 1, &is_null);
                if (!is_null) {
                    met_keys = accumArrayResult(met_keys, key, false, TEXTOID, caller_context);
                    any_met = true;
                }
            }
        });
    }
    if (any_met) {
        const Datum keys = makeArrayResult(met_keys, caller_context);
        pg::as_extension_owner([&] {
            Datum values[2] = {ObjectIdGetDatum(trigger.leads), keys};
            if (SPI_execute_plan(write_lead_columns, values, nullptr, false, 0) != SPI_OK_SELECT) {
                elog(ERROR, "leadscore: writing the leads' SLA columns failed");
            }
        });
    }
    return PointerGetDatum(nullptr);
}
