// Support for leadscore.define_model: validation in the core, the built-in
// default model, and the trigger that tells every backend the models changed.
#include "pg/common/guard.hpp"
#include "pg/common/jsonb_text.hpp"
#include "pg/scoring/model_cache.hpp"
#include "pg/common/text_datum.hpp"

extern "C" {
#include "commands/trigger.h"
#include "utils/inval.h"
}

#include "core/scoring/scoring_model.hpp"

namespace core = leadscore::core;
namespace pg = leadscore::pg;

namespace {

// The definition argument validated and normalised (every default written
// out), or an ERROR naming the JSON path.
Datum normalised_model_arg(FunctionCallInfo fcinfo, core::DocumentSource source) {
    const std::string_view name = pg::model_name_arg(fcinfo, 0);
    if (PG_ARGISNULL(1)) {
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("the definition of a scoring model must not be NULL"),
                        errhint("Pass a JSON object, e.g. '{\"engagement\": {\"events\": "
                                "{\"pricing_view\": 15}}}'.")));
    }
    const char* definition = pg::jsonb_arg_text(fcinfo, 1);
    const char* normalised;
    {
        core::check_model_name(name);
        normalised = pg::copy_to_palloc(core::normalised_model(definition, name, source));
    }
    return pg::jsonb_datum(normalised);
}

}  // namespace

// leadscore._check_model(name, definition) -> jsonb, within the size limits:
// what define_model stores.
LEADSCORE_FUNCTION(check_model) {
    return normalised_model_arg(fcinfo, core::DocumentSource::Definition);
}

// leadscore._normalise_stored_model(name, definition) -> jsonb: the same
// without the size limits, for rows written to leadscore.scoring_models (a
// restore writes every stored model, those from before the limits too).
LEADSCORE_FUNCTION(normalise_stored_model) {
    return normalised_model_arg(fcinfo, core::DocumentSource::Stored);
}

// leadscore._builtin_default_model() -> jsonb: the seeds' model, installed as
// "default" version 1.
LEADSCORE_FUNCTION(builtin_default_model) {
    static_cast<void>(fcinfo);
    const char* normalised;
    {
        const std::string text =
            core::model_json(core::parse_model(core::default_model_json(), "default"));
        normalised = pg::copy_to_palloc(text);
    }
    return pg::jsonb_datum(normalised);
}

// Statement trigger on leadscore's config tables (scoring_models,
// calendars): any change invalidates the table's relcache entry, in this
// backend at the next command and in the others at commit, and the caches of
// models and calendars listen for that.
LEADSCORE_FUNCTION(config_changed) {
    if (!CALLED_AS_TRIGGER(fcinfo)) {
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("leadscore's cache invalidation must be called as a trigger")));
    }
    auto* trigger_data = reinterpret_cast<TriggerData*>(fcinfo->context);
    CacheInvalidateRelcacheByRelid(RelationGetRelid(trigger_data->tg_relation));
    return PointerGetDatum(nullptr);
}

// The name leadscore 0.2 bound leadscore._models_changed() to.
LEADSCORE_FUNCTION(models_changed) {
    return config_changed_body(fcinfo);
}
