// The operator of a CRM table's key column for a btree strategy, named with
// its schema: leadscore's statements run with search_path pinned to
// pg_catalog, where a citext or isbn key's operators are not.
#pragma once

#include "pg/common/postgres.hpp"

namespace leadscore::pg {

// "OPERATOR(schema.op)" from the default btree operator class of the
// column's base type (a domain's base type, through domains over domains;
// the class may be declared on a type the base converts to without a
// function, as varchar to text). nullptr when the column is gone or its type
// has no such class (arrays, ranges, composites). palloc'd.
const char* key_operator(Oid table, const char* column, int16 strategy);

// The column's type as SQL writes it, schema-qualified (numeric(8,2),
// public.citext); nullptr when there is no such column. palloc'd.
const char* column_sql_type(Oid table, const char* column);

}  // namespace leadscore::pg
