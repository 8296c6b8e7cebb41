"""leadscore's business-time arithmetic against what a team writes without
it. Needs bench/generate_business_time.sql loaded (bench_spans, the
bench_office calendar and the competitors).

1. business_add of SLA-sized amounts (1-480 minutes) on a sample of spans:
   leadscore vs a PL/pgSQL function stepping a minute at a time vs a
   generate_series over minutes (OFFSET to the n-th business minute).
2. business_diff over the same spans: leadscore vs PL/pgSQL minute stepping
   vs generate_series over days (each day's windows overlapped with the
   span: the best plain-SQL answer, exact).
3. Throughput over every span (1M): calls per second on one core.
4. Flat cost: adding 1 hour vs 1,800 business hours (about a year), and
   diffs over 1 hour vs 1 year, on every span; the day-by-day SQL alongside.
5. sla_sweep over 1M clocks of an attached table: with nothing due, and
   with 1% due (breached, after the table is asked which of those leads are
   still there; 1% of them are not, and their clocks close), against the
   same UPDATE without the partial indexes (a full scan, which asks
   nothing); the question alone alongside; each sweep runs in a transaction
   that is rolled back (--only-sweep runs this section alone).

Before any timing every competitor is checked against leadscore on the
sample (starts and amounts are whole minutes, where minute stepping is
exact); a competitor that does not agree is reported, not timed as if it
did."""

import argparse

import harness

CALENDAR = "'bench_office'"
HOLIDAYS = ("ARRAY['2025-01-01', '2025-01-20', '2025-02-17', '2025-05-26', '2025-06-19', "
            "'2025-07-04', '2025-09-01', '2025-10-13', '2025-11-11', '2025-11-27', "
            "'2025-12-25', '2026-01-01']::date[]")


def sample(n):
    return f"(SELECT * FROM bench_spans WHERE id <= {n}) AS sp"


def add_variants(n):
    return [
        ("leadscore.business_add",
         f"SELECT max(leadscore.business_add({CALENDAR}, s, minutes * interval '1 minute')) FROM {sample(n)}"),
        ("PL/pgSQL minute stepping",
         f"SELECT max(plpgsql_business_add(s, minutes * interval '1 minute')) FROM {sample(n)}"),
        ("generate_series over minutes",
         f"SELECT max((SELECT m + interval '1 minute' FROM generate_series(sp.s, sp.s + interval '45 days', "
         f"interval '1 minute') AS m WHERE bench_is_business_minute(m) OFFSET sp.minutes - 1 LIMIT 1)) "
         f"FROM {sample(n)}"),
    ]


def day_overlap_diff(start, finish):
    """Business time in [start, finish) as the sum of each day's window overlaps."""
    return f"""(SELECT coalesce(sum(greatest(interval '0',
                    least({finish}, (d::date + w.t1) AT TIME ZONE 'America/New_York')
                    - greatest({start}, (d::date + w.t0) AT TIME ZONE 'America/New_York'))), interval '0')
        FROM generate_series((({start}) AT TIME ZONE 'America/New_York')::date::timestamp,
                             (({finish}) AT TIME ZONE 'America/New_York')::date::timestamp,
                             interval '1 day') AS d,
             (VALUES (time '09:00', time '12:30'), (time '13:30', time '17:00')) AS w(t0, t1)
        WHERE extract(isodow FROM d) <= 5 AND d::date <> ALL ({HOLIDAYS}))"""


def diff_variants(n):
    finish = "sp.s + sp.minutes * interval '7 minutes'"
    return [
        ("leadscore.business_diff",
         f"SELECT sum(leadscore.business_diff({CALENDAR}, s, {finish})) FROM {sample(n)}"),
        ("PL/pgSQL minute stepping",
         f"SELECT sum(plpgsql_business_diff(s, {finish})) FROM {sample(n)}"),
        ("generate_series over days",
         f"SELECT sum({day_overlap_diff('sp.s', finish)}) FROM {sample(n)}"),
    ]


def check_agreement(cursor, n):
    """Every competitor against leadscore, span by span, on the sample."""
    ok = True
    checks = {
        "PL/pgSQL business_add": f"plpgsql_business_add(s, minutes * interval '1 minute')",
        "generate_series business_add":
            f"(SELECT m + interval '1 minute' FROM generate_series(sp.s, sp.s + interval '45 days', "
            f"interval '1 minute') AS m WHERE bench_is_business_minute(m) OFFSET sp.minutes - 1 LIMIT 1)",
    }
    for name, expression in checks.items():
        cursor.execute(f"SELECT count(*) FILTER (WHERE {expression} IS DISTINCT FROM "
                       f"leadscore.business_add({CALENDAR}, s, minutes * interval '1 minute')) FROM {sample(n)}")
        differing = cursor.fetchone()[0]
        print(f"  {name}: {differing} of {n} spans differ from leadscore")
        ok = ok and differing == 0
    finish = "sp.s + sp.minutes * interval '7 minutes'"
    for name, expression in {"PL/pgSQL business_diff": f"plpgsql_business_diff(s, {finish})",
                             "generate_series business_diff": day_overlap_diff("sp.s", finish)}.items():
        cursor.execute(f"SELECT count(*) FILTER (WHERE {expression} IS DISTINCT FROM "
                       f"leadscore.business_diff({CALENDAR}, s, {finish})) FROM {sample(n)}")
        differing = cursor.fetchone()[0]
        print(f"  {name}: {differing} of {n} spans differ from leadscore")
        ok = ok and differing == 0
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--sample", type=int, default=400,
                        help="spans for the comparisons with the minute-stepping competitors")
    parser.add_argument("--only-sweep", action="store_true", help="run section 5 alone")
    args = parser.parse_args()
    cursor = harness.connect().cursor()
    cursor.execute("SET max_parallel_workers_per_gather = 0")
    if args.only_sweep:
        sweep_benchmark(cursor, args.repetitions)
        return
    cursor.execute("SELECT count(*) FROM bench_spans")
    spans = cursor.fetchone()[0]

    print(f"Business time: {spans} spans, calendar bench_office (New York, lunch break, "
          f"US holidays), sample of {args.sample} for the slow competitors; serial")
    print("\nAgreement (computed before any timing):")
    if not check_agreement(cursor, args.sample):
        print("  a competitor disagrees: its timings below are not of the same answers")

    for title, variants in [(f"1. business_add, {args.sample} spans of 1-480 minutes", add_variants(args.sample)),
                            (f"2. business_diff, {args.sample} spans of 7-3,360 minutes",
                             diff_variants(args.sample))]:
        medians = harness.run_case(cursor, variants, args.repetitions)
        harness.print_case(title, medians, baseline=variants[0][0])
        base = medians[variants[0][0]]
        for name, ms in list(medians.items())[1:]:
            print(f"  leadscore is {ms / base:8.1f}x faster than {name}")

    hour = [("business_add 1 hour", f"SELECT max(leadscore.business_add({CALENDAR}, s, interval '1 hour')) FROM bench_spans"),
            ("business_add 1,800 hours (a year)",
             f"SELECT max(leadscore.business_add({CALENDAR}, s, interval '1800 hours')) FROM bench_spans"),
            ("business_diff over 1 hour",
             f"SELECT sum(leadscore.business_diff({CALENDAR}, s, s + interval '1 hour')) FROM bench_spans"),
            ("business_diff over 1 year",
             f"SELECT sum(leadscore.business_diff({CALENDAR}, s, s + interval '1 year')) FROM bench_spans"),
            ("is_business_time",
             f"SELECT count(*) FILTER (WHERE leadscore.is_business_time({CALENDAR}, s)) FROM bench_spans"),
            ("next_business_start",
             f"SELECT max(leadscore.next_business_start({CALENDAR}, s)) FROM bench_spans"),
            ("scan only (count)", "SELECT count(s) FROM bench_spans")]
    medians = harness.run_case(cursor, hour, args.repetitions)
    harness.print_case(f"3./4. every span ({spans}): throughput and flat cost", medians,
                       baseline="business_add 1 hour")
    scan = medians["scan only (count)"]
    print("\n  calls per second on one core (scan time subtracted):")
    for name, ms in medians.items():
        if name != "scan only (count)":
            print(f"  {name:<34} {spans / max(ms - scan, 1e-3) * 1000:14,.0f} /s")
    print(f"  1 year vs 1 hour: business_add {medians['business_add 1,800 hours (a year)'] / medians['business_add 1 hour']:.2f}x, "
          f"business_diff {medians['business_diff over 1 year'] / medians['business_diff over 1 hour']:.2f}x")

    year_overlap = day_overlap_diff("sp.s", "sp.s + interval '1 year'")
    year_sql = [("leadscore.business_diff over 1 year",
                 f"SELECT sum(leadscore.business_diff({CALENDAR}, s, s + interval '1 year')) FROM {sample(args.sample * 10)}"),
                ("generate_series over days, 1 year",
                 f"SELECT sum({year_overlap}) FROM {sample(args.sample * 10)}")]
    medians = harness.run_case(cursor, year_sql, args.repetitions)
    harness.print_case(f"4b. diffs over a year, {args.sample * 10} spans", medians,
                       baseline="leadscore.business_diff over 1 year")

    sweep_benchmark(cursor, args.repetitions)


def sweep_benchmark(cursor, repetitions):
    as_of = "'2025-06-01 12:00+00'"
    cursor.execute(f"SELECT count(*), count(*) FILTER (WHERE due_at <= {as_of}), "
                   f"count(*) FILTER (WHERE due_at <= {as_of} AND NOT EXISTS "
                   f"(SELECT FROM bench_sla_leads AS l WHERE l.id = c.lead_key::int)) "
                   f"FROM leadscore.sla_clocks AS c WHERE target = 'bench_sla_leads'::regclass")
    clocks, due, gone = cursor.fetchone()
    cursor.execute(f"SELECT leadscore.sla_sweep({as_of})")  # warm, then undone below
    cursor.execute("UPDATE leadscore.sla_clocks SET status = 'running', closed_at = NULL "
                   "WHERE status <> 'running' AND target = 'bench_sla_leads'::regclass")
    full_scan = ("UPDATE leadscore.sla_clocks AS c SET status = 'breached' "
                 "WHERE c.status IN ('running', 'warned') AND c.due_at + interval '0' <= {as_of}")
    question = ("SELECT leadscore._sla_close_vanished('bench_sla_leads', array_agg(c.lead_key), {as_of}) "
                "FROM leadscore.sla_clocks AS c WHERE c.status IN ('running', 'warned') AND c.due_at <= {as_of}")
    nothing = "'2025-05-01 00:00+00'"
    variants = [("sla_sweep, nothing due", f"SELECT leadscore.sla_sweep({nothing})"),
                (f"sla_sweep, {due} due ({gone} gone)", f"SELECT leadscore.sla_sweep({as_of})"),
                (f"the question alone, {due} leads", question.format(as_of=as_of)),
                ("UPDATE by full scan, nothing due", full_scan.format(as_of=nothing)),
                (f"UPDATE by full scan, {due} due", full_scan.format(as_of=as_of))]
    medians = harness.run_case(cursor, variants, repetitions, rolled_back=True)
    harness.print_case(f"5. sla_sweep over {clocks} clocks (rolled back after each run)", medians,
                       baseline="sla_sweep, nothing due")


if __name__ == "__main__":
    main()
