#include "pg/lifecycle/attachment_cache.hpp"

#include <algorithm>
#include <memory>
#include <unordered_map>

#include "pg/common/guard.hpp"
#include "pg/common/run_as_owner.hpp"
#include "pg/lifecycle/table_shape.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "parser/parse_coerce.h"
#include "miscadmin.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
}

namespace core = leadscore::core;

namespace leadscore::pg {

namespace {

// Every entry built in this backend; `current` points at the live one per
// trigger. Entries are only ever freed at transaction end.
std::vector<std::unique_ptr<CompiledAttachment>> entries;
std::unordered_map<Oid, CompiledAttachment*> current;

// leadscore.event_attachments, once known: whether a table has events
// tables is compiled into its attachment, so a change there (its statement
// trigger invalidates its relcache entry) makes every entry stale.
Oid event_attachments_table = InvalidOid;

void invalidate_relation(Datum, Oid relid) {
    const bool all = relid == InvalidOid || relid == event_attachments_table;
    for (auto& entry : entries) {
        if (all || entry->relation == relid) {
            entry->valid = false;
        }
    }
}

void free_stale_entries(XactEvent event, void*) {
    if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT &&
        event != XACT_EVENT_PARALLEL_COMMIT && event != XACT_EVENT_PARALLEL_ABORT) {
        return;
    }
    for (auto it = current.begin(); it != current.end();) {
        it = it->second->valid ? std::next(it) : current.erase(it);
    }
    entries.erase(std::remove_if(entries.begin(), entries.end(),
                                 [](const std::unique_ptr<CompiledAttachment>& entry) {
                                     const auto found = current.find(entry->trigger);
                                     return found == current.end() || found->second != entry.get();
                                 }),
                  entries.end());
}

// The table leadscore.attach was called on: for a partition whose trigger was
// cloned from its parent's, the root of the partition tree.
Oid attached_table_of(Relation relation, const Trigger* trigger) {
    if (!trigger->tgisclone || !relation->rd_rel->relispartition) {
        return RelationGetRelid(relation);
    }
    List* ancestors = get_partition_ancestors(RelationGetRelid(relation));
    return llast_oid(ancestors);
}

// What leadscore's tables say of `table`: whether leadscore.attach recorded
// it in attachment_configs, and whether events tables are attached to it
// (read as the owner of those tables, the extension's: the CRM's role may
// not read them).
struct AttachRecord {
    bool recorded;
    bool has_events;
};

AttachRecord attach_record(Oid table) {
    const Oid schema = get_namespace_oid("leadscore", /*missing_ok=*/false);
    event_attachments_table = get_relname_relid("event_attachments", schema);
    AttachRecord record{false, false};
    query_config_tables(
        "SELECT EXISTS (SELECT FROM leadscore.event_attachments AS x "
        "               WHERE x.leads OPERATOR(pg_catalog.=) $1) "
        "FROM leadscore.attachment_configs AS a WHERE a.target OPERATOR(pg_catalog.=) $1",
        REGCLASSOID, ObjectIdGetDatum(table), [&] {
            record.recorded = SPI_processed == 1;
            if (record.recorded) {
                bool is_null;
                record.has_events = DatumGetBool(
                    SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null));
            }
        });
    return record;
}

const PgColumn* column_of(const PgTable& table, const std::string& name) {
    for (int i = 0; i < table.column_count; ++i) {
        if (name == table.columns[i].name) {
            return &table.columns[i];
        }
    }
    return nullptr;
}

// Pure C++: parses the trigger's config against the table (which guarantees
// every column it names exists, so column_of finds them) and registers the
// result (not yet valid: the key's output function is still to be set up).
CompiledAttachment* compile(const Trigger* trigger, Oid relid, const PgTable& table,
                            Oid attached_table, const char* attached_table_name) {
    auto entry = std::make_unique<CompiledAttachment>();
    entry->trigger = trigger->tgoid;
    entry->relation = relid;
    entry->config = core::parse_attachment_config(trigger->tgargs[0], to_table_shape(table),
                                                  core::DocumentSource::Stored);
    entry->resolver.emplace(entry->config.labels);
    entry->attached_table = attached_table;
    entry->attached_table_name = attached_table_name;
    const PgColumn* key = column_of(table, entry->config.key_column);
    entry->key_column = key->attnum;
    entry->key_type = key->type;
    if (entry->config.reason_column) {
        const PgColumn* reason = column_of(table, *entry->config.reason_column);
        entry->reason_column = reason->attnum;
        entry->reason_kind = reason->kind;
    }
    for (core::Stage stage : core::kAllStages) {
        if (const auto& column = entry->config.stamps[core::stage_code(stage)]) {
            entry->stamp_columns[core::stage_code(stage)] = column_of(table, *column)->attnum;
        }
    }
    const PgColumn* stage = column_of(table, entry->config.stage_column);
    entry->stage_column = stage->attnum;
    for (int i = 0; i < stage->label_count; ++i) {
        const core::LabelMatch match = entry->resolver->resolve(stage->labels[i]);
        if (match.kind == core::LabelMatch::Kind::Stage) {
            entry->enum_stages.push_back({stage->label_oids[i], match.stage, stage->labels[i]});
        }
    }
    const auto score_column = [&](const std::optional<std::string>& name) {
        ScoreColumn column;
        if (name) {
            const PgColumn* found = column_of(table, *name);
            column.attnum = found->attnum;
            column.type = found->base_type;
        }
        return column;
    };
    if (const auto& sla = entry->config.sla) {
        const auto attnum = [&](const std::optional<std::string>& name) {
            return name ? column_of(table, *name)->attnum : AttrNumber(0);
        };
        for (std::size_t i = 0; i < sla->policies.size(); ++i) {
            if (sla->policies[i].met_by == core::SlaMetBy::Column) {
                entry->sla.met_column[i] = column_of(table, sla->policies[i].column)->attnum;
            }
        }
        entry->sla.due_column = attnum(sla->due_column);
        entry->sla.breached_column = attnum(sla->breached_column);
        entry->sla.owner_column = attnum(sla->owner_column);
        entry->sla.source_column = attnum(sla->source_column);
    }
    entry->score = score_column(entry->config.score_column);
    entry->fit = score_column(entry->config.fit_column);
    entry->engagement = score_column(entry->config.engagement_column);
    // Fit is computed by the trigger unless an attribute column is a
    // generated one (PostgreSQL computes those after BEFORE triggers):
    // then it is left to rescore, as before 0.5.
    entry->fit_on_write = !entry->config.fit_attributes.empty();
    for (const auto& [attribute, column] : entry->config.fit_attributes) {
        const PgColumn* found = column_of(table, column);
        entry->fit_attribute_columns.push_back(found->attnum);
        entry->fit_on_write = entry->fit_on_write && !found->generated;
    }
    for (core::Stage stage : core::kAllStages) {
        std::string& label = entry->written_labels[core::stage_code(stage)];
        for (const auto& [crm_label, mapped] : entry->config.labels) {
            if (mapped == stage && label.empty()) {
                label = crm_label;
            }
        }
        if (label.empty()) {
            label = core::stage_label(stage);
        }
    }
    CompiledAttachment* raw = entry.get();
    entries.push_back(std::move(entry));
    current[trigger->tgoid] = raw;
    return raw;
}

}  // namespace

void register_attachment_cache_callbacks() {
    CacheRegisterRelcacheCallback(invalidate_relation, 0);
    RegisterXactCallback(free_stale_entries, nullptr);
}

const char* lead_key(const CompiledAttachment& attachment, HeapTuple tuple, TupleDesc descriptor) {
    bool is_null;
    const Datum value = heap_getattr(tuple, attachment.key_column, descriptor, &is_null);
    return is_null ? "NULL"
                   : OutputFunctionCall(const_cast<FmgrInfo*>(&attachment.key_output), value);
}

const CompiledAttachment& compiled_attachment(TriggerData* trigger_data) {
    return compiled_attachment(trigger_data->tg_relation, trigger_data->tg_trigger);
}

const CompiledAttachment& compiled_attachment(Relation relation, const Trigger* trigger) {
    const auto found = current.find(trigger->tgoid);
    if (found != current.end() && found->second->valid) {
        return *found->second;
    }
    if (trigger->tgnargs != 1) {
        ereport(ERROR, (errcode(ERRCODE_TRIGGERED_ACTION_EXCEPTION),
                        errmsg("trigger %s was not created by leadscore.attach", trigger->tgname),
                        errhint("Attach tables with leadscore.attach(table, config).")));
    }
    const PgTable* table = collect_table(relation);
    const Oid attached_table = attached_table_of(relation, trigger);
    const char* attached_table_name = qualified_name(attached_table);
    const AttachRecord record = attach_record(attached_table);
    if (!record.recorded) {
        ereport(ERROR,
                (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                 errmsg("trigger %s on %s runs leadscore's lifecycle trigger, but leadscore.attach "
                        "has not attached %s",
                        trigger->tgname, RelationGetRelationName(relation), attached_table_name),
                 errhint("Attach the table with leadscore.attach(table, config); a trigger made "
                         "by hand would write history and SLA clocks that no attachment owns.")));
    }

    CompiledAttachment* entry =
        compile(trigger, RelationGetRelid(relation), *table, attached_table, attached_table_name);
    entry->has_events = record.has_events;

    Oid output_function;
    bool is_varlena;
    getTypeOutputInfo(entry->key_type, &output_function, &is_varlena);
    fmgr_info_cxt(output_function, &entry->key_output, TopMemoryContext);
    // The columns the triggers write into the NEW row, with the type they
    // write: the column's base type, or numeric for the scores.
    const TupleDesc descriptor = RelationGetDescr(relation);
    constexpr std::size_t kWritten = 3 + core::kStageCount + 3;
    AttrNumber written[kWritten] = {entry->stage_column, entry->sla.due_column,
                                    entry->sla.breached_column};
    bool is_score[kWritten] = {};
    std::size_t count = 3;
    for (const AttrNumber attnum : entry->stamp_columns) {
        written[count++] = attnum;
    }
    for (ScoreColumn* column : {&entry->score, &entry->fit, &entry->engagement}) {
        is_score[count] = true;
        written[count++] = column->attnum;
        if (column->attnum != 0 && column->type != NUMERICOID) {
            // (every number type has an implicit cast to numeric)
            find_coercion_pathway(NUMERICOID, column->type, COERCION_IMPLICIT, &column->to_numeric);
        }
    }
    for (std::size_t i = 0; i < count; ++i) {
        if (written[i] != 0) {
            const Oid written_type =
                is_score[i] ? NUMERICOID
                            : getBaseType(TupleDescAttr(descriptor, written[i] - 1)->atttypid);
            if (auto coerced = column_assignment(descriptor, written[i], written_type)) {
                entry->coerced_columns.push_back(*coerced);
            }
        }
    }
    if (entry->config.sla) {
        for (std::size_t i = 0; i < entry->config.sla->policies.size(); ++i) {
            Interval within{};
            within.time = entry->config.sla->policies[i].within;
            entry->sla.warn_after[i] =
                DatumGetIntervalP(DirectFunctionCall2(interval_mul, IntervalPGetDatum(&within),
                                                      Float8GetDatum(entry->config.sla->warn_at)))
                    ->time;
        }
    }
    entry->valid = true;
    return *entry;
}

Datum value_for_column(const CompiledAttachment& attachment, TupleDesc descriptor,
                       AttrNumber attnum, Datum value, bool is_null) {
    for (const ColumnAssignment& column : attachment.coerced_columns) {
        if (column.attnum == attnum) {
            return assigned_value(column, NameStr(TupleDescAttr(descriptor, attnum - 1)->attname),
                                  attachment.attached_table_name.c_str(), value, is_null);
        }
    }
    return value;
}

const CompiledAttachment* attachment_of_table(Relation relation) {
    const TriggerDesc* triggers = relation->trigdesc;
    for (int i = 0; triggers != nullptr && i < triggers->numtriggers; ++i) {
        if (strcmp(triggers->triggers[i].tgname, "zz_leadscore_before_update") == 0) {
            return &compiled_attachment(relation, &triggers->triggers[i]);
        }
    }
    return nullptr;
}

}  // namespace leadscore::pg
