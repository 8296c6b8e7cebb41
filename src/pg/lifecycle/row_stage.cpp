#include "pg/lifecycle/row_stage.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_enum.h"
#include "utils/builtins.h"
#include "utils/syscache.h"
}

namespace core = leadscore::core;

namespace leadscore::pg {

const char* enum_label(Oid value) {
    HeapTuple tuple = SearchSysCache1(ENUMOID, ObjectIdGetDatum(value));
    if (!HeapTupleIsValid(tuple)) {
        return "?";
    }
    const char* label =
        pstrdup(NameStr(reinterpret_cast<Form_pg_enum>(GETSTRUCT(tuple))->enumlabel));
    ReleaseSysCache(tuple);
    return label;
}

RowStage read_stage(const CompiledAttachment& attachment, HeapTuple tuple, TupleDesc descriptor) {
    RowStage row;
    bool is_null;
    const Datum value = heap_getattr(tuple, attachment.stage_column, descriptor, &is_null);
    if (is_null) {
        return row;
    }
    row.is_null = false;
    switch (attachment.config.stage_kind) {
        case core::ColumnKind::LifecycleStage: {
            const auto stage =
                core::stage_from_code(static_cast<unsigned char>(DatumGetChar(value)));
            row.resolved = stage.has_value();
            row.stage = stage.value_or(core::Stage::Lead);
            row.label = row.resolved ? core::stage_label(row.stage).data() : "?";
            return row;
        }
        case core::ColumnKind::Enum: {
            const Oid label_oid = DatumGetObjectId(value);
            for (const EnumStage& known : attachment.enum_stages) {
                if (known.value == label_oid) {
                    row.resolved = true;
                    row.stage = known.stage;
                    row.label = known.label.c_str();
                    return row;
                }
            }
            // A label added to the type after attach: resolve it by name.
            row.label = enum_label(label_oid);
            break;
        }
        default:
            row.label = TextDatumGetCString(value);
            break;
    }
    const core::LabelMatch match = attachment.resolver->resolve(row.label);
    row.resolved = match.kind == core::LabelMatch::Kind::Stage;
    row.stage = match.stage;
    return row;
}

}  // namespace leadscore::pg
