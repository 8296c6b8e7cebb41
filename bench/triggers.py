"""leadscore's triggers against PostgreSQL's trigger floor and a PL/pgSQL
trigger doing the same work. Needs bench/generate_crm.sql loaded.

1. A bulk UPDATE of a column other than the stage, on every row: no trigger,
   suppress_redundant_updates_trigger() (the floor: PostgreSQL locks and
   re-fetches each row before any BEFORE UPDATE row trigger), leadscore, and
   the PL/pgSQL trigger.
2. A bulk stage change (lead/subscriber -> marketingqualifiedlead): leadscore
   against the PL/pgSQL trigger, both validating, stamping and writing history.
3. SLA clocks, on the first sla_leads contacts: the same stage change
   starting two clocks per lead, then the first contact being set (closing
   one clock and refreshing the row's due column); leadscore with SLA
   policies against leadscore without SLAs plus the PL/pgSQL clocks of
   bench/plpgsql_sla.sql, and against leadscore without SLAs (the base the
   per-row SLA cost is measured from).

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
        sla_clocks(cursor, args.repetitions)


SLA_TABLES = {
    "leadscore with SLA policies": "crm_sla_leadscore",
    "leadscore + PL/pgSQL clocks": "crm_sla_plpgsql",
    "leadscore without SLAs": "crm_sla_base",
}
INTO_MQL = ("UPDATE {table} SET lifecyclestage = 'marketingqualifiedlead' "
            "WHERE lifecyclestage IN ('lead', 'subscriber')")
CONTACTED = ("UPDATE {table} SET first_contacted_at = now() "
             "WHERE lifecyclestage = 'marketingqualifiedlead'")


def sla_clocks(cursor, repetitions):
    cursor.execute("SELECT count(*) FILTER (WHERE lifecyclestage IN ('lead', 'subscriber')), "
                   "count(*) FILTER (WHERE lifecyclestage IN ('lead', 'subscriber', "
                   "'marketingqualifiedlead')) FROM crm_sla_base")
    moving, contacted = cursor.fetchone()
    cleanup = {name: f"VACUUM {table}, leadscore.stage_history, leadscore.sla_clocks, "
                     f"plpgsql_stage_history, plpgsql_sla_clocks"
               for name, table in SLA_TABLES.items()}
    # Agreement first: the same clocks, due times and row columns.
    cursor.execute("BEGIN")
    # (the new clocks are not in the statistics: without this the planner
    # may loop over one clock table per row of the other)
    cursor.execute("SET LOCAL enable_nestloop = off")
    for table in SLA_TABLES.values():
        cursor.execute(INTO_MQL.format(table=table))
    cursor.execute("""SELECT count(*), count(*) FILTER (WHERE l.due_at = p.due_at AND l.warn_at = p.warn_at
                                                     AND l.status = p.status)
        FROM leadscore.sla_clocks AS l
        JOIN plpgsql_sla_clocks AS p USING (lead_key, policy)
        WHERE l.target = 'crm_sla_leadscore'::regclass AND p.target = 'crm_sla_plpgsql'::regclass""")
    clocks, agreeing = cursor.fetchone()
    for table in SLA_TABLES.values():
        cursor.execute(CONTACTED.format(table=table))
    cursor.execute("""SELECT count(*) FILTER (WHERE l.status = p.status AND l.met_at = p.met_at),
                             count(*) FILTER (WHERE l.met_at IS NOT NULL)
        FROM leadscore.sla_clocks AS l
        JOIN plpgsql_sla_clocks AS p USING (lead_key, policy)
        WHERE l.target = 'crm_sla_leadscore'::regclass AND p.target = 'crm_sla_plpgsql'::regclass""")
    agreeing_after, met = cursor.fetchone()
    cursor.execute("SELECT count(*) FROM crm_sla_leadscore AS l JOIN crm_sla_plpgsql AS p USING (id) "
                   "WHERE l.sla_due_at IS DISTINCT FROM p.sla_due_at "
                   "OR l.sla_breached IS DISTINCT FROM p.sla_breached")
    rows_differing = cursor.fetchone()[0]
    cursor.execute("ROLLBACK")
    print(f"\nSLA clocks on {moving} leads entering mql (two policies each): PL/pgSQL gives the "
          f"same due, warning and status for {agreeing} of {clocks} clocks; after the first "
          f"contact the same status and met time for {agreeing_after} of the {met} met clocks, "
          f"and {rows_differing} rows differ in their due and breached columns")

    into_mql = [(name, INTO_MQL.format(table=table)) for name, table in SLA_TABLES.items()]
    medians = harness.run_case(cursor, into_mql, repetitions, rolled_back=True, cleanup=cleanup)
    harness.print_case(f"stage change of {moving} leads to mql, starting {2 * moving} clocks",
                       medians, baseline="leadscore + PL/pgSQL clocks")
    print_sla_cost(medians, moving)

    contact = [(name, CONTACTED.format(table=table)) for name, table in SLA_TABLES.items()]
    setup = {name: INTO_MQL.format(table=table) for name, table in SLA_TABLES.items()}
    medians = harness.run_case(cursor, contact, repetitions, rolled_back=True, cleanup=cleanup,
                               setup=setup)
    harness.print_case(f"first contact set on {contacted} mql leads, closing {moving} clocks",
                       medians, baseline="leadscore + PL/pgSQL clocks")
    print_sla_cost(medians, contacted)


def print_sla_cost(medians, rows):
    harness.print_own_cost(medians, rows, "the clocks", "leadscore with SLA policies",
                           "leadscore + PL/pgSQL clocks", "leadscore without SLAs")


if __name__ == "__main__":
    main()
