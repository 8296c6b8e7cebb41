"""The events path: what an INSERT into an events table attached for
rescoring costs, against the same INSERT into an unattached events table
(PostgreSQL's floor), and the SLA sweep against a bare UPDATE of the same
clocks. Makes its own tables in the current database (leads BENCH_LEADS,
ten events per lead already there), then:

1. single-row INSERTs, each its own transaction, as a CRM writes activity:
   pgbench (synchronous_commit off) with 1 client and with 8 clients, into
   an unattached events table, an attached one (rescoring), and one attached
   to a table with an SLA policy met by activity (at_least 3); beside them
   PostgreSQL's floor for the work rescoring must do (the event inserted and
   the lead's row updated, in one statement, by no trigger); rounds
   rotated, medians of the per-INSERT latency, printed as ratios;
2. a COPY of ten events per lead (1,000,000 for 100,000 leads) into each
   table (the floor: the COPY, then one UPDATE of every lead);
3. sla_sweep over 10,000 due clocks against the bare UPDATE ... SET status =
   'breached' over the same clocks (each in a transaction rolled back).

Every statement that sets up a measurement stops the run when it fails."""

import argparse
import io
import os
import re
import statistics
import subprocess
import tempfile
import time

import harness

ALWAYS = ('{"time_zone": "UTC", "week": {' +
          ", ".join(f'"{d}": [["00:00", "24:00"]]' for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")) +
          "}}")

TABLES = {
    "unattached": "bench_ev_plain",
    "floor: INSERT + UPDATE of the lead": "bench_ev_floor",
    "attached (rescoring)": "bench_ev_rescore",
    "attached, SLA met by activity": "bench_ev_sla",
}


def setup(cursor, leads):
    cursor.execute("SET client_min_messages = warning")
    cursor.execute("CREATE EXTENSION IF NOT EXISTS leadscore")
    for table in ("bench_ev_plain", "bench_ev_floor", "bench_ev_rescore", "bench_ev_sla",
                  "bench_ev_leads", "bench_ev_sla_leads", "bench_ev_floor_leads", "bench_sweep_leads"):
        cursor.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
    cursor.execute("SELECT leadscore.drop_calendar('bench_ev_always') FROM leadscore.calendars "
                   "WHERE name = 'bench_ev_always'")
    cursor.execute("SELECT leadscore.define_calendar('bench_ev_always', %s)", (ALWAYS,))
    for table in ("bench_ev_leads", "bench_ev_sla_leads", "bench_ev_floor_leads"):
        cursor.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, stage text, mql_at timestamptz, "
                       f"score numeric)")
    for table in TABLES.values():
        cursor.execute(f"CREATE TABLE {table} (lead_id int, event_type text, occurred_at timestamptz)")
        cursor.execute(f"CREATE INDEX ON {table} (lead_id, occurred_at)")
    cursor.execute("""SELECT leadscore.attach('bench_ev_leads', '{"stage_column": "stage",
        "score_column": "score", "notify_channel": null}')""")
    cursor.execute("""SELECT leadscore.attach('bench_ev_sla_leads', '{"stage_column": "stage",
        "score_column": "score", "stamps": {"mql": "mql_at"}, "notify_channel": null,
        "sla": {"calendar": "bench_ev_always", "policies": [{"name": "touch", "within": "1000 hours",
          "met_by": {"events": "public.bench_ev_sla", "lead_column": "lead_id",
                     "time_column": "occurred_at", "at_least": 3}}]}}')""")
    cursor.execute("""SELECT leadscore.attach_events('bench_ev_rescore',
        '{"leads": "bench_ev_leads", "lead_column": "lead_id"}')""")
    cursor.execute("""SELECT leadscore.attach_events('bench_ev_sla',
        '{"leads": "bench_ev_sla_leads", "lead_column": "lead_id"}')""")
    for table in ("bench_ev_leads", "bench_ev_sla_leads", "bench_ev_floor_leads"):
        cursor.execute(f"INSERT INTO {table} (id, stage) SELECT i, 'lead' FROM generate_series(1, %s) AS i",
                       (leads,))
        # In mql: the SLA table's leads get a clock each (met by activity).
        cursor.execute(f"UPDATE {table} SET stage = 'mql'")


def events_csv(leads, per_lead):
    rows = io.StringIO()
    for n in range(per_lead):
        for lead in range(1, leads + 1):
            kind = ("email_open", "page_view", "webinar_attended", "demo_request")[(lead + n) % 4]
            rows.write(f"{lead},{kind},2026-11-{1 + n % 28:02d} 10:00:00+00\n")
    return rows.getvalue()


def copy_seconds(cursor, table, data):
    started = time.perf_counter()
    cursor.copy_expert(f"COPY {table} (lead_id, event_type, occurred_at) FROM STDIN WITH (FORMAT csv)",
                       io.StringIO(data))
    if table == "bench_ev_floor":  # every lead's row written again, set-based
        cursor.execute("UPDATE bench_ev_floor_leads SET score = coalesce(score, 0) + 1")
    return time.perf_counter() - started


def pgbench_latency_ms(table, leads, clients, seconds):
    insert = (f"INSERT INTO {table} (lead_id, event_type, occurred_at) "
              f"VALUES (:id, 'email_open', now());\n")
    if table == "bench_ev_floor":
        # PostgreSQL's floor for what rescoring must do: the event written and
        # the lead's row written again, in one transaction, by no trigger.
        # (one statement, as the attached INSERT is one: no extra round trips)
        insert = (f"WITH e AS (INSERT INTO {table} (lead_id, event_type, occurred_at) "
                  f"VALUES (:id, 'email_open', now()) RETURNING lead_id) "
                  f"UPDATE bench_ev_floor_leads AS l SET score = coalesce(l.score, 0) + 1 "
                  f"FROM e WHERE l.id = e.lead_id;\n")
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(f"\\set id random(1, {leads})\n" + insert)
    bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True,
                            check=True).stdout.strip()
    env = dict(os.environ, PGOPTIONS="-c synchronous_commit=off")
    result = subprocess.run([os.path.join(bindir, "pgbench"), "-n", "-f", script.name,
                             "-c", str(clients), "-j", str(min(clients, 2)), "-T", str(seconds)],
                            capture_output=True, text=True, env=env)
    os.unlink(script.name)
    if result.returncode != 0:
        raise SystemExit(f"pgbench into {table} failed:\n{result.stdout}\n{result.stderr}")
    match = re.search(r"latency average = ([0-9.]+) ms", result.stdout)
    if not match:
        raise SystemExit(f"no latency in pgbench's output:\n{result.stdout}")
    return float(match.group(1))


def print_ratios(title, medians, unit):
    print(f"\n{title}")
    base = medians["unattached"]
    for name, value in medians.items():
        print(f"  {name:<32} {value:10.3f} {unit}   {value / base:6.2f}x of unattached")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--leads", type=int, default=int(os.environ.get("BENCH_LEADS", "100000")))
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    leads = args.leads
    # (not `with connection`: it would open a transaction, and VACUUM runs
    # outside one)
    connection = harness.connect()
    with connection.cursor() as cursor:
        setup(cursor, leads)

        # 2. COPY of ten events per lead (also the events the INSERTs below find).
        data = events_csv(leads, 10)
        medians = {name: copy_seconds(cursor, table, data) for name, table in TABLES.items()}
        print_ratios(f"COPY of {10 * leads:,} events ({leads:,} leads, 10 each)", medians, "s")
        cursor.execute("SELECT count(*) FROM bench_ev_leads WHERE score IS NOT NULL")
        if cursor.fetchone()[0] != leads:
            raise SystemExit("the COPY into the attached events table did not score every lead")
        cursor.execute("VACUUM ANALYZE bench_ev_plain, bench_ev_floor, bench_ev_rescore, bench_ev_sla, "
                       "bench_ev_leads, bench_ev_sla_leads, bench_ev_floor_leads")

        # 1. Single-row INSERTs.
        for clients in (1, 8):
            samples = {name: [] for name in TABLES}
            names = list(TABLES)
            for round_number in range(args.repetitions):
                shift = round_number % len(names)
                for name in names[shift:] + names[:shift]:
                    samples[name].append(pgbench_latency_ms(TABLES[name], leads, clients,
                                                            args.seconds))
            medians = {name: statistics.median(values) for name, values in samples.items()}
            print_ratios(f"single-row INSERT, pgbench, {clients} client{'s' if clients > 1 else ''} "
                         f"(latency per INSERT)", medians, "ms")
        cursor.execute("SELECT count(*) FROM leadscore.sla_clocks WHERE target = "
                       "'bench_ev_sla_leads'::regclass AND status = 'met'")
        if cursor.fetchone()[0] == 0:
            raise SystemExit("no SLA clock was met by activity: the SLA case measured nothing")

        # 3. The sweep: 10,000 due clocks.
        cursor.execute("DROP TABLE IF EXISTS bench_sweep_leads")
        cursor.execute("CREATE TABLE bench_sweep_leads (id int PRIMARY KEY, stage text)")
        cursor.execute("""SELECT leadscore.attach('bench_sweep_leads', '{"stage_column": "stage",
            "notify_channel": null, "sla": {"calendar": "bench_ev_always", "policies": [
            {"name": "call", "within": "1 hour", "met_by": {"leaves_for": ["sql"]}}]}}')""")
        cursor.execute("INSERT INTO bench_sweep_leads SELECT i, 'mql' FROM generate_series(1, 10000) AS i")
        cursor.execute("SELECT count(*) FROM leadscore.sla_clocks WHERE target = "
                       "'bench_sweep_leads'::regclass AND status = 'running'")
        if cursor.fetchone()[0] != 10000:
            raise SystemExit("the sweep benchmark did not get 10,000 open clocks")
        later = "now() + interval '2 hours'"
        variants = [
            ("bare UPDATE of the clocks",
             f"UPDATE leadscore.sla_clocks SET status = 'breached' "
             f"WHERE status IN ('running', 'warned') AND due_at <= {later}"),
            ("sla_sweep", f"SELECT leadscore.sla_sweep({later})"),
        ]
        medians = harness.run_case(cursor, variants, args.repetitions, rolled_back=True)
        harness.print_case("sla_sweep over 10,000 due clocks (in transactions rolled back)", medians,
                           "bare UPDATE of the clocks")
        cursor.execute("SELECT leadscore.detach('bench_sweep_leads')")
        cursor.execute("DROP TABLE bench_sweep_leads")


if __name__ == "__main__":
    main()
