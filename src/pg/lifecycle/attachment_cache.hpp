// Compiled attachments, cached per backend and keyed by trigger: the trigger
// reads its config from its own arguments (no SPI, no catalog lookup), and
// compiles it once. A relcache invalidation of the table (ALTER TABLE, a
// re-attach, which recreates the triggers) marks its entries stale; stale
// entries are rebuilt on next use and freed at transaction end, when no
// trigger can still be using them.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pg/common/postgres.hpp"

#include "pg/lifecycle/column_assignment.hpp"

extern "C" {
#include "commands/trigger.h"
}

#include "core/lifecycle/attachment.hpp"
#include "core/lifecycle/stage_resolver.hpp"

namespace leadscore::pg {

// One value of an ENUM stage column: its OID, the stage it means, its label.
struct EnumStage {
    Oid value;
    core::Stage stage;
    std::string label;
};

// An attachment's SLA config as the triggers use it: the columns it names
// (attnum 0 when not mapped) and, per policy, the business time after which
// its clocks warn (`within` times warn_at, multiplied as PostgreSQL
// multiplies an interval).
struct CompiledSla {
    std::array<AttrNumber, core::kMaxSlaPolicies> met_column{};  // policies met by a column
    std::array<std::int64_t, core::kMaxSlaPolicies> warn_after{};
    AttrNumber due_column = 0;
    AttrNumber breached_column = 0;
    AttrNumber owner_column = 0;
    AttrNumber source_column = 0;
};

// A column holding one of the lead's scores (attach's score_column,
// fit_column, engagement_column); attnum 0 when not mapped.
struct ScoreColumn {
    AttrNumber attnum = 0;
    Oid type = InvalidOid;        // the base type (a number type)
    Oid to_numeric = InvalidOid;  // its cast to numeric; none for numeric
};

struct CompiledAttachment {
    Oid trigger = InvalidOid;
    Oid relation = InvalidOid;  // the table the trigger fires on (a partition, maybe)
    bool valid = false;         // false: stale, or not fully built
    core::AttachmentConfig config;
    std::optional<core::StageResolver> resolver;
    Oid attached_table = InvalidOid;  // the table leadscore.attach was called on
    std::string attached_table_name;  // for messages
    AttrNumber stage_column = 0;
    AttrNumber key_column = 0;
    Oid key_type = InvalidOid;
    AttrNumber reason_column = 0;
    core::ColumnKind reason_kind = core::ColumnKind::Text;
    std::array<AttrNumber, core::kStageCount> stamp_columns{};  // 0: no stamp
    std::vector<EnumStage> enum_stages;                         // ENUM stage column
    FmgrInfo key_output{};
    ScoreColumn score, fit, engagement;
    // The columns of config.fit_attributes, in its order, and whether the
    // trigger computes fit from them (none is a generated column).
    std::vector<AttrNumber> fit_attribute_columns;
    bool fit_on_write = false;
    // Whether events tables are attached to the table (engagement then
    // comes from them, as rescore computes it).
    bool has_events = false;
    CompiledSla sla;
    // What a promotion by score writes into a text stage column: the CRM's
    // own label for the stage where the config maps one, else the stage's.
    std::array<std::string, core::kStageCount> written_labels;
    // The columns the triggers write whose assignments PostgreSQL would
    // coerce (a domain, a type modifier); usually none.
    std::vector<ColumnAssignment> coerced_columns;
};

// The compiled attachment of the trigger being fired; builds it on first use
// (ERROR 55000 when leadscore.attach did not record the table: a trigger a
// role made by hand on a table of its own writes no history and no clocks).
// The pointer stays valid until the end of the transaction.
const CompiledAttachment& compiled_attachment(TriggerData* trigger_data);

// The same for one of `relation`'s triggers created by leadscore.attach
// (another trigger of the table reading the attachment's config).
const CompiledAttachment& compiled_attachment(Relation relation, const Trigger* trigger);

// The attachment of `relation` as leadscore's other triggers on it read it:
// compiled from the lifecycle trigger leadscore.attach created on the table
// (zz_leadscore_before_update, cloned onto each partition under the same
// name). nullptr when someone dropped that trigger by hand.
const CompiledAttachment* attachment_of_table(Relation relation);

// `value` (of the column's base type; numeric for the score columns) as
// writing it into column `attnum` of the NEW row must store it: see
// column_assignment.hpp. The value itself for columns that need no
// coercion.
Datum value_for_column(const CompiledAttachment& attachment, TupleDesc descriptor,
                       AttrNumber attnum, Datum value, bool is_null);

// The lead's key in `tuple` as text (its column's output function), "NULL"
// for none: as history rows and SLA clocks store it.
const char* lead_key(const CompiledAttachment& attachment, HeapTuple tuple, TupleDesc descriptor);

// Registers the relcache and transaction callbacks; called from _PG_init.
void register_attachment_cache_callbacks();

}  // namespace leadscore::pg
