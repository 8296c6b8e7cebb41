// What the core needs to know about a table's columns, read from PostgreSQL.
#pragma once

#include "pg/common/postgres.hpp"

extern "C" {
#include "utils/rel.h"
}

#include "core/lifecycle/attachment.hpp"

namespace leadscore::pg {

// Plain data, palloc'd in the current memory context: collected from the
// catalogs first, turned into C++ objects afterwards, so no PostgreSQL call
// runs while a C++ object is alive.
struct PgColumn {
    const char* name;
    core::ColumnKind kind;
    const char* type_name;
    Oid type;
    Oid base_type;  // the type under any domain
    AttrNumber attnum;
    bool generated;   // a generated column (computed after BEFORE triggers)
    int label_count;  // ENUM columns: the type's labels and their OIDs
    const char** labels;
    Oid* label_oids;
};

struct PgTable {
    const char* name;  // schema-qualified, quoted where needed
    int column_count;
    PgColumn* columns;
    int primary_key_count;
    const char** primary_key;
};

// The OID of leadscore.lifecycle_stage (a catalog lookup: not for hot paths).
Oid lifecycle_stage_type();

// The columns (dropped ones left out) and primary key of `relation`.
PgTable* collect_table(Relation relation);

// Pure C++: no PostgreSQL call.
core::TableShape to_table_shape(const PgTable& table);

// The qualified, quoted name of a relation.
const char* qualified_name(Oid relid);

}  // namespace leadscore::pg
