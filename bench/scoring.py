"""leadscore's scoring engine against what a team writes without it: plain SQL
and PL/pgSQL aggregates. Needs bench/generate_events.sql loaded.

1. engagement_score('default') per lead against SUM(CASE event_type ...) with
   the inactivity CASE (serial), and count(*) per lead: what the grouping
   alone costs, the floor under every aggregate here; 1b. the same, with the PL/pgSQL
   aggregate of case 3, over the events read in lead order (a copy clustered by lead,
   GroupAggregate over its index).
   --only-ordered runs just these two.
2. engagement_score over a decay model (bench_decay: half-lives, caps, floors,
   frequency rules, inactivity) against the same maths in plain SQL, as a
   two-level aggregation (per lead and type, then per lead) and as one pass
   per lead with a FILTER per type (serial).
3. PL/pgSQL aggregates (PL/pgSQL transition and final functions) for both
   models against engagement_score (serial; fewer rounds for the decay
   model: it is slow), with the floor again: the ratio printed for it is
   the most any aggregate could reach against PL/pgSQL on this grouping.
4. engagement_score serial against 2 parallel workers, per lead and over the
   whole table (plain SQL alongside, for what parallelism does to a built-in
   aggregate with the same groups).
5. fit_score('default') against a CASE over the jsonb attributes.
6. Fit on write: 200,000 leads inserted into a table attached with
   fit_attributes (the trigger computes fit and the total), against
   the same table attached without them plus a PL/pgSQL BEFORE trigger
   computing the same with fit_score(jsonb_build_object(...)), and against
   the attachment without fit (the base); then an UPDATE of every lead's
   employee count (fit computed again, the total moved). Both write the same
   columns (checked before timing). --only-fit runs just this.

Before any timing, every competitor is checked against leadscore lead by lead;
a competitor that does not compute the same scores is reported, not timed as
if it did. Scores are at a fixed as_of, 2025-01-01 00:00 UTC."""

import argparse
import json

import psycopg2

import harness

AS_OF = "timestamptz '2025-01-01 00:00:00+00'"
AS_OF_EPOCH = 1735689600  # the same instant, seconds since 1970-01-01 UTC

DEFAULT_POINTS = [("email_open", 2), ("email_click", 5), ("blog_view", 3), ("pricing_view", 15),
                  ("demo_view", 20), ("content_download", 8), ("video_75", 10), ("chat", 20),
                  ("webinar_attended", 25)]

# ---------------------------------------------------------------------------
# The default model
# ---------------------------------------------------------------------------

LEADSCORE_DEFAULT = (
    "SELECT lead_id, leadscore.engagement_score('default', event_type, occurred_at, "
    f"{AS_OF}) AS score FROM bench_events GROUP BY lead_id")


def sql_default():
    """SUM(CASE ...) plus the inactivity CASE: the hand-written query."""
    points = " ".join(f"WHEN '{kind}' THEN {value}" for kind, value in DEFAULT_POINTS)
    scored = ", ".join(f"'{kind}'" for kind, _ in DEFAULT_POINTS)
    return (
        f"SELECT lead_id, "
        f"coalesce(sum(CASE event_type {points} END) FILTER (WHERE occurred_at <= {AS_OF}), 0)"
        f" + CASE WHEN coalesce({AS_OF} - max(occurred_at) FILTER (WHERE occurred_at <= {AS_OF}"
        f" AND event_type IN ({scored})) >= interval '30 days', true) THEN -10 ELSE 0 END"
        f" AS score FROM bench_events GROUP BY lead_id")


# What grouping the events by lead costs by itself: the floor under any
# aggregate over them, leadscore's, SUM(CASE)'s or PL/pgSQL's.
GROUPING_FLOOR = "SELECT lead_id, count(*) FROM bench_events GROUP BY lead_id"

PLPGSQL_DEFAULT = (
    f"SELECT lead_id, plpgsql_engagement_default(event_type, occurred_at, {AS_OF}) AS score "
    f"FROM bench_events GROUP BY lead_id")

# ---------------------------------------------------------------------------
# The decay model (bench_decay; bench_decay_rules holds its event rules)
# ---------------------------------------------------------------------------

LEADSCORE_DECAY = (
    "SELECT lead_id, leadscore.engagement_score('bench_decay', event_type, occurred_at, "
    f"{AS_OF}) AS score FROM bench_events GROUP BY lead_id")

PLPGSQL_DECAY = (
    f"SELECT lead_id, plpgsql_engagement_decay(event_type, occurred_at, {AS_OF}) AS score "
    f"FROM bench_events GROUP BY lead_id")

# The model's groups, frequency rules, inactivity and total cap, as the SQL
# formulations write them (the event rules come from bench_decay_rules).
GROUP_BOUNDS = {"email": (0, 20), "web": (None, 60), "events": (None, 50)}  # (floor, cap)
FREQUENCY = [  # (types, window column, at least, points, group)
    (("site_visit", "blog_view"), "within_30", 3, 15, "web"),
    (("pricing_view", "demo_view"), "within_14", 2, 10, None),
]
TOTAL_CAP = 150


def bounded(expression, floor, cap):
    if cap is not None:
        expression = f"least({expression}, {cap})"
    if floor is not None:
        expression = f"greatest({expression}, {floor})"
    return expression


def decay_total(group_points, frequency_count, last_activity):
    """The per-lead total from per-group sums of type points (SQL expressions
    by group name, None for ungrouped), frequency counts and last activity."""
    extra = {name: [] for name in list(GROUP_BOUNDS) + [None]}
    for types, window, at_least, points, group in FREQUENCY:
        extra[group].append(f"CASE WHEN {frequency_count(types, window)} >= {at_least} "
                            f"THEN {points} ELSE 0 END")
    extra[None].append(f"CASE WHEN {last_activity} IS NULL OR {AS_OF} - {last_activity} "
                       f">= interval '30 days' THEN -10 ELSE 0 END")
    terms = [" + ".join([group_points(None)] + extra[None])]
    for name, (floor, cap) in GROUP_BOUNDS.items():
        terms.append(bounded(" + ".join([group_points(name)] + extra[name]), floor, cap))
    return bounded("\n       + ".join(terms), None, TOTAL_CAP)


def sql_decay_two_level():
    """Per lead and event type (joined to the rules table): decayed points,
    counts in the frequency windows, last activity; then per lead: type
    points rounded and bounded, groups bounded, frequency, inactivity."""
    per_type = f"""
    SELECT e.lead_id, r.event_type, r.grp, r.type_cap, r.type_floor,
           sum(r.points * power(0.5, ({AS_OF_EPOCH} - date_part('epoch', e.occurred_at))
                                     / r.half_life_seconds)) AS decayed,
           count(r.event_type) AS events,
           count(r.event_type) FILTER (WHERE e.occurred_at >= {AS_OF} - interval '30 days')
               AS within_30,
           count(r.event_type) FILTER (WHERE e.occurred_at >= {AS_OF} - interval '14 days')
               AS within_14,
           max(e.occurred_at) FILTER (WHERE r.event_type IS NOT NULL) AS last_activity
    FROM bench_events e
    LEFT JOIN bench_decay_rules r ON r.event_type = e.event_type AND e.occurred_at <= {AS_OF}
    GROUP BY e.lead_id, r.event_type"""

    def group_points(name):
        where = "grp IS NULL AND event_type IS NOT NULL" if name is None else f"grp = '{name}'"
        return f"coalesce(sum(type_points) FILTER (WHERE {where}), 0)"

    def frequency_count(types, window):
        listed = ", ".join(f"'{kind}'" for kind in types)
        return f"coalesce(sum({window}) FILTER (WHERE event_type IN ({listed})), 0)"

    total = decay_total(group_points, frequency_count, "max(last_activity)")
    return f"""SELECT lead_id, {total} AS score
FROM (SELECT per_type.*,
             CASE WHEN events > 0 THEN greatest(least(round(decayed::numeric, 2), type_cap),
                                                type_floor) END AS type_points
      FROM ({per_type}) AS per_type) AS typed
GROUP BY lead_id"""


def sql_decay_one_pass(rules):
    """One aggregation per lead: a sum and a count per event type (FILTER),
    the frequency counts and the last activity; the rules are written into
    the query (generated here from bench_decay_rules)."""
    aggregates, type_points = [], {}
    known = ", ".join(f"'{r['event_type']}'" for r in rules)
    for i, r in enumerate(rules):
        kind = f"event_type = '{r['event_type']}'"
        aggregates.append(
            f"sum({r['points']} * power(0.5, ({AS_OF_EPOCH} - date_part('epoch', occurred_at))"
            f" / {r['half_life_seconds']})) FILTER (WHERE {kind} AND occurred_at <= {AS_OF})"
            f" AS d{i}")
        aggregates.append(f"count(*) FILTER (WHERE {kind} AND occurred_at <= {AS_OF}) AS n{i}")
        value = bounded(f"round(d{i}::numeric, 2)", r["type_floor"], r["type_cap"])
        type_points.setdefault(r["grp"], []).append(f"CASE WHEN n{i} > 0 THEN {value} ELSE 0 END")
    for types, window, _, _, _ in FREQUENCY:
        listed = ", ".join(f"'{kind}'" for kind in types)
        days = window.split("_")[1]
        aggregates.append(
            f"count(*) FILTER (WHERE event_type IN ({listed}) AND occurred_at <= {AS_OF} "
            f"AND occurred_at >= {AS_OF} - interval '{days} days') AS f_{window}")
    aggregates.append(f"max(occurred_at) FILTER (WHERE event_type IN ({known}) "
                      f"AND occurred_at <= {AS_OF}) AS last_activity")

    def group_points(name):
        return " + ".join(type_points.get(name, ["0"]))

    total = decay_total(group_points, lambda types, window: f"f_{window}", "last_activity")
    newline = ",\n             "
    return f"""SELECT lead_id, {total} AS score
FROM (SELECT lead_id,
             {newline.join(aggregates)}
      FROM bench_events GROUP BY lead_id) AS per_lead"""


def decay_rules(cursor):
    cursor.execute("SELECT row_to_json(r) FROM bench_decay_rules r ORDER BY event_type")
    rules = []
    for (row,) in cursor.fetchall():
        row = row if isinstance(row, dict) else json.loads(row)
        rules.append(row)
    return rules


# ---------------------------------------------------------------------------
# Parallel
# ---------------------------------------------------------------------------

SERIAL = "/* serial */ "
PARALLEL = "/* 2 workers */ "
SERIAL_SETTINGS = ["SET max_parallel_workers_per_gather = 0"]
PARALLEL_SETTINGS = ["SET max_parallel_workers_per_gather = 2",
                     "SET parallel_setup_cost = 10", "SET parallel_tuple_cost = 0.001",
                     "SET min_parallel_table_scan_size = 0"]
LEADSCORE_ALL_EVENTS = (
    f"SELECT leadscore.engagement_score('default', event_type, occurred_at, {AS_OF}) "
    f"FROM bench_events")


class SettingsPerVariant:
    """A cursor for harness.run_case that applies a variant's settings before
    each of its statements: the variant is recognised by the comment its SQL
    starts with. The settings are not timed (harness times the server's
    execution of the statement only)."""

    def __init__(self, cursor, settings):
        self.cursor = cursor
        self.settings = settings

    def execute(self, sql, params=None):
        for marker, statements in self.settings.items():
            if marker in sql:
                for statement in statements:
                    self.cursor.execute(statement)
                break
        return self.cursor.execute(sql, params)

    def fetchone(self):
        return self.cursor.fetchone()


# ---------------------------------------------------------------------------
# Fit
# ---------------------------------------------------------------------------

LEADSCORE_FIT = "SELECT sum(leadscore.fit_score('default', attributes)) FROM bench_scoring_leads"
FIT_CASE = """CASE leadscore.title_seniority(attributes->>'title')
        WHEN 'c_level' THEN 20 WHEN 'vp' THEN 20 WHEN 'director' THEN 10
        WHEN 'manager' THEN 10 WHEN 'individual' THEN 5 ELSE 0 END
    + least(30,
        CASE WHEN employees BETWEEN 50 AND 500 THEN 15
             WHEN employees BETWEEN 501 AND 5000 THEN 10
             WHEN employees BETWEEN 10 AND 49 THEN 5 ELSE 0 END
      + CASE WHEN lower(btrim(attributes->>'industry'))
                  IN ('software', 'saas', 'financial services', 'healthcare') THEN 10 ELSE 0 END
      + CASE WHEN lower(btrim(attributes->>'country'))
                  IN ('us', 'ca', 'gb', 'de', 'at', 'ch') THEN 5 ELSE 0 END)
    + CASE leadscore.email_kind(attributes->>'email')
        WHEN 'competitor' THEN -30 WHEN 'personal' THEN -20 WHEN 'student' THEN -20
        ELSE 0 END"""
FIT_FROM = """FROM bench_scoring_leads,
     LATERAL (SELECT nullif(btrim(attributes->>'employees'), '')::numeric AS employees) AS size"""
SQL_FIT = f"SELECT sum({FIT_CASE}) {FIT_FROM}"


# ---------------------------------------------------------------------------
# Checks and plans
# ---------------------------------------------------------------------------

def check_same(cursor, title, reference, candidate, tolerance_per_type=None):
    """Compares two (lead_id, score) queries lead by lead; returns the number
    of leads that differ (beyond the tolerance, when one is given: that many
    points per event type the lead has)."""
    tolerance = ""
    if tolerance_per_type is not None:
        tolerance = f"""
        LEFT JOIN (SELECT lead_id, count(DISTINCT e.event_type) AS types
                   FROM bench_events e JOIN bench_decay_rules USING (event_type)
                   WHERE occurred_at <= {AS_OF} GROUP BY lead_id) AS t USING (lead_id)"""
    beyond = (f"abs(a.score - b.score) > {tolerance_per_type} * coalesce(t.types, 0)"
              if tolerance_per_type is not None else "a.score <> b.score")
    cursor.execute(f"""
        SELECT count(*),
               count(*) FILTER (WHERE a.score IS DISTINCT FROM b.score),
               count(*) FILTER (WHERE a.lead_id IS NULL OR b.lead_id IS NULL
                                OR a.score IS NULL OR b.score IS NULL OR {beyond}),
               coalesce(max(abs(a.score - b.score)), 0),
               array_agg(lead_id ORDER BY abs(a.score - b.score) DESC NULLS FIRST)
                   FILTER (WHERE a.score IS DISTINCT FROM b.score)
        FROM ({reference}) AS a FULL JOIN ({candidate}) AS b USING (lead_id){tolerance}""")
    leads, differ, beyond_count, largest, examples = cursor.fetchone()
    if tolerance_per_type is None:
        verdict = "same" if differ == 0 else f"DIFFERENT for {differ} leads"
    else:
        verdict = (f"{differ} leads differ (by at most {largest}), "
                   f"{beyond_count} by more than {tolerance_per_type} per event type")
        differ = beyond_count
    print(f"  {title:<52} {leads} leads: {verdict}")
    if differ and examples:
        print(f"    e.g. leads {examples[:5]}")
    return differ


def check_parallel(cursor):
    """engagement_score with 2 workers gives what it gives serially: per lead,
    and over the whole table."""
    failures = 0
    for title, sql in (("default: engagement_score 2 workers = serial", LEADSCORE_DEFAULT),
                       ("default: whole table, 2 workers = serial",
                        f"SELECT 0 AS lead_id, score FROM ({LEADSCORE_ALL_EVENTS}) AS s (score)")):
        results = {}
        for name, settings in (("serial", SERIAL_SETTINGS), ("parallel", PARALLEL_SETTINGS)):
            for statement in settings:
                cursor.execute(statement)
            shape = plan_shape(cursor, sql)
            if name == "parallel" and "Gather" not in shape:
                print(f"  note: no parallel plan for the check: {shape}")
            cursor.execute(f"DROP TABLE IF EXISTS scores_{name}")
            cursor.execute(f"CREATE TEMP TABLE scores_{name} AS {sql}")
            results[name] = f"SELECT * FROM scores_{name}"
        for statement in SERIAL_SETTINGS:
            cursor.execute(statement)
        failures += check_same(cursor, title, results["serial"], results["parallel"])
    cursor.execute("DROP TABLE scores_serial, scores_parallel")
    return failures


def plan_shape(cursor, sql, settings=()):
    for statement in settings:
        cursor.execute(statement)
    cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
    plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    node, parts = plan[0]["Plan"], []
    while node is not None:
        name = node["Node Type"]
        if node.get("Parallel Aware"):
            name = "Parallel " + name
        if name == "Aggregate":
            name = {"Hashed": "HashAggregate", "Sorted": "GroupAggregate",
                    "Plain": "Aggregate"}.get(node.get("Strategy"), name)
            if node.get("Partial Mode", "Simple") != "Simple":
                name = node["Partial Mode"] + " " + name
        if "Workers Planned" in node:
            name += f" ({node['Workers Planned']} workers)"
        if name not in ("Subquery Scan",):
            parts.append(name)
        children = node.get("Plans", [])
        node = children[0] if len(children) == 1 else None
        if len(children) > 1:
            parts.append("join")
    return " < ".join(parts)


def plans(cursor, variants, settings=None):
    """The plan each variant gets (EXPLAIN without ANALYZE), as lines to print."""
    settings = settings or {}
    lines = []
    for name, sql in variants:
        applied = next((s for marker, s in settings.items() if marker in sql), ())
        lines.append(f"    plan: {name:<30} {plan_shape(cursor, sql, applied)}")
    for statement in SERIAL_SETTINGS:
        cursor.execute(statement)
    return lines


def run_and_print(cursor, title, variants, repetitions, baseline, warmups=1, settings=None):
    """Runs and prints one case; a case that fails is reported and skipped
    (returns None), so that one error does not lose the other cases."""
    try:
        plan_lines = plans(cursor, variants, settings)
        runner = SettingsPerVariant(cursor, settings) if settings else cursor
        medians = harness.run_case(runner, variants, repetitions, warmups=warmups)
    except psycopg2.Error as error:
        print(f"\n{title}\n  FAILED: {str(error).strip()}")
        return None
    finally:
        for statement in SERIAL_SETTINGS:
            cursor.execute(statement)
    harness.print_case(title, medians, baseline=baseline)
    print("\n".join(plan_lines))
    return medians


def print_coverage(cursor, model):
    """Which rules of a model the data exercises, from explain_engagement: the
    equivalence checks are only as good as the cases they meet."""
    cursor.execute(f"""
        SELECT rule, count(*) FROM (
            SELECT CASE WHEN line->>'rule' LIKE 'event:%%'
                        THEN CASE WHEN line->>'detail' LIKE '%%bounded%%'
                                  THEN 'bounded ' || (line->>'rule') END
                        WHEN line->>'rule' LIKE 'group:%%' OR line->>'rule' = 'engagement'
                        THEN 'bounded ' || (line->>'rule')
                        ELSE line->>'rule' END AS rule
            FROM (SELECT leadscore.explain_engagement(%s, event_type, occurred_at, {AS_OF})
                             AS explanation
                  FROM bench_events GROUP BY lead_id) AS leads,
                 jsonb_array_elements(explanation->'rules') AS line) AS lines
        WHERE rule IS NOT NULL GROUP BY rule ORDER BY rule""", (model,))
    counts = ", ".join(f"{rule} {count}" for rule, count in cursor.fetchall())
    print(f"  rules applied in '{model}' (leads): {counts}")


def run_in_lead_order(cursor, repetitions):
    """Case 1 with the events read in lead order: a copy of the log clustered
    by lead, read through its index into a GroupAggregate, so that each lead's
    state stays in cache (in case 1 the hash table's memory traffic
    dominates)."""
    cursor.execute("SELECT to_regclass('bench_events_by_lead') IS NULL")
    if cursor.fetchone()[0]:
        cursor.execute("CREATE TABLE bench_events_by_lead AS "
                       "SELECT * FROM bench_events ORDER BY lead_id, occurred_at")
        cursor.execute("CREATE INDEX ON bench_events_by_lead (lead_id)")
        cursor.execute("ANALYZE bench_events_by_lead")
    for statement in ("SET enable_hashagg = off", "SET enable_sort = off"):
        cursor.execute(statement)
    medians = run_and_print(
        cursor, "default model per lead, events read in lead order (GroupAggregate over the "
                "index of a copy clustered by lead, serial)",
        [(name, sql.replace("bench_events", "bench_events_by_lead"))
         for name, sql in (("leadscore", LEADSCORE_DEFAULT),
                           ("SUM(CASE) + inactivity CASE", sql_default()),
                           ("PL/pgSQL aggregate", PLPGSQL_DEFAULT),
                           ("floor: count(*) per lead", GROUPING_FLOOR))],
        repetitions, baseline="leadscore")
    if medians:
        # Without the hash table's cache misses the grouping is cheap, and
        # what is left is mostly the aggregates' own work per event.
        plpgsql = medians["PL/pgSQL aggregate"]
        print(f"  in lead order leadscore is {plpgsql / medians['leadscore']:.2f}x as fast as "
              f"the PL/pgSQL aggregate (an aggregate costing nothing per event: "
              f"{plpgsql / medians['floor: count(*) per lead']:.2f}x)")
    for statement in ("RESET enable_hashagg", "RESET enable_sort"):
        cursor.execute(statement)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--slow-repetitions", type=int, default=3,
                        help="rounds for the slow cases, the decay model in plain SQL and "
                             "in PL/pgSQL (default 3, no warm-up round)")
    parser.add_argument("--only-ordered", action="store_true",
                        help="stop after the cases of the default model (1 and 1b)")
    parser.add_argument("--only-fit", action="store_true",
                        help="run only case 6, fit on write")
    args = parser.parse_args()
    with harness.connect() as connection, connection.cursor() as cursor:
        cursor.execute("SET TimeZone = 'UTC'")
        cursor.execute("SET work_mem = '2GB'")
        for statement in SERIAL_SETTINGS:
            cursor.execute(statement)
        cursor.execute("SELECT (SELECT count(*) FROM bench_scoring_leads), count(*), "
                       "count(DISTINCT lead_id), version(), current_setting('jit'), "
                       "(SELECT extversion FROM pg_extension WHERE extname = 'leadscore') "
                       "FROM bench_events")
        leads, events, active, version, jit, extversion = cursor.fetchone()
        print(f"leadscore {extversion} scoring engine: {leads} leads, {events} events "
              f"({active} leads with events), median of {args.repetitions} rotated rounds "
              f"({args.slow_repetitions} without warm-up for the slow decay-model "
              f"cases), server execution time\n{version}\nwork_mem 2GB, jit {jit}, "
              f"as_of {AS_OF}")

        if args.only_fit:
            fit_on_write(cursor, args.repetitions)
            return
        if args.only_ordered:
            run_and_print(
                cursor, f"default model per lead, GROUP BY lead_id over {events} events (serial)",
                [("leadscore", LEADSCORE_DEFAULT), ("SUM(CASE) + inactivity CASE", sql_default())],
                args.repetitions, baseline="leadscore")
            run_in_lead_order(cursor, args.repetitions)
            return

        rules = decay_rules(cursor)
        sql_decay_2 = sql_decay_two_level()
        sql_decay_1 = sql_decay_one_pass(rules)

        print("\nequivalence with leadscore, lead by lead (before any timing)")
        failures = 0
        failures += check_same(cursor, "default: SUM(CASE) + inactivity CASE",
                               LEADSCORE_DEFAULT, sql_default())
        failures += check_same(cursor, "default: PL/pgSQL aggregate",
                               LEADSCORE_DEFAULT, PLPGSQL_DEFAULT)
        failures += check_same(cursor, "decay: plain SQL, two-level", LEADSCORE_DECAY,
                               sql_decay_2, tolerance_per_type=0.01)
        failures += check_same(cursor, "decay: plain SQL, one pass", LEADSCORE_DECAY,
                               sql_decay_1, tolerance_per_type=0.01)
        failures += check_same(cursor, "decay: PL/pgSQL aggregate", LEADSCORE_DECAY,
                               PLPGSQL_DECAY, tolerance_per_type=0.01)
        failures += check_parallel(cursor)
        cursor.execute(f"""SELECT count(*), count(*) FILTER (WHERE
                               leadscore.fit_score('default', attributes)
                               IS DISTINCT FROM ({FIT_CASE})),
                           sum(leadscore.fit_score('default', attributes))
                           {FIT_FROM}""")
        fit_leads, fit_differ, fit_sum = cursor.fetchone()
        print(f"  {'fit: CASE over jsonb':<52} {fit_leads} leads: "
              + ("same" if fit_differ == 0 else f"DIFFERENT for {fit_differ} leads")
              + f" (sum of fit scores {fit_sum})")
        failures += fit_differ
        print_coverage(cursor, "default")
        print_coverage(cursor, "bench_decay")
        if failures:
            print("  WARNING: some competitors do not compute the same scores; their times "
                  "below compare different work")

        # 1. The default model, serial, with the grouping alone for scale.
        run_and_print(
            cursor, f"default model per lead, GROUP BY lead_id over {events} events (serial)",
            [("leadscore", LEADSCORE_DEFAULT), ("SUM(CASE) + inactivity CASE", sql_default()),
             ("floor: count(*) per lead", GROUPING_FLOOR)],
            args.repetitions, baseline="leadscore")

        # 1b. The same with the events read in lead order.
        run_in_lead_order(cursor, args.repetitions)

        # 2. The decay model, serial; slow, so fewer rounds and no warm-up round
        # (the checks above have just read the same data).
        run_and_print(
            cursor, f"decay model per lead (half-lives, caps, floors, frequency, inactivity) "
                    f"over {events} events (serial)",
            [("leadscore", LEADSCORE_DECAY), ("plain SQL, two-level", sql_decay_2),
             ("plain SQL, one pass (FILTER)", sql_decay_1)],
            args.slow_repetitions, baseline="leadscore", warmups=0)

        # 3. PL/pgSQL aggregates, serial, with the grouping alone: the ratio an
        # aggregate costing nothing per event would reach. The default model
        # gets the full rounds and a warm-up (its PL/pgSQL aggregate takes
        # about 25 s), the decay model the slow rounds without warm-up.
        for model, ours, theirs, rounds, warmups in (
                ("default", LEADSCORE_DEFAULT, PLPGSQL_DEFAULT, args.repetitions, 1),
                ("decay", LEADSCORE_DECAY, PLPGSQL_DECAY, args.slow_repetitions, 0)):
            medians = run_and_print(
                cursor, f"{model} model per lead: leadscore vs a PL/pgSQL aggregate (serial)",
                [("leadscore", ours), ("PL/pgSQL aggregate", theirs),
                 ("floor: count(*) per lead", GROUPING_FLOOR)],
                rounds, baseline="leadscore", warmups=warmups)
            if medians:
                plpgsql = medians["PL/pgSQL aggregate"]
                print(f"  leadscore is {plpgsql / medians['leadscore']:.2f}x as fast as the "
                      f"PL/pgSQL aggregate (an aggregate costing nothing per event: "
                      f"{plpgsql / medians['floor: count(*) per lead']:.2f}x)")

        # 4. Parallel: the same statements with max_parallel_workers_per_gather
        # 0 and 2 (and parallel costs lowered, so that the planner takes them).
        settings = {SERIAL: SERIAL_SETTINGS, PARALLEL: PARALLEL_SETTINGS}
        run_and_print(
            cursor, "default model per lead (GROUP BY lead_id), serial vs 2 parallel workers",
            [("leadscore serial", SERIAL + LEADSCORE_DEFAULT),
             ("leadscore 2 workers", PARALLEL + LEADSCORE_DEFAULT),
             ("SUM(CASE) serial", SERIAL + sql_default()),
             ("SUM(CASE) 2 workers", PARALLEL + sql_default())],
            args.repetitions, baseline="leadscore serial", settings=settings)
        run_and_print(
            cursor, f"default model over all {events} events (one group), serial vs 2 "
                    f"parallel workers",
            [("leadscore serial", SERIAL + LEADSCORE_ALL_EVENTS),
             ("leadscore 2 workers", PARALLEL + LEADSCORE_ALL_EVENTS)],
            args.repetitions, baseline="leadscore serial", settings=settings)

        # 5. Fit.
        medians = run_and_print(
            cursor, f"fit score of {leads} leads, sum(fit) (serial)",
            [("leadscore fit_score", LEADSCORE_FIT), ("CASE over jsonb", SQL_FIT)],
            args.repetitions, baseline="leadscore fit_score")
        for name, ms in (medians or {}).items():
            print(f"  {name:<34} {leads / (ms / 1000):12,.0f} leads/s")

        # 6. Fit on write.
        fit_on_write(cursor, args.repetitions)


FIT_TABLES = {
    "leadscore fit_attributes": "bench_fit_leadscore",
    "leadscore + PL/pgSQL fit trigger": "bench_fit_plpgsql",
    "leadscore without fit (base)": "bench_fit_base",
}
FIT_COLUMNS = ("id bigint PRIMARY KEY, stage text, title text, employees integer, industry text, "
               "country text, email text, fit integer, engagement numeric, score numeric")
FIT_SETUP = f"""
DROP TABLE IF EXISTS bench_fit_source, bench_fit_leadscore, bench_fit_plpgsql, bench_fit_base;
CREATE TABLE bench_fit_source AS
SELECT id, attributes ->> 'title' AS title,
       CASE WHEN attributes ->> 'employees' ~ '^ *[0-9]{{1,9}} *$'
            THEN trim(attributes ->> 'employees')::integer END AS employees,
       attributes ->> 'industry' AS industry, attributes ->> 'country' AS country,
       attributes ->> 'email' AS email
FROM bench_scoring_leads WHERE id <= 200000;
CREATE TABLE bench_fit_leadscore ({FIT_COLUMNS});
CREATE TABLE bench_fit_plpgsql ({FIT_COLUMNS});
CREATE TABLE bench_fit_base ({FIT_COLUMNS});
SELECT leadscore.attach('bench_fit_leadscore', '{{"stage_column": "stage", "score_column": "score",
  "fit_column": "fit", "engagement_column": "engagement", "fit_attributes": {{"title": "title",
  "employees": "employees", "industry": "industry", "country": "country", "email": "email"}}}}');
SELECT leadscore.attach(t, '{{"stage_column": "stage", "score_column": "score", "fit_column": "fit",
  "engagement_column": "engagement"}}')
FROM unnest(ARRAY['bench_fit_plpgsql', 'bench_fit_base']::regclass[]) AS t;
-- What a team writes without fit_attributes: fit_score over the row's
-- attributes, the total from it, the same rules as leadscore's trigger
-- (no events tables here: the engagement column is the application's, NULL
-- counting 0).
CREATE OR REPLACE FUNCTION bench_fit_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    new_fit integer := leadscore.fit_score('default', jsonb_build_object(
        'title', NEW.title, 'employees', NEW.employees, 'industry', NEW.industry,
        'country', NEW.country, 'email', NEW.email));
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.score := coalesce(NEW.score, new_fit + coalesce(NEW.engagement, 0));
    ELSIF NEW.score IS NOT DISTINCT FROM OLD.score AND OLD.score IS NOT NULL THEN
        NEW.score := OLD.score + new_fit - coalesce(OLD.fit, new_fit);
    END IF;
    NEW.fit := new_fit;
    RETURN NEW;
END
$$;
CREATE TRIGGER fit BEFORE INSERT OR UPDATE OF title, employees, industry, country, email
    ON bench_fit_plpgsql FOR EACH ROW EXECUTE FUNCTION bench_fit_trigger();
"""
FIT_INSERT = ("INSERT INTO {table} (id, stage, title, employees, industry, country, email) "
              "SELECT id, 'lead', title, employees, industry, country, email FROM bench_fit_source")
FIT_UPDATE = "UPDATE {table} SET employees = employees + 1"


def fit_on_write(cursor, repetitions):
    cursor.execute(FIT_SETUP)
    # (main's `with connection` opened a transaction, which psycopg2 does
    # even in autocommit mode: end it, so that the rolled-back rounds below
    # do not take the tables with them)
    cursor.connection.commit()
    cursor.execute("SELECT count(*) FROM bench_fit_source")
    rows = cursor.fetchone()[0]
    # Agreement first: the same fit, engagement and total in every row,
    # after the INSERT and after the UPDATE.
    cursor.execute("BEGIN")
    differing = []
    for statement in (FIT_INSERT, FIT_UPDATE):
        for table in ("bench_fit_leadscore", "bench_fit_plpgsql"):
            cursor.execute(statement.format(table=table))
        cursor.execute("SELECT count(*) FROM bench_fit_leadscore AS l JOIN bench_fit_plpgsql AS p "
                       "USING (id) WHERE (l.fit, l.engagement, l.score) IS DISTINCT FROM "
                       "(p.fit, p.engagement, p.score)")
        differing.append(cursor.fetchone()[0])
    cursor.execute("ROLLBACK")
    print(f"\nfit on write, {rows} leads: the PL/pgSQL trigger writes different fit, engagement "
          f"or total in {differing[0]} rows after the INSERT, {differing[1]} after the UPDATE")
    cleanup = {name: f"VACUUM {table}" for name, table in FIT_TABLES.items()}
    inserts = [(name, FIT_INSERT.format(table=table)) for name, table in FIT_TABLES.items()]
    medians = harness.run_case(cursor, inserts, repetitions, rolled_back=True, cleanup=cleanup)
    harness.print_case(f"INSERT of {rows} leads with their attributes", medians,
                       baseline="leadscore + PL/pgSQL fit trigger")
    print_fit_cost(medians, rows)
    updates = [(name, FIT_UPDATE.format(table=table)) for name, table in FIT_TABLES.items()]
    setup = {name: FIT_INSERT.format(table=table) for name, table in FIT_TABLES.items()}
    medians = harness.run_case(cursor, updates, repetitions, rolled_back=True, cleanup=cleanup,
                               setup=setup)
    harness.print_case(f"UPDATE of every lead's employee count ({rows} rows)", medians,
                       baseline="leadscore + PL/pgSQL fit trigger")
    print_fit_cost(medians, rows)


def print_fit_cost(medians, rows):
    harness.print_own_cost(medians, rows, "fit", "leadscore fit_attributes",
                           "leadscore + PL/pgSQL fit trigger", "leadscore without fit (base)")


if __name__ == "__main__":
    main()
