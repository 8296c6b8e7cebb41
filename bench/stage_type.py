"""lifecycle_stage against text and a PostgreSQL ENUM: sort, hashed GROUP BY,
btree range scan, and size on disk. Needs bench/generate_leads.sql loaded."""

import argparse

import harness

TABLES = {"lifecycle_stage": "bench_stage", "text": "bench_text", "enum": "bench_enum"}

# "Reached SQL": a range for the ordered types; text has no funnel order, so
# its users write the list of stages out.
REACHED_SQL = {
    "lifecycle_stage": "stage >= 'sql'",
    "text": "stage IN ('sql', 'opportunity', 'customer')",
    "enum": "stage >= 'sql'",
}


def cases():
    def per_type(template, where=REACHED_SQL):
        return [(kind, template.format(table=table, reached_sql=where[kind]))
                for kind, table in TABLES.items()]

    # Production databases mostly sort text with a linguistic collation, not
    # C's byte order: the ICU variant shows what text costs there.
    text_icu = ("text, ICU en-US collation",
                'SELECT id, stage FROM bench_text ORDER BY stage COLLATE "en-US-x-icu"')
    return [
        ("sort: SELECT id, stage ORDER BY stage (in memory)",
         per_type("SELECT id, stage FROM {table} ORDER BY stage") + [text_icu]),
        ("hashed GROUP BY stage with count(*)",
         per_type("SELECT stage, count(*) FROM {table} GROUP BY stage")),
        ("btree range scan: count(*) of leads that reached sql",
         per_type("SELECT count(*) FROM {table} WHERE {reached_sql}")),
    ]


def print_sizes(cursor):
    print("\nsize on disk (table / stage index)")
    for kind, table in TABLES.items():
        cursor.execute(
            "SELECT pg_size_pretty(pg_table_size(%s)), pg_table_size(%s),"
            "       pg_size_pretty(pg_relation_size(%s)), pg_relation_size(%s)",
            (table, table, table + "_stage", table + "_stage"))
        table_pretty, table_bytes, index_pretty, index_bytes = cursor.fetchone()
        cursor.execute(f"SELECT avg(pg_column_size(stage))::numeric(5,2) FROM {table}")
        column_bytes = cursor.fetchone()[0]
        print(f"  {kind:<16} table {table_pretty:>8} ({table_bytes:>11} B)   "
              f"index {index_pretty:>8}   stage column {column_bytes} B/row")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()
    with harness.connect() as connection, connection.cursor() as cursor:
        # One backend, no parallel workers: the comparison is of per-type cost.
        cursor.execute("SET search_path = public, leadscore")
        cursor.execute("SET max_parallel_workers_per_gather = 0")
        cursor.execute("SET work_mem = '2GB'")
        cursor.execute("SET enable_bitmapscan = off")
        cursor.execute("SELECT count(*), current_setting('lc_collate'), version() FROM bench_stage")
        rows, collation, version = cursor.fetchone()
        print(f"lifecycle_stage vs text vs enum on {rows} rows, median of {args.repetitions} "
              f"rotated rounds, server execution time\n{version}\ntext collation: {collation}")
        harness.run_all(cursor, cases(), args.repetitions, baseline="lifecycle_stage")
        print_sizes(cursor)


if __name__ == "__main__":
    main()
