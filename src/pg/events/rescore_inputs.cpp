#include "pg/events/rescore_inputs.hpp"

#include <string>

#include "pg/common/guard.hpp"
#include "pg/common/key_operator.hpp"
#include "pg/common/run_as_owner.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

#include "core/common/error.hpp"
#include "core/events/rescore_config.hpp"

namespace leadscore::pg {

namespace {

struct StoredConfigs {
    const char* config = nullptr;  // attachment_configs.config, as text; nullptr: not attached
    const char* events = "null";   // [[events OID, config], ...] of existing events tables
};

StoredConfigs read_stored_configs(Oid leads) {
    MemoryContext caller_context = CurrentMemoryContext;
    StoredConfigs stored;
    // (An events table dropped since is left out.)
    query_config_tables(
        "SELECT a.config::pg_catalog.text, "
        "       (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array("
        "                   x.events::pg_catalog.oid::pg_catalog.int8, x.config)"
        "                   ORDER BY x.events::pg_catalog.oid)"
        "        FROM leadscore.event_attachments AS x"
        "        JOIN pg_catalog.pg_class AS c ON c.oid OPERATOR(pg_catalog.=) x.events"
        "        WHERE x.leads OPERATOR(pg_catalog.=) a.target)::pg_catalog.text "
        "FROM leadscore.attachment_configs AS a "
        "WHERE a.target OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
        OIDOID, ObjectIdGetDatum(leads), [&] {
            if (SPI_processed != 1) {
                return;
            }
            MemoryContext spi_context = MemoryContextSwitchTo(caller_context);
            stored.config = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
            const char* events = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
            if (events != nullptr) {
                stored.events = events;
            }
            MemoryContextSwitchTo(spi_context);
        });
    return stored;
}

const char* qualified_name(Oid table) {
    const char* name = get_rel_name(table);
    if (name == nullptr) {
        return nullptr;
    }
    return quote_qualified_identifier(get_namespace_name(get_rel_namespace(table)), name);
}

// A PostgreSQL call returning a palloc'd string (or nullptr), while C++
// objects are alive.
template <typename Fn>
const char* pg_string(Fn fn) {
    const char* out = nullptr;
    call_postgres([&] { out = fn(); });
    return out;
}

std::optional<core::ScoreTarget> score_target(Oid leads, const std::optional<std::string>& column) {
    if (!column) {
        return std::nullopt;
    }
    const char* type = pg_string([&] { return column_sql_type(leads, column->c_str()); });
    if (type == nullptr) {
        throw core::Error("42703", "column \"" + *column + "\" of an attached table is gone",
                          "Attach the table again with its current columns.");
    }
    return core::ScoreTarget{*column, type};
}

}  // namespace

[[noreturn]] void refuse_unscored_table(Oid leads) {
    const char* name = qualified_name(leads);
    ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                    errmsg("table %s is not attached with a scoring model",
                           name != nullptr ? name : "(dropped)"),
                    errhint("Attach it with score columns: leadscore.attach(table, "
                            "'{\"stage_column\": ..., \"score_column\": \"score\"}').")));
}

std::optional<RescoreSource> rescore_source(Oid leads) {
    StoredConfigs stored;
    call_postgres([&] { stored = read_stored_configs(leads); });
    if (stored.config == nullptr) {
        return std::nullopt;
    }
    core::RescoreConfig config = core::parse_rescore_config(stored.config, stored.events);
    if (!config.model) {
        return std::nullopt;
    }
    RescoreSource source;
    core::RescoreInputs& inputs = source.inputs;
    const char* leads_name = pg_string([&] { return qualified_name(leads); });
    if (leads_name == nullptr) {
        return std::nullopt;  // dropped meanwhile
    }
    inputs.leads_table = leads_name;
    inputs.key_column = config.key_column;
    // Keys compare with their type's own equality (a citext key's is not in
    // pg_catalog, the statement's only schema).
    const char* equality =
        pg_string([&] { return key_operator(leads, config.key_column.c_str(), 3); });
    inputs.key_equality = equality != nullptr ? equality : "=";
    const char* key_type =
        pg_string([&] { return column_sql_type(leads, config.key_column.c_str()); });
    if (key_type == nullptr) {
        throw core::Error(
            "42703", "the key column \"" + config.key_column + "\" of an attached table is gone",
            "Attach the table again with its current key.");
    }
    source.key_sql_type = key_type;
    inputs.model = *config.model;
    inputs.fit_attributes = std::move(config.fit_attributes);
    inputs.fit_column = score_target(leads, config.fit_column);
    inputs.engagement_column = score_target(leads, config.engagement_column);
    inputs.score_column = score_target(leads, config.score_column);
    for (const core::StoredEventsTable& events : config.events) {
        const char* name = pg_string([&] { return qualified_name(events.events); });
        if (name != nullptr) {
            inputs.events.push_back(
                {name, events.lead_column, events.type_column, events.time_column});
            source.events_tables.push_back(events.events);
        }
    }
    return source;
}

}  // namespace leadscore::pg
