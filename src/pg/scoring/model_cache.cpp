#include "pg/scoring/model_cache.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "pg/common/guard.hpp"
#include "pg/common/text_datum.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
}

#include "core/common/quote.hpp"

namespace core = leadscore::core;

namespace leadscore::pg {

namespace {

// Every model loaded in this backend; invalid ones wait for transaction end.
std::vector<std::unique_ptr<LoadedModel>> models;
// Bumped by every invalidation: a function's fn_extra reference from an
// older generation is looked up again.
std::uint64_t generation = 1;
Oid models_table = InvalidOid;

struct ModelReference {
    std::uint64_t generation;
    const LoadedModel* model;
    std::size_t name_length;
    char name[core::kMaxModelNameLength + 1];
};

void invalidate_models(Datum, Oid relid) {
    if (relid != InvalidOid && relid != models_table) {
        return;
    }
    for (auto& model : models) {
        model->valid = false;
    }
    ++generation;
}

void free_replaced_models(XactEvent event, void*) {
    if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT &&
        event != XACT_EVENT_PARALLEL_COMMIT && event != XACT_EVENT_PARALLEL_ABORT) {
        return;
    }
    models.erase(std::remove_if(models.begin(), models.end(),
                                [](const std::unique_ptr<LoadedModel>& m) { return !m->valid; }),
                 models.end());
}

const LoadedModel* find_loaded(std::string_view name, std::uint32_t version) {
    for (const auto& model : models) {
        if (model->valid && model->name == name &&
            (version == 0 ? model->current : model->version == version)) {
            return model.get();
        }
    }
    return nullptr;
}

// What SPI found, as plain palloc'd data (no C++ object alive during SPI).
struct StoredModel {
    bool found;
    std::uint32_t version;
    bool current;
    char* definition;     // text of the jsonb
    char* defined_names;  // when not found: the models that exist, comma-separated
};

StoredModel read_stored_model(const char* name, std::uint32_t version) {
    StoredModel stored{};
    MemoryContext caller = CurrentMemoryContext;
    if (SPI_connect() != SPI_OK_CONNECT) {
        elog(ERROR, "leadscore: SPI_connect failed");
    }
    Oid types[2] = {TEXTOID, INT4OID};
    Datum values[2] = {CStringGetTextDatum(name), Int32GetDatum(static_cast<int32>(version))};
    const char nulls[2] = {' ', version == 0 ? 'n' : ' '};
    // The newest committed definition (and this transaction's own), not the
    // caller's snapshot: a model cached from an old snapshot would stay in
    // the cache after the invalidation that announced the new one.
    // (Parallel workers cannot take a snapshot; they read with the leader's.)
    const bool fresh = !IsInParallelMode();
    if (fresh) {
        PushActiveSnapshot(GetLatestSnapshot());
    }
    const int result = SPI_execute_with_args(
        // Qualified: the cache is the backend's, whoever fills it, under
        // whatever search_path.
        "SELECT m.version, m.definition::pg_catalog.text, m.version OPERATOR(pg_catalog.=) "
        "(SELECT pg_catalog.max(c.version) FROM leadscore.scoring_models c "
        " WHERE c.name OPERATOR(pg_catalog.=) m.name), m.tableoid "
        "FROM leadscore.scoring_models m WHERE m.name OPERATOR(pg_catalog.=) $1 "
        "AND ($2 IS NULL OR m.version OPERATOR(pg_catalog.=) $2) "
        "ORDER BY m.version DESC LIMIT 1",
        2, types, values, nulls, true, 1);
    if (fresh) {
        PopActiveSnapshot();
    }
    if (result != SPI_OK_SELECT) {
        elog(ERROR, "leadscore: reading scoring model failed: %s", SPI_result_code_string(result));
    }
    if (SPI_processed == 1) {
        HeapTuple row = SPI_tuptable->vals[0];
        TupleDesc columns = SPI_tuptable->tupdesc;
        bool is_null;
        stored.found = true;
        stored.version =
            static_cast<std::uint32_t>(DatumGetInt32(SPI_getbinval(row, columns, 1, &is_null)));
        const char* definition = SPI_getvalue(row, columns, 2);
        stored.current = DatumGetBool(SPI_getbinval(row, columns, 3, &is_null));
        models_table = DatumGetObjectId(SPI_getbinval(row, columns, 4, &is_null));
        MemoryContext spi = MemoryContextSwitchTo(caller);
        stored.definition = pstrdup(definition);
        MemoryContextSwitchTo(spi);
    } else {
        const int listed = SPI_execute(
            "SELECT coalesce(pg_catalog.string_agg(DISTINCT "
            "pg_catalog.to_json(name)::pg_catalog.text, "
            "', ' ORDER BY pg_catalog.to_json(name)::pg_catalog.text), 'none') "
            "FROM leadscore.scoring_models",
            true, 1);
        const char* names = listed == SPI_OK_SELECT && SPI_processed == 1
                                ? SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1)
                                : "?";
        MemoryContext spi = MemoryContextSwitchTo(caller);
        stored.defined_names = pstrdup(names != nullptr ? names : "none");
        MemoryContextSwitchTo(spi);
    }
    SPI_finish();
    return stored;
}

const LoadedModel& load(std::string_view name, std::uint32_t version) {
    if (const LoadedModel* loaded = find_loaded(name, version)) {
        return *loaded;
    }
    const char* name_text = pnstrdup(name.data(), name.size());
    const StoredModel stored = read_stored_model(name_text, version);
    if (!stored.found) {
        char quoted[320];
        quote_into(quoted, name);
        if (version != 0) {
            ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
                            errmsg("scoring model %s has no version %u", quoted, version),
                            errhint("Defined models: %s.", stored.defined_names)));
        }
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
                        errmsg("scoring model %s does not exist", quoted),
                        errhint("Defined models: %s. Define one with leadscore.define_model(name, "
                                "definition).",
                                stored.defined_names)));
    }
    auto entry = std::make_unique<LoadedModel>();
    entry->name = std::string(name);
    entry->version = stored.version;
    entry->current = stored.current;
    entry->model = core::parse_model(stored.definition, name, core::DocumentSource::Stored);
    models.push_back(std::move(entry));
    return *models.back();
}

}  // namespace

std::string_view model_name_arg(FunctionCallInfo fcinfo, int n) {
    if (PG_ARGISNULL(n)) {
        ereport(ERROR,
                (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                 errmsg("the scoring model name must not be NULL"),
                 errhint("Pass a model name, e.g. 'default'; leadscore.models lists them.")));
    }
    return text_arg(fcinfo, n);
}

const LoadedModel& current_model(FmgrInfo* flinfo, std::string_view name) {
    auto* reference = static_cast<ModelReference*>(flinfo->fn_extra);
    if (reference != nullptr && reference->generation == generation &&
        reference->name_length == name.size() &&
        std::memcmp(reference->name, name.data(), name.size()) == 0) {
        return *reference->model;
    }
    if (name.size() > core::kMaxModelNameLength) {
        core::check_model_name(name);
    }
    const LoadedModel& model = load(name, 0);
    if (reference == nullptr) {
        reference = static_cast<ModelReference*>(
            MemoryContextAllocZero(flinfo->fn_mcxt, sizeof(ModelReference)));
        flinfo->fn_extra = reference;
    }
    reference->generation = generation;
    reference->model = &model;
    reference->name_length = name.size();
    std::memcpy(reference->name, name.data(), name.size());
    return model;
}

const LoadedModel& model_version(std::string_view name, std::uint32_t version) {
    return load(name, version);
}

void register_model_cache_callbacks() {
    CacheRegisterRelcacheCallback(invalidate_models, 0);
    RegisterXactCallback(free_replaced_models, nullptr);
}

}  // namespace leadscore::pg
