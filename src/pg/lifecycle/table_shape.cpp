#include "pg/lifecycle/table_shape.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_type.h"
#include "nodes/bitmapset.h"
#include "utils/catcache.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace leadscore::pg {

namespace {

core::ColumnKind kind_of(Oid type, Oid stage_type) {
    const Oid base = getBaseType(type);
    if (base == TEXTOID)
        return core::ColumnKind::Text;
    if (base == VARCHAROID)
        return core::ColumnKind::Varchar;
    if (base == TIMESTAMPTZOID)
        return core::ColumnKind::Timestamptz;
    if (base == stage_type)
        return core::ColumnKind::LifecycleStage;
    if (base == BOOLOID)
        return core::ColumnKind::Boolean;
    if (base == INT2OID || base == INT4OID || base == INT8OID || base == NUMERICOID ||
        base == FLOAT4OID || base == FLOAT8OID)
        return core::ColumnKind::Number;
    if (type_is_enum(base))
        return core::ColumnKind::Enum;
    return core::ColumnKind::Other;
}

void collect_enum_labels(Oid type, PgColumn& column) {
    CatCList* list = SearchSysCacheList1(ENUMTYPOIDNAME, ObjectIdGetDatum(getBaseType(type)));
    column.label_count = list->n_members;
    column.labels = static_cast<const char**>(palloc(sizeof(char*) * list->n_members + 1));
    column.label_oids = static_cast<Oid*>(palloc(sizeof(Oid) * list->n_members + 1));
    for (int i = 0; i < list->n_members; ++i) {
        const auto* entry = reinterpret_cast<Form_pg_enum>(GETSTRUCT(&list->members[i]->tuple));
        column.labels[i] = pstrdup(NameStr(entry->enumlabel));
        column.label_oids[i] = entry->oid;
    }
    ReleaseSysCacheList(list);
}

}  // namespace

Oid lifecycle_stage_type() {
    const Oid schema = get_namespace_oid("leadscore", false);
    return GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum("lifecycle_stage"),
                           ObjectIdGetDatum(schema));
}

const char* qualified_name(Oid relid) {
    return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
                                      get_rel_name(relid));
}

PgTable* collect_table(Relation relation) {
    const Oid stage_type = lifecycle_stage_type();
    const TupleDesc descriptor = RelationGetDescr(relation);
    auto* table = static_cast<PgTable*>(palloc0(sizeof(PgTable)));
    table->name = qualified_name(RelationGetRelid(relation));
    table->columns = static_cast<PgColumn*>(palloc0(sizeof(PgColumn) * (descriptor->natts + 1)));
    for (int i = 0; i < descriptor->natts; ++i) {
        const Form_pg_attribute attribute = TupleDescAttr(descriptor, i);
        if (attribute->attisdropped) {
            continue;
        }
        PgColumn& column = table->columns[table->column_count++];
        column.name = pstrdup(NameStr(attribute->attname));
        column.kind = kind_of(attribute->atttypid, stage_type);
        column.type_name = format_type_be(attribute->atttypid);
        column.type = attribute->atttypid;
        column.base_type = getBaseType(attribute->atttypid);
        column.attnum = attribute->attnum;
        column.generated = attribute->attgenerated != '\0';
        if (column.kind == core::ColumnKind::Enum) {
            collect_enum_labels(attribute->atttypid, column);
        }
    }
    Bitmapset* key = RelationGetIndexAttrBitmap(relation, INDEX_ATTR_BITMAP_PRIMARY_KEY);
    table->primary_key =
        static_cast<const char**>(palloc0(sizeof(char*) * (bms_num_members(key) + 1)));
    for (int member = -1; (member = bms_next_member(key, member)) >= 0;) {
        const AttrNumber attnum = member + FirstLowInvalidHeapAttributeNumber;
        table->primary_key[table->primary_key_count++] =
            pstrdup(NameStr(TupleDescAttr(descriptor, attnum - 1)->attname));
    }
    return table;
}

core::TableShape to_table_shape(const PgTable& table) {
    core::TableShape shape;
    shape.table_name = table.name;
    for (int i = 0; i < table.column_count; ++i) {
        const PgColumn& column = table.columns[i];
        core::ColumnShape& out = shape.columns.emplace_back();
        out.name = column.name;
        out.kind = column.kind;
        out.type_name = column.type_name;
        out.enum_labels.assign(column.labels, column.labels + column.label_count);
    }
    shape.primary_key.assign(table.primary_key, table.primary_key + table.primary_key_count);
    return shape;
}

}  // namespace leadscore::pg
