// The events trigger, leadscore._events_inserted(): a statement trigger on
// an attached events table (and cloned onto its partitions) that rescores
// the leads of the inserted events at once, as the leads table's owner.
//
// A CRM writes activity one event at a time, so this is leadscore's hottest
// path. Per backend, it keeps what each statement would otherwise look up
// or plan again: which attached events table a (cloned) trigger works for,
// that table's leads table and lead column, and the leads table's two
// prepared statements (the lock of the leads' rows and the rescore UPDATE,
// built by the core). A relcache invalidation of leadscore's config tables
// (their trigger sends one on every change), of a leads table or of one of
// its events tables makes them stale: they are built again on next use, and
// the old plans freed at transaction end, when no statement still runs one.
//
// leadscore._rescore_statement(leads regclass, only_keys text) → text gives
// the same statement to rescore and rescore_in_batches.
#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "pg/common/guard.hpp"
#include "pg/common/jsonb_text.hpp"
#include "pg/common/kept_plan.hpp"
#include "pg/common/run_as_owner.hpp"
#include "pg/events/events_trigger.hpp"
#include "pg/events/rescore_inputs.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type_d.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
}

#include "core/events/rescore_config.hpp"
#include "core/events/rescore_statement.hpp"

namespace {

using namespace leadscore;

// Bumped by every invalidation that concerns an entry: entries of an older
// generation are stale.
uint64 generation = 1;

// The attached events table a trigger works for: its own table, or for a
// clone on a partition the table of the original trigger.
struct TriggerOrigin {
    Oid trigger;
    Oid events;
    uint64 generation;
};

// An attached events table's leads table and lead column.
struct EventsLink {
    Oid events;
    bool attached;  // false: detached (its trigger fires until the transaction ends)
    Oid leads;
    NameData lead_column;
    uint64 generation;
};

// A leads table's prepared statements, kept for the backend. Both read $1
// (as_of) and $2 (the leads' keys as text).
struct LeadsPlans {
    Oid leads;
    bool rescorable;  // false: the attachment has nothing to recompute
    SPIPlanPtr lock;
    SPIPlanPtr update;
    std::vector<Oid> relations;  // the leads table and its events tables
    uint64 generation;
};

std::vector<TriggerOrigin> origins;
std::vector<EventsLink> links;
std::vector<std::unique_ptr<LeadsPlans>> plans;
std::vector<Oid> watched;                         // relations other caches were built from
Oid config_tables[2] = {InvalidOid, InvalidOid};  // attachment_configs, event_attachments

bool concerns_an_entry(Oid relation) {
    if (relation == InvalidOid || relation == config_tables[0] || relation == config_tables[1]) {
        return true;
    }
    if (std::find(watched.begin(), watched.end(), relation) != watched.end()) {
        return true;
    }
    for (const EventsLink& link : links) {
        if (link.events == relation || link.leads == relation) {
            return true;
        }
    }
    for (const auto& entry : plans) {
        if (std::find(entry->relations.begin(), entry->relations.end(), relation) !=
            entry->relations.end()) {
            return true;
        }
    }
    return false;
}

// (Runs while statements may be executing a plan: it only marks.)
void invalidate_relation(Datum, Oid relation) {
    if (concerns_an_entry(relation)) {
        ++generation;
    }
    if (relation == InvalidOid || relation == config_tables[0] || relation == config_tables[1]) {
        // (looked up again on next use: a re-created extension has new ones)
        config_tables[0] = config_tables[1] = InvalidOid;
    }
}

void free_stale_plans(XactEvent event, void*) {
    if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT &&
        event != XACT_EVENT_PARALLEL_COMMIT && event != XACT_EVENT_PARALLEL_ABORT) {
        return;
    }
    auto stale = [](const auto& entry) { return entry.generation != generation; };
    origins.erase(std::remove_if(origins.begin(), origins.end(), stale), origins.end());
    links.erase(std::remove_if(links.begin(), links.end(), stale), links.end());
    plans.erase(std::remove_if(plans.begin(), plans.end(),
                               [](const std::unique_ptr<LeadsPlans>& entry) {
                                   if (entry->generation == generation) {
                                       return false;
                                   }
                                   if (entry->lock != nullptr) {
                                       SPI_freeplan(entry->lock);
                                   }
                                   if (entry->update != nullptr) {
                                       SPI_freeplan(entry->update);
                                   }
                                   return true;
                               }),
                plans.end());
}

void remember_config_tables() {
    if (config_tables[0] != InvalidOid) {
        return;
    }
    const Oid schema = get_namespace_oid("leadscore", /*missing_ok=*/false);
    config_tables[0] = get_relname_relid("attachment_configs", schema);
    config_tables[1] = get_relname_relid("event_attachments", schema);
}

// A trigger's parent (InvalidOid for an original trigger) and its table
// (InvalidOid when the trigger is gone).
void trigger_row(Oid trigger, Oid* parent, Oid* table) {
    Relation catalog = table_open(TriggerRelationId, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, Anum_pg_trigger_oid, BTEqualStrategyNumber, F_OIDEQ,
                ObjectIdGetDatum(trigger));
    SysScanDesc scan = systable_beginscan(catalog, TriggerOidIndexId, true, nullptr, 1, &key);
    HeapTuple tuple = systable_getnext(scan);
    *parent = InvalidOid;
    *table = InvalidOid;
    if (HeapTupleIsValid(tuple)) {
        const auto* form = reinterpret_cast<Form_pg_trigger>(GETSTRUCT(tuple));
        *parent = form->tgparentid;
        *table = form->tgrelid;
    }
    systable_endscan(scan);
    table_close(catalog, AccessShareLock);
}

}  // namespace

Oid leadscore::pg::attached_events_table(const Trigger* trigger, Oid relation) {
    remember_config_tables();  // (so that their invalidations reach every cache built after)
    if (!trigger->tgisclone) {
        return relation;
    }
    for (const TriggerOrigin& origin : origins) {
        if (origin.trigger == trigger->tgoid && origin.generation == generation) {
            return origin.events;
        }
    }
    // (up the chain of clones to the original, on the attached table)
    Oid events = relation;
    Oid parent = trigger->tgoid;
    while (parent != InvalidOid) {
        trigger_row(parent, &parent, &events);
    }
    origins.push_back({trigger->tgoid, events, generation});
    return events;
}

namespace {

// Read as the owner of leadscore's tables: the role inserting events may
// not read event_attachments.
const EventsLink& events_link(Oid events) {
    for (const EventsLink& link : links) {
        if (link.events == events && link.generation == generation) {
            return link;
        }
    }
    remember_config_tables();
    const uint64 built_for = generation;
    EventsLink link{events, false, InvalidOid, {}, built_for};
    pg::query_config_tables(
        "SELECT x.leads::pg_catalog.oid, x.config OPERATOR(pg_catalog.->>) 'lead_column' "
        "FROM leadscore.event_attachments AS x "
        "WHERE x.events OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
        OIDOID, ObjectIdGetDatum(events), [&] {
            if (SPI_processed != 1) {
                return;
            }
            bool is_null;
            link.leads = DatumGetObjectId(
                SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null));
            const char* column = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
            link.attached = column != nullptr;
            if (column != nullptr) {
                namestrcpy(&link.lead_column, column);
            }
        });
    links.push_back(link);
    return links.back();
}

// A leads table's statements, built by the core, and the tables they read.
struct Statements {
    bool scored = false;     // attached with a scoring model
    char* update = nullptr;  // nullptr: nothing to recompute
    char* lock = nullptr;
    Oid* relations = nullptr;
    int relation_count = 0;
};

// (C++ objects alive: PostgreSQL calls go through call_postgres inside
// rescore_source.)
Statements build_statements(Oid leads) {
    Statements built;
    std::optional<pg::RescoreSource> source = pg::rescore_source(leads);
    if (!source) {
        return built;
    }
    built.scored = true;
    const std::string keys = core::keys_from_text_array(source->key_sql_type);
    std::optional<std::string> update = core::rescore_statement(source->inputs, keys);
    if (update) {
        built.update = pg::copy_to_palloc(*update);
        built.lock = pg::copy_to_palloc(core::rescore_lock_statement(source->inputs, keys));
    }
    built.relation_count = static_cast<int>(source->events_tables.size()) + 1;
    built.relations =
        static_cast<Oid*>(palloc_extended(sizeof(Oid) * built.relation_count, MCXT_ALLOC_NO_OOM));
    if (built.relations == nullptr) {
        throw std::bad_alloc();
    }
    built.relations[0] = leads;
    std::copy(source->events_tables.begin(), source->events_tables.end(), built.relations + 1);
    return built;
}

const LeadsPlans& leads_plans(Oid leads) {
    for (const auto& entry : plans) {
        if (entry->leads == leads && entry->generation == generation) {
            return *entry;
        }
    }
    remember_config_tables();
    const uint64 built_for = generation;
    const Statements built = build_statements(leads);
    if (!built.scored) {
        pg::refuse_unscored_table(leads);
    }
    SPIPlanPtr lock = nullptr;
    SPIPlanPtr update = nullptr;
    if (built.update != nullptr) {
        // Prepared as the leads table's owner, whose statements they are.
        Oid types[2] = {TIMESTAMPTZOID, TEXTARRAYOID};
        pg::as_owner(pg::table_owner(leads), [&] {
            lock = pg::kept_plan(built.lock, 2, types);
            update = pg::kept_plan(built.update, 2, types);
        });
    }
    auto entry = std::make_unique<LeadsPlans>();
    entry->leads = leads;
    entry->rescorable = update != nullptr;
    entry->lock = lock;
    entry->update = update;
    entry->relations.assign(built.relations, built.relations + built.relation_count);
    entry->generation = built_for;
    plans.push_back(std::move(entry));
    return *plans.back();
}

int compare_keys(const void* left, const void* right) {
    return std::strcmp(*static_cast<char* const*>(left), *static_cast<char* const*>(right));
}

}  // namespace

ArrayType* leadscore::pg::inserted_keys(TriggerData* trigger_data, const char* lead_column,
                                        bool also_trimmed) {
    Relation relation = trigger_data->tg_relation;
    const AttrNumber attnum = get_attnum(RelationGetRelid(relation), lead_column);
    if (attnum == InvalidAttrNumber) {
        return nullptr;
    }
    TupleDesc descriptor = RelationGetDescr(relation);
    Oid output;
    bool varlena;
    getTypeOutputInfo(TupleDescAttr(descriptor, attnum - 1)->atttypid, &output, &varlena);
    FmgrInfo output_function;
    fmgr_info(output, &output_function);

    Tuplestorestate* rows = trigger_data->tg_newtable;
    // Its own read pointer: the SLA trigger reads the same transition table.
    const int reader = tuplestore_alloc_read_pointer(rows, EXEC_FLAG_REWIND);
    tuplestore_select_read_pointer(rows, reader);
    tuplestore_rescan(rows);
    TupleTableSlot* slot = MakeSingleTupleTableSlot(descriptor, &TTSOpsMinimalTuple);
    int capacity = 16;
    int count = 0;
    char** keys = static_cast<char**>(palloc(sizeof(char*) * capacity));
    while (tuplestore_gettupleslot(rows, true, false, slot)) {
        bool is_null;
        const Datum value = slot_getattr(slot, attnum, &is_null);
        if (is_null) {
            continue;
        }
        char* key = OutputFunctionCall(&output_function, value);
        if (count + 1 >= capacity) {
            capacity *= 2;
            keys = static_cast<char**>(repalloc_huge(keys, sizeof(char*) * capacity));
        }
        keys[count++] = key;
        // (a char(n) key also without its padding, as a text key has it)
        const std::size_t length = std::strlen(key);
        if (also_trimmed && length > 0 && key[length - 1] == ' ') {
            char* trimmed = pstrdup(key);
            for (std::size_t end = length; end > 0 && trimmed[end - 1] == ' '; --end) {
                trimmed[end - 1] = '\0';
            }
            keys[count++] = trimmed;
        }
    }
    ExecDropSingleTupleTableSlot(slot);
    tuplestore_select_read_pointer(rows, 0);
    if (count == 0) {
        return nullptr;
    }
    qsort(keys, count, sizeof(char*), compare_keys);
    Datum* distinct = static_cast<Datum*>(palloc(sizeof(Datum) * count));
    int kept = 0;
    for (int n = 0; n < count; ++n) {
        if (n == 0 || std::strcmp(keys[n], keys[n - 1]) != 0) {
            distinct[kept++] = CStringGetTextDatum(keys[n]);
        }
    }
    return construct_array(distinct, kept, TEXTOID, -1, false, TYPALIGN_INT);
}

namespace {

// The keys a rescore statement skipped, as text[] (NULL for none), from its
// jsonb answer.
ArrayType* skipped_keys(Datum answer) {
    Jsonb* value = DatumGetJsonbP(answer);
    const char* text = JsonbToCString(nullptr, &value->root, VARSIZE(value));
    int count = 0;
    char** keys = nullptr;
    {
        core::RescoreAnswer parsed = core::parse_rescore_answer(text);
        count = static_cast<int>(parsed.skipped.size());
        if (count > 0) {
            keys = static_cast<char**>(
                palloc_extended(sizeof(char*) * count, MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM));
            if (keys == nullptr) {
                throw std::bad_alloc();
            }
            for (int n = 0; n < count; ++n) {
                keys[n] = pg::copy_to_palloc(parsed.skipped[n]);
            }
        }
    }
    if (count == 0) {
        return nullptr;
    }
    Datum* texts = static_cast<Datum*>(palloc(sizeof(Datum) * count));
    for (int n = 0; n < count; ++n) {
        texts[n] = CStringGetTextDatum(keys[n]);
    }
    return construct_array(texts, count, TEXTOID, -1, false, TYPALIGN_INT);
}

// Locks the leads' rows (in key order), then rescores them with a snapshot
// taken after the lock, so that events committed by the transactions the
// lock waited for count. A lead locked before it is computed is not
// skipped; another round is the most there is, the bound a guard.
void rescore_leads(Oid leads, const LeadsPlans& statements, ArrayType* keys) {
    const Oid owner = pg::table_owner(leads);
    if (owner == InvalidOid) {
        return;  // the leads table was dropped
    }
    const Datum as_of = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
    MemoryContext caller_context = CurrentMemoryContext;
    for (int round = 0; keys != nullptr && round < 4; ++round) {
        Datum values[2] = {as_of, PointerGetDatum(keys)};
        Datum answer = 0;
        bool answer_is_null = true;
        pg::as_owner(owner, [&] {
            if (SPI_execute_plan(statements.lock, values, nullptr, false, 0) != SPI_OK_SELECT ||
                SPI_execute_plan(statements.update, values, nullptr, false, 0) != SPI_OK_SELECT) {
                elog(ERROR, "leadscore: rescoring as the table's owner failed");
            }
            if (SPI_processed == 1) {
                const Datum value =
                    SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &answer_is_null);
                if (!answer_is_null) {
                    MemoryContext spi_context = MemoryContextSwitchTo(caller_context);
                    answer = PointerGetDatum(PG_DETOAST_DATUM_COPY(value));
                    MemoryContextSwitchTo(spi_context);
                }
            }
        });
        keys = answer_is_null ? nullptr : skipped_keys(answer);
    }
}

}  // namespace

namespace leadscore::pg {

void register_events_trigger_callbacks() {
    CacheRegisterRelcacheCallback(invalidate_relation, 0);
    RegisterXactCallback(free_stale_plans, nullptr);
}

uint64 events_cache_generation() {
    return generation;  // (read at transaction end too: no catalog access here)
}

void watch_relation(Oid relation) {
    if (std::find(watched.begin(), watched.end(), relation) == watched.end()) {
        watched.push_back(relation);
    }
}

}  // namespace leadscore::pg

LEADSCORE_FUNCTION(events_inserted) {
    if (!CALLED_AS_TRIGGER(fcinfo)) {
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("leadscore._events_inserted must be called as a trigger")));
    }
    auto* trigger_data = reinterpret_cast<TriggerData*>(fcinfo->context);
    if (trigger_data->tg_newtable == nullptr) {
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("leadscore._events_inserted needs the inserted rows"),
                        errhint("leadscore.attach_events creates its trigger.")));
    }
    const Oid events = pg::attached_events_table(trigger_data->tg_trigger,
                                                 RelationGetRelid(trigger_data->tg_relation));
    const EventsLink link = events_link(events);
    if (!link.attached) {
        return PointerGetDatum(nullptr);  // detached within this transaction
    }
    const LeadsPlans& statements = leads_plans(link.leads);
    if (!statements.rescorable) {
        return PointerGetDatum(nullptr);  // nothing this attachment can recompute
    }
    ArrayType* keys = pg::inserted_keys(trigger_data, NameStr(link.lead_column), false);
    if (keys != nullptr) {
        rescore_leads(link.leads, statements, keys);
    }
    return PointerGetDatum(nullptr);
}

LEADSCORE_FUNCTION(rescore_statement) {
    if (PG_ARGISNULL(0)) {
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("leadscore._rescore_statement got a NULL table"),
                        errhint("It is called by leadscore's rescoring functions only.")));
    }
    const Oid leads = PG_GETARG_OID(0);
    const char* only_keys = PG_ARGISNULL(1) ? nullptr : text_to_cstring(PG_GETARG_TEXT_PP(1));
    bool scored = false;
    const char* statement = nullptr;
    {
        std::optional<pg::RescoreSource> source = pg::rescore_source(leads);
        if (source) {
            scored = true;
            std::optional<std::string> built = core::rescore_statement(
                source->inputs,
                only_keys != nullptr ? std::optional<std::string_view>(only_keys) : std::nullopt);
            if (built) {
                statement = pg::copy_to_palloc(*built);
            }
        }
    }
    if (!scored) {
        pg::refuse_unscored_table(leads);
    }
    if (statement == nullptr) {
        PG_RETURN_NULL();
    }
    PG_RETURN_TEXT_P(cstring_to_text(statement));
}
