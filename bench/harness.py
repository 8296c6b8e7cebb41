"""Runs competing SQL formulations against each other and prints medians and ratios.

Each benchmark is a list of cases; a case is a name and a list of variants
(name, SQL). Every repetition runs every variant once, in an order that
rotates each time, so that caches, checkpoints and the neighbour's load hit all
variants alike. Time is the server's own execution time (EXPLAIN ANALYZE with
TIMING OFF), so the client and the network do not count.
"""

import json
import statistics

import psycopg2


def connect(dsn=""):
    connection = psycopg2.connect(dsn)
    connection.autocommit = True
    return connection


def execution_ms(cursor, sql, rolled_back=False, cleanup=None, setup=None):
    """Server execution time of `sql`, AFTER triggers included. With
    rolled_back, the statement runs in a transaction that is rolled back, so
    that a write leaves the data as it was; `setup` (untimed) runs in that
    transaction first, `cleanup` (untimed) after it."""
    if rolled_back:
        cursor.execute("BEGIN")
        if setup:
            cursor.execute(setup)
    cursor.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + sql)
    plan = cursor.fetchone()[0]
    if rolled_back:
        cursor.execute("ROLLBACK")
    if cleanup:
        cursor.execute(cleanup)
    if isinstance(plan, str):
        plan = json.loads(plan)
    return plan[0]["Execution Time"]


def run_case(cursor, variants, repetitions, warmups=1, rolled_back=False, cleanup=None,
             setup=None):
    """Returns {variant name: median ms} over `repetitions` rotated rounds.
    `cleanup` and `setup`, if given, map a variant name to untimed SQL run
    after it and (rolled_back only) before it in its transaction."""
    cleanup = cleanup or {}
    setup = setup or {}

    def run(name, sql):
        return execution_ms(cursor, sql, rolled_back, cleanup.get(name), setup.get(name))

    for _ in range(warmups):
        for name, sql in variants:
            run(name, sql)
    times = {name: [] for name, _ in variants}
    for round_number in range(repetitions):
        shift = round_number % len(variants)
        for name, sql in variants[shift:] + variants[:shift]:
            times[name].append(run(name, sql))
    return {name: statistics.median(samples) for name, samples in times.items()}


def print_case(title, medians, baseline):
    """Prints one case; ratios are time / baseline's time (below 1 is faster)."""
    print(f"\n{title}")
    base = medians[baseline]
    for name, ms in medians.items():
        ratio = ms / base if base > 0 else float("nan")
        print(f"  {name:<34} {ms:10.1f} ms   {ratio:6.2f}x of {baseline}")


def run_all(cursor, cases, repetitions, baseline):
    results = {}
    for title, variants in cases:
        medians = run_case(cursor, variants, repetitions)
        print_case(title, medians, baseline)
        results[title] = medians
    return results


def print_own_cost(medians, rows, what, ours, theirs, base):
    """Prints what `what` costs per row in `ours` and in `theirs` over the
    variant `base` that does neither (medians in ms, as run_case gives)."""
    ours_us = (medians[ours] - medians[base]) * 1000 / rows
    theirs_us = (medians[theirs] - medians[base]) * 1000 / rows
    print(f"  {what}'s own cost per row: leadscore {ours_us:.1f} us, PL/pgSQL {theirs_us:.1f} us "
          f"({theirs_us / ours_us:.2f}x)")
