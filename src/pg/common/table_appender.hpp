// Rows leadscore's triggers add to its own tables (stage_history,
// sla_clocks), and the clock closes, go straight into the heap and the indexes (whatever indexes
// the table has, partial ones included), the way PostgreSQL writes its own
// catalogs: no SPI, no plan, no permission check, so the CRM's role needs no
// rights on the table. Each table is opened once per transaction, with its
// indexes and an executor state, and closed before commit and before any
// utility statement (DDL on it in the same transaction needs it closed):
// opening them per row cost more than the insert itself.
//
// The appender evaluates no defaults, no CHECK constraints, no triggers and
// no row-level security: the caller supplies every column and keeps the
// table's constraints. The first column is the identity, numbered here from
// the table's sequence. A column added to a table by an upgrade must be
// added to its column list too.
#pragma once

#include "pg/common/postgres.hpp"

extern "C" {
#include "storage/itemptr.h"
}

namespace leadscore::pg {

struct OpenAppender;

struct AppendedTable {
    const char* name;            // in schema leadscore
    const char* const* columns;  // written in this order; columns[0] is the identity
    int column_count;
    // Looked up once per backend; forgotten when a relcache invalidation
    // touches them (DROP/CREATE EXTENSION gives them new OIDs).
    Oid table;
    Oid sequence;
    Oid owner;
    OpenAppender* open;
};

// Appends one row: values/nulls in the table's `columns` order (values[0] is
// set here). Registers the table with the callbacks on first use.
void append_row(AppendedTable& table, Datum* values, bool* nulls);

// Sets `count` columns (indexes into the table's `columns`) of the row
// version at `tid`, which the caller has locked in this transaction (SELECT
// ... FOR UPDATE): a new version, and index entries unless the update is HOT.
void update_row(AppendedTable& table, ItemPointer tid, int count, const int* columns,
                const Datum* values, const bool* nulls);

// The table's OIDs, looked up if need be (ERROR 42P01 when it is missing).
void look_up_appended_table(AppendedTable& table);

// Closes every open appender; idempotent.
void close_appenders();

// Registers the relcache, transaction and utility-statement callbacks; from
// _PG_init.
void register_appender_callbacks();

}  // namespace leadscore::pg
