"""leadscore's triggers against PostgreSQL's trigger floor and a PL/pgSQL
trigger doing the same work. Needs bench/generate_crm.sql loaded.

1. A bulk UPDATE of a column other than the stage, on every row: no trigger,
   suppress_redundant_updates_trigger() (the floor: PostgreSQL locks and
   re-fetches each row before any BEFORE UPDATE row trigger), leadscore, and
   the PL/pgSQL trigger.
2. A bulk stage change (lead/subscriber -> marketingqualifiedlead): leadscore
   against the PL/pgSQL trigger, both validating, stamping and writing history.

Every statement runs in a transaction that is rolled back, and the table is
vacuumed (untimed) after it, so each round starts from the same data."""

import argparse

import harness

TABLES = {
    "no trigger": "crm_plain",
    "suppress_redundant_updates_trigger": "crm_suppress",
    "leadscore": "crm_leadscore",
    "PL/pgSQL trigger": "crm_plpgsql",
}


def vacuum(table):
    return f"VACUUM {table}, leadscore.stage_history, plpgsql_stage_history"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()
    with harness.connect() as connection, connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
        cursor.execute("SELECT count(*), count(*) FILTER (WHERE lifecyclestage IN "
                       "('lead', 'subscriber')), (SELECT relpersistence FROM pg_class "
                       "WHERE oid = 'crm_plain'::regclass) FROM crm_plain")
        rows, moving, persistence = cursor.fetchone()
        kind = "UNLOGGED" if persistence == "u" else "logged"
        print(f"\nleadscore triggers on {rows} contacts ({kind} CRM tables), median of "
              f"{args.repetitions} rotated rounds, server execution time (AFTER triggers "
              f"included)")
        cleanup = {name: vacuum(table) for name, table in TABLES.items()}

        unrelated = [(name, f"UPDATE {table} SET owner_id = owner_id + 1")
                     for name, table in TABLES.items()]
        medians = harness.run_case(cursor, unrelated, args.repetitions, rolled_back=True,
                                   cleanup=cleanup)
        harness.print_case(f"UPDATE of an unrelated column, all {rows} rows", medians,
                           baseline="suppress_redundant_updates_trigger")
        floor = medians["suppress_redundant_updates_trigger"] / medians["no trigger"]
        print(f"  the floor itself: suppress_redundant_updates_trigger is {floor:.2f}x "
              f"no trigger")

        stage_change = [
            (name, f"UPDATE {TABLES[name]} SET lifecyclestage = 'marketingqualifiedlead' "
                   f"WHERE lifecyclestage IN ('lead', 'subscriber')")
            for name in ("leadscore", "PL/pgSQL trigger", "no trigger")]
        medians = harness.run_case(cursor, stage_change, args.repetitions, rolled_back=True,
                                   cleanup=cleanup)
        harness.print_case(f"stage change of {moving} leads to mql (validate, stamp, history)",
                           medians, baseline="PL/pgSQL trigger")


if __name__ == "__main__":
    main()
