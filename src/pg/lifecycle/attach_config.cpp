// leadscore._attachment_config(target, config): validates an attach config
// against the table and returns it normalised (every default filled in).
#include "pg/common/guard.hpp"
#include "pg/common/jsonb_text.hpp"
#include "pg/scoring/model_cache.hpp"
#include "pg/lifecycle/table_shape.hpp"

extern "C" {
#include "access/table.h"
#include "utils/jsonb.h"
}

#include "core/scoring/score_promotion.hpp"

namespace core = leadscore::core;
namespace pg = leadscore::pg;

namespace {

// Tables and partitioned tables only: views and foreign tables have no rows
// of their own for a trigger to stamp.
void check_attachable(Relation relation) {
    const char kind = relation->rd_rel->relkind;
    if (kind == RELKIND_RELATION || kind == RELKIND_PARTITIONED_TABLE) {
        return;
    }
    ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
                    errmsg("cannot attach leadscore to %s: it is not a table",
                           pg::qualified_name(RelationGetRelid(relation))),
                    errhint("Attach to the table the CRM writes to (for a partitioned table, its "
                            "parent).")));
}

}  // namespace

LEADSCORE_FUNCTION(attachment_config) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) {
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("leadscore.attach needs a table and a config, got NULL"),
                        errhint("Example: SELECT leadscore.attach('crm.contacts', "
                                "'{\"stage_column\": \"lifecyclestage\"}');")));
    }
    const Oid relid = PG_GETARG_OID(0);
    const char* config_text = pg::jsonb_arg_text(fcinfo, 1);

    Relation relation = table_open(relid, AccessShareLock);
    check_attachable(relation);
    const pg::PgTable* table = pg::collect_table(relation);
    table_close(relation, AccessShareLock);

    const char* normalised;
    const char* model_name = nullptr;
    {
        const core::AttachmentConfig parsed =
            core::parse_attachment_config(config_text, pg::to_table_shape(*table));
        normalised = pg::copy_to_palloc(core::normalised_json_to_store(parsed));
        if (parsed.model) {
            model_name = pg::copy_to_palloc(*parsed.model);
        }
    }
    if (model_name != nullptr) {
        // The model must exist (ERROR 42704 naming the models), and the
        // columns must tell whether its thresholds are reached.
        const pg::LoadedModel& model = pg::current_model(fcinfo->flinfo, model_name);
        const core::AttachmentConfig parsed =
            core::parse_attachment_config(normalised, pg::to_table_shape(*table));
        core::check_thresholds_readable(model.model, parsed);
    }
    PG_RETURN_DATUM(pg::jsonb_datum(normalised));
}