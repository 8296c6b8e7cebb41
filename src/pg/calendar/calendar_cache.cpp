#include "pg/calendar/calendar_cache.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "pg/common/guard.hpp"
#include "pg/calendar/pg_time_zone.hpp"
#include "pg/common/text_datum.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "utils/inval.h"
#include "utils/snapmgr.h"
}

#include "core/common/object_name.hpp"

namespace core = leadscore::core;

namespace leadscore::pg {

namespace {

struct LoadedCalendar {
    bool valid = true;  // false once leadscore.calendars changed
    std::unique_ptr<core::BusinessCalendar> calendar;
};

std::vector<std::unique_ptr<LoadedCalendar>> calendars;
// Bumped by every invalidation: an fn_extra reference from an older
// generation is looked up again.
std::uint64_t generation = 1;
Oid calendars_table = InvalidOid;

struct CalendarReference {
    std::uint64_t generation;
    core::BusinessCalendar* calendar;
    std::size_t name_length;
    char name[core::kMaxObjectNameLength + 1];
};

void invalidate_calendars(Datum, Oid relid) {
    if (relid != InvalidOid && relid != calendars_table) {
        return;
    }
    for (auto& loaded : calendars) {
        loaded->valid = false;
    }
    ++generation;
}

void free_replaced_calendars(XactEvent event, void*) {
    if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT &&
        event != XACT_EVENT_PARALLEL_COMMIT && event != XACT_EVENT_PARALLEL_ABORT) {
        return;
    }
    calendars.erase(std::remove_if(calendars.begin(), calendars.end(),
                                   [](const auto& loaded) { return !loaded->valid; }),
                    calendars.end());
}

// What SPI found, as plain palloc'd data (no C++ object alive during SPI).
struct StoredCalendar {
    char* definition;  // JSON text; NULL when there is no such calendar
    char* zone;        // its time_zone
    char* defined;     // when not found: the calendars that exist
};

StoredCalendar read_stored_calendar(const char* name) {
    StoredCalendar stored{};
    MemoryContext caller = CurrentMemoryContext;
    if (SPI_connect() != SPI_OK_CONNECT) {
        elog(ERROR, "leadscore: SPI_connect failed");
    }
    Oid types[1] = {TEXTOID};
    Datum values[1] = {CStringGetTextDatum(name)};
    // The newest committed definition, as for scoring models: one cached from
    // an old snapshot would outlive the invalidation that announced the new.
    const bool fresh = !IsInParallelMode();
    if (fresh) {
        PushActiveSnapshot(GetLatestSnapshot());
    }
    const int result = SPI_execute_with_args(
        // Qualified: this also runs inside triggers, under the caller's path.
        "SELECT c.definition::pg_catalog.text, c.definition OPERATOR(pg_catalog.->>) 'time_zone', "
        "c.tableoid FROM leadscore.calendars c WHERE c.name OPERATOR(pg_catalog.=) $1",
        1, types, values, nullptr, true, 1);
    if (fresh) {
        PopActiveSnapshot();
    }
    if (result != SPI_OK_SELECT) {
        elog(ERROR, "leadscore: reading calendar failed: %s", SPI_result_code_string(result));
    }
    if (SPI_processed == 1) {
        HeapTuple row = SPI_tuptable->vals[0];
        TupleDesc columns = SPI_tuptable->tupdesc;
        bool is_null;
        calendars_table = DatumGetObjectId(SPI_getbinval(row, columns, 3, &is_null));
        const char* definition = SPI_getvalue(row, columns, 1);
        const char* zone = SPI_getvalue(row, columns, 2);
        MemoryContext spi = MemoryContextSwitchTo(caller);
        stored.definition = pstrdup(definition);
        stored.zone = pstrdup(zone);
        MemoryContextSwitchTo(spi);
    } else {
        const int listed = SPI_execute(
            "SELECT coalesce(pg_catalog.string_agg(pg_catalog.to_json(name)::pg_catalog.text, "
            "', ' ORDER BY name), 'none') FROM leadscore.calendars",
            true, 1);
        const char* names = listed == SPI_OK_SELECT && SPI_processed == 1
                                ? SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1)
                                : "?";
        MemoryContext spi = MemoryContextSwitchTo(caller);
        stored.defined = pstrdup(names != nullptr ? names : "none");
        MemoryContextSwitchTo(spi);
    }
    SPI_finish();
    return stored;
}

// The stored calendar's definition and zone; ERROR 42704 (with the defined
// calendars as hint) when there is none. PostgreSQL errors come back as
// C++ exceptions, so this is safe where C++ objects are alive (a trigger).
const pg_tz* read_checked(std::string_view name, StoredCalendar& stored) {
    const pg_tz* zone = nullptr;
    call_postgres([&] {
        stored = read_stored_calendar(pnstrdup(name.data(), name.size()));
        char quoted[320];
        if (stored.definition == nullptr) {
            quote_into(quoted, name);
            ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
                            errmsg("calendar %s does not exist", quoted),
                            errhint("Defined calendars: %s. Define one with "
                                    "leadscore.define_calendar(name, definition).",
                                    stored.defined)));
        }
        // pg_tzset caches zones for the life of the backend; the stored name
        // was checked against pg_timezone_names when the calendar was defined.
        zone = pg_tzset(stored.zone);
        if (zone == nullptr) {
            quote_into(quoted, name);
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("calendar %s names time zone \"%s\", which this server does not "
                                   "know",
                                   quoted, stored.zone),
                            errhint("Redefine the calendar with a zone from pg_timezone_names.")));
        }
    });
    return zone;
}

}  // namespace

core::BusinessCalendar& calendar_named(std::string_view name) {
    for (const auto& loaded : calendars) {
        if (loaded->valid && loaded->calendar->name() == name) {
            return *loaded->calendar;
        }
    }
    if (name.size() > core::kMaxObjectNameLength) {
        core::check_object_name(name, "calendar");
    }
    StoredCalendar stored{};
    const pg_tz* zone = read_checked(name, stored);
    auto loaded = std::make_unique<LoadedCalendar>();
    loaded->calendar = std::make_unique<core::BusinessCalendar>(
        std::string(name),
        core::parse_calendar(stored.definition, name, core::DocumentSource::Stored),
        std::make_unique<PgTimeZone>(zone));
    calendars.push_back(std::move(loaded));
    return *calendars.back()->calendar;
}

core::BusinessCalendar& calendar_arg(FunctionCallInfo fcinfo, int n) {
    if (PG_ARGISNULL(n)) {
        ereport(
            ERROR,
            (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("the calendar name must not be NULL"),
             errhint("Pass a calendar name; SELECT name FROM leadscore.calendars lists them.")));
    }
    const std::string_view name = text_arg(fcinfo, n);
    auto* reference = static_cast<CalendarReference*>(fcinfo->flinfo->fn_extra);
    if (reference != nullptr && reference->generation == generation &&
        reference->name_length == name.size() &&
        std::memcmp(reference->name, name.data(), name.size()) == 0) {
        return *reference->calendar;
    }
    core::BusinessCalendar& calendar = calendar_named(name);
    if (reference == nullptr) {
        reference = static_cast<CalendarReference*>(
            MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(CalendarReference)));
        fcinfo->flinfo->fn_extra = reference;
    }
    reference->generation = generation;
    reference->calendar = &calendar;
    reference->name_length = name.size();
    std::memcpy(reference->name, name.data(), name.size());
    return calendar;
}

void register_calendar_cache_callbacks() {
    CacheRegisterRelcacheCallback(invalidate_calendars, 0);
    RegisterXactCallback(free_replaced_calendars, nullptr);
}

}  // namespace leadscore::pg
