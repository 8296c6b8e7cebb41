"""leadscore's window funnels against the best plain SQL a team would write.
Needs bench/generate_events.sql loaded (1M leads, 10M events).

The funnel: blog_view -> pricing_view -> demo_view -> chat within 30 days,
per lead, default mode.

1. window_funnel per lead (hashed GROUP BY over the events in time order)
   against plain SQL: from every first-step event, the earliest next step
   within the window, step by step (LEFT JOIN LATERAL with min(), over an
   index on (lead_id, event_type, occurred_at) built for it, untimed); the
   deepest level per lead. Taking the earliest next step is optimal for a
   chain from a given start, so this computes the same levels (checked lead
   by lead before timing).
2. window_funnel_times (the steps' times as well); and window_funnel over
   the funnel's events read in lead order from the plain SQL's index
   (GroupAggregate, no hash table).
3. 2 parallel workers against serial.
4. score_auc and recommend_threshold over 1M scored leads against their best
   SQL formulations (counts per distinct score, then window sums).

Memory: the state holds a 32-byte header and 16 bytes per event that
matches a step, in one allocation of 128 bytes at least that doubles when
full; the largest group is reported."""

import argparse

import harness

STEPS = ("event_type = 'blog_view', event_type = 'pricing_view', event_type = 'demo_view', "
         "event_type = 'chat'")
WINDOW = "interval '30 days'"

LEADSCORE = (f"SELECT level, count(*) FROM (SELECT lead_id, leadscore.window_funnel({WINDOW}, "
             f"occurred_at, {STEPS}) AS level FROM bench_events GROUP BY lead_id) AS f "
             f"GROUP BY level")
# In the default mode rows that match no step do not matter: filtering them
# out first is what the README recommends. Leads without funnel events then
# drop out of both sides (they are level 0).
FUNNEL_TYPES = "('blog_view', 'pricing_view', 'demo_view', 'chat')"
LEADSCORE_FILTERED = (f"SELECT level, count(*) FROM (SELECT lead_id, leadscore.window_funnel({WINDOW}, "
                      f"occurred_at, {STEPS}) AS level FROM bench_events "
                      f"WHERE event_type IN {FUNNEL_TYPES} GROUP BY lead_id) AS f GROUP BY level")
# The same, with the rows read in lead order from the index the plain SQL
# uses (an index-only scan and a GroupAggregate: one group's rows at a time,
# no hash table).
ORDERED_MARK = "-- in lead order"
LEADSCORE_ORDERED = LEADSCORE_FILTERED + " " + ORDERED_MARK
ORDERED_SETTINGS = ["SET enable_hashagg = off", "SET enable_sort = off"]
LEADSCORE_TIMES = (f"SELECT cardinality(times), count(*) FROM (SELECT lead_id, "
                   f"leadscore.window_funnel_times({WINDOW}, occurred_at, {STEPS}) AS times "
                   f"FROM bench_events GROUP BY lead_id) AS f GROUP BY 1")


def next_step(alias, previous, kind):
    return (f"LEFT JOIN LATERAL (SELECT min(x.occurred_at) AS at FROM bench_events AS x "
            f"WHERE x.lead_id = a.lead_id AND x.event_type = '{kind}' "
            f"AND x.occurred_at >= {previous}.at AND x.occurred_at <= a.at + {WINDOW}) AS {alias} ON true")


PER_LEAD_SQL = f"""SELECT l.lead_id, coalesce(f.level, 0) AS level
FROM (SELECT DISTINCT lead_id FROM bench_events) AS l
LEFT JOIN (SELECT a.lead_id, max(CASE WHEN d.at IS NOT NULL THEN 4 WHEN c.at IS NOT NULL THEN 3
                                      WHEN b.at IS NOT NULL THEN 2 ELSE 1 END) AS level
           FROM (SELECT lead_id, occurred_at AS at FROM bench_events WHERE event_type = 'blog_view') AS a
           {next_step('b', 'a', 'pricing_view')}
           {next_step('c', 'b', 'demo_view')}
           {next_step('d', 'c', 'chat')}
           GROUP BY a.lead_id) AS f USING (lead_id)"""
PLAIN_SQL = f"SELECT level, count(*) FROM ({PER_LEAD_SQL}) AS f GROUP BY level"
PLAIN_SQL_FILTERED = PLAIN_SQL.replace(
    "(SELECT DISTINCT lead_id FROM bench_events)",
    f"(SELECT DISTINCT lead_id FROM bench_events WHERE event_type IN {FUNNEL_TYPES})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args()
    cursor = harness.connect().cursor()
    cursor.execute("SET max_parallel_workers_per_gather = 0")
    cursor.execute("SET work_mem = '2GB'")
    cursor.execute("CREATE INDEX IF NOT EXISTS bench_events_funnel "
                   "ON bench_events (lead_id, event_type, occurred_at)")
    cursor.execute("ANALYZE bench_events")
    cursor.execute("SELECT count(*), count(DISTINCT lead_id) FROM bench_events")
    events, leads = cursor.fetchone()
    cursor.execute("SELECT max(n), avg(n)::numeric(8,2) FROM (SELECT count(*) AS n FROM bench_events "
                   "WHERE event_type IN ('blog_view', 'pricing_view', 'demo_view', 'chat') "
                   "GROUP BY lead_id) AS g")
    largest, average = cursor.fetchone()
    print(f"Window funnels: {events} events of {leads} leads; blog_view -> pricing_view -> "
          f"demo_view -> chat within 30 days; serial unless said")
    state = 128  # a 32-byte header and 16 bytes per row, from 128 bytes, doubling
    while state < 32 + 16 * largest:
        state *= 2
    print(f"  state per lead: a 32-byte header and 16 bytes per matching event, 128 bytes at "
          f"least, doubling; largest group {largest} events ({state} bytes), average {average}")

    cursor.execute(f"""SELECT count(*), count(*) FILTER (WHERE p.level = s.level)
        FROM ({PER_LEAD_SQL}) AS p
        JOIN (SELECT lead_id, leadscore.window_funnel({WINDOW}, occurred_at, {STEPS}) AS level
              FROM bench_events GROUP BY lead_id) AS s USING (lead_id)""")
    compared, agreeing = cursor.fetchone()
    print(f"\nAgreement (before any timing): plain SQL gives the same level for {agreeing} of "
          f"{compared} leads")
    cursor.execute(LEADSCORE + " ORDER BY level")
    print("  levels: " + ", ".join(f"{level}: {count}" for level, count in cursor.fetchall()))

    cursor.execute(LEADSCORE_FILTERED + " EXCEPT " + PLAIN_SQL_FILTERED)
    print(f"  filtered to the funnel's events: {cursor.rowcount} level counts differ from plain SQL's")

    class Ordered:
        """A cursor that reads the ordered variant's rows in index order."""

        def execute(self, sql):
            for setting in ORDERED_SETTINGS:
                cursor.execute(setting if sql.endswith(ORDERED_MARK)
                               else setting.split("=")[0].replace("SET", "RESET"))
            cursor.execute(sql)

        def fetchone(self):
            return cursor.fetchone()

    cursor.execute("EXPLAIN (COSTS OFF) " + LEADSCORE_ORDERED)
    plain_plan = " / ".join(row[0].strip() for row in cursor.fetchall())
    for setting in ORDERED_SETTINGS:
        cursor.execute(setting)
    cursor.execute("EXPLAIN (COSTS OFF) " + LEADSCORE_ORDERED)
    print("  in lead order: " + " / ".join(row[0].strip() for row in cursor.fetchall()))
    cursor.execute("RESET enable_hashagg")
    cursor.execute("RESET enable_sort")
    print(f"  hashed: {plain_plan}")

    medians = harness.run_case(Ordered(), [("leadscore.window_funnel", LEADSCORE),
                                        ("leadscore.window_funnel_times", LEADSCORE_TIMES),
                                        ("plain SQL, LATERAL earliest next step", PLAIN_SQL),
                                        ("leadscore, funnel events only", LEADSCORE_FILTERED),
                                        ("plain SQL, funnel events only", PLAIN_SQL_FILTERED),
                                        ("leadscore, funnel events in lead order", LEADSCORE_ORDERED)],
                               args.repetitions)
    harness.print_case("1./2. per lead", medians, baseline="leadscore.window_funnel")
    print(f"  over every event: leadscore is "
          f"{medians['plain SQL, LATERAL earliest next step'] / medians['leadscore.window_funnel']:.1f}x "
          f"faster than the plain SQL; over the funnel's events only: "
          f"{medians['plain SQL, funnel events only'] / medians['leadscore, funnel events only']:.1f}x, "
          f"in lead order from the index: "
          f"{medians['plain SQL, funnel events only'] / medians['leadscore, funnel events in lead order']:.1f}x")

    class Parallel:
        """A cursor that sets the worker count before each variant."""

        def __init__(self, workers):
            self.workers = workers

        def execute(self, sql):
            cursor.execute(f"SET max_parallel_workers_per_gather = {self.workers}")
            cursor.execute(sql)

        def fetchone(self):
            return cursor.fetchone()

    serial = harness.run_case(Parallel(0), [("serial", LEADSCORE)], args.repetitions)
    parallel = harness.run_case(Parallel(2), [("2 workers", LEADSCORE)], args.repetitions)
    harness.print_case("3. window_funnel, 2 parallel workers vs serial",
                       {**serial, **parallel}, baseline="serial")
    cursor.execute("SET max_parallel_workers_per_gather = 0")
    calibration_benchmark(cursor, args.repetitions)


CALIBRATION_SETUP = """
CREATE TABLE IF NOT EXISTS bench_calibration AS
SELECT i AS lead_id, (i * 7919 % 2000)::numeric / 10 AS score,
       (i * 104729 % 1000) < (i * 7919 % 2000) / 4 AS converted
FROM generate_series(1::bigint, 1000000) AS i"""

SQL_AUC = """WITH s AS (SELECT score, count(*) FILTER (WHERE converted) AS p,
                          count(*) FILTER (WHERE NOT converted) AS n
                   FROM bench_calibration GROUP BY score),
     c AS (SELECT p, n, coalesce(sum(n) OVER (ORDER BY score ROWS BETWEEN UNBOUNDED PRECEDING
                                                            AND 1 PRECEDING), 0) AS n_below FROM s)
SELECT sum(p * (n_below + 0.5 * n))::float8 / (sum(p) * sum(n))::float8 FROM c"""

SQL_THRESHOLD = """WITH s AS (SELECT score, count(*) AS leads, count(*) FILTER (WHERE converted) AS conv
                   FROM bench_calibration GROUP BY score),
     c AS (SELECT score, sum(leads) OVER (ORDER BY score DESC) AS leads_above,
                  sum(conv) OVER (ORDER BY score DESC) AS conv_above FROM s)
SELECT min(score) FROM c WHERE conv_above >= 0.4 * leads_above"""


def calibration_benchmark(cursor, repetitions):
    cursor.execute(CALIBRATION_SETUP)
    cursor.execute("ANALYZE bench_calibration")
    cursor.execute("SELECT leadscore.score_auc(score::float8, converted), "
                   "leadscore.recommend_threshold(score, converted, 0.4) FROM bench_calibration")
    auc, threshold = cursor.fetchone()
    cursor.execute(SQL_AUC)
    sql_auc = cursor.fetchone()[0]
    cursor.execute(SQL_THRESHOLD)
    sql_threshold = cursor.fetchone()[0]
    print(f"\n4. Calibration, 1,000,000 leads, 2,000 distinct scores: AUC {auc:.12f} "
          f"(SQL {sql_auc:.12f}), threshold for 40%: {threshold} (SQL {sql_threshold})")
    medians = harness.run_case(cursor, [
        ("leadscore.score_auc", "SELECT leadscore.score_auc(score::float8, converted) FROM bench_calibration"),
        ("SQL AUC (counts per score, window sum)", SQL_AUC),
        ("leadscore.recommend_threshold",
         "SELECT leadscore.recommend_threshold(score, converted, 0.4) FROM bench_calibration"),
        ("SQL threshold (counts per score, window sums)", SQL_THRESHOLD)], repetitions)
    harness.print_case("   times", medians, baseline="leadscore.score_auc")
    print(f"  score_auc {medians['SQL AUC (counts per score, window sum)'] / medians['leadscore.score_auc']:.2f}x "
          f"as fast as the SQL; recommend_threshold "
          f"{medians['SQL threshold (counts per score, window sums)'] / medians['leadscore.recommend_threshold']:.2f}x "
          f"as fast as the SQL (above 1: leadscore faster)")


if __name__ == "__main__":
    main()
