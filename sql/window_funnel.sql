-- Window funnels: ClickHouse windowFunnel semantics for every mode (cases
-- written from its documentation), the times of each step, equal
-- timestamps, NULLs, bad arguments, corrupted states, parallel plans.
SET TimeZone = 'UTC';
CREATE TABLE funnel_events (lead int, kind text, at timestamptz);
-- Lead 1: visit, signup, demo, purchase within a day.
-- Lead 2: visit, then signup two days later (outside a 1-day window).
-- Lead 3: demo before signup (out of order).
-- Lead 4: never visited.
-- Lead 5: two tries; the second one completes.
INSERT INTO funnel_events VALUES
    (1, 'visit', '2025-03-03 09:00'), (1, 'signup', '2025-03-03 09:30'), (1, 'demo', '2025-03-03 14:00'),
    (1, 'purchase', '2025-03-04 08:00'),
    (2, 'visit', '2025-03-03 09:00'), (2, 'signup', '2025-03-05 09:00'),
    (3, 'visit', '2025-03-03 09:00'), (3, 'demo', '2025-03-03 10:00'), (3, 'signup', '2025-03-03 11:00'),
    (4, 'signup', '2025-03-03 09:00'), (4, 'demo', '2025-03-03 10:00'),
    (5, 'visit', '2025-03-01 09:00'), (5, 'signup', '2025-03-01 10:00'),
    (5, 'visit', '2025-03-10 09:00'), (5, 'signup', '2025-03-10 09:10'), (5, 'demo', '2025-03-10 09:20'),
    (5, 'purchase', '2025-03-10 09:30');
SELECT lead,
       leadscore.window_funnel('1 day', at, kind = 'visit', kind = 'signup', kind = 'demo', kind = 'purchase') AS level,
       leadscore.window_funnel_times('1 day', at, kind = 'visit', kind = 'signup', kind = 'demo', kind = 'purchase') AS times
FROM funnel_events GROUP BY lead ORDER BY lead;
-- The window is inclusive: the purchase 23 hours after the visit counts in
-- a 23-hour window, not in one a second shorter.
SELECT leadscore.window_funnel('23 hours', at, kind = 'visit', kind = 'signup', kind = 'demo', kind = 'purchase') AS within_23h,
       leadscore.window_funnel('22:59:59', at, kind = 'visit', kind = 'signup', kind = 'demo', kind = 'purchase') AS within_22h59m59s
FROM funnel_events WHERE lead = 1;

-- Every mode, on event sequences A, B, C, D one minute apart (letters are
-- steps 1 to 4; x is an event that matches no step).
CREATE FUNCTION funnel_of(sequence text, modes text, "window" interval DEFAULT '1 hour')
RETURNS integer LANGUAGE sql AS $$
    SELECT leadscore.window_funnel("window", modes, timestamptz '2025-01-01' + i * interval '1 minute',
                                   e = 'A', e = 'B', e = 'C', e = 'D')
    FROM unnest(string_to_array(sequence, '-')) WITH ORDINALITY AS s(e, i)
$$;
SELECT sequence, modes, funnel_of(sequence, modes) AS level
FROM (VALUES
    -- default: other events may come in between; repeats are fine
    ('A-B-C-D', ''), ('A-x-B-x-C', ''), ('D-C-B-A', ''), ('A-B-C-B-D', ''), ('B-C-D', ''),
    -- strict_deduplication: ClickHouse's example, A-B-C-B-D stops at the repeated B
    ('A-B-C-B-D', 'strict_deduplication'), ('A-B-B-C-D', 'strict_deduplication'),
    ('A-A-B-C', 'strict_deduplication'),
    -- strict_order: ClickHouse's example, A-B-D-C stops at D; any other event stops too
    ('A-B-D-C', 'strict_order'), ('A-B-x-C', 'strict_order'), ('x-A-B-C-D', 'strict_order'),
    ('A-B-D-C', ''),
    -- allow_reentry: out-of-order steps are skipped instead
    ('A-B-D-C', 'strict_order,allow_reentry'), ('A-B-D-C-D', 'strict_order, allow_reentry'),
    ('A-B-x-C', 'strict_order,allow_reentry'),
    -- strict_increase and strict_once are shown below with equal times
    ('A-B-C-D', 'strict_increase'), ('A-B-C-D', 'strict_once'),
    ('A-B-C-D', 'strict_deduplication,strict_order,strict_increase,strict_once')) AS t(sequence, modes)
ORDER BY modes, sequence;

-- Equal timestamps are taken step by step: the step-1 rows of an instant
-- first, then its step-2 rows, and so on; so B at the same instant as A
-- continues A's chain, unless strict_increase asks for later times.
SELECT modes,
       leadscore.window_funnel('1 hour', modes, at, kind = 'A', kind = 'B') AS level
FROM (VALUES (timestamptz '2025-01-01 10:00', 'B'), ('2025-01-01 10:00', 'A')) AS e(at, kind),
     (VALUES (''), ('strict_increase')) AS m(modes)
GROUP BY modes ORDER BY modes;
-- One row meeting two steps (a visit that is also a "visit or signup")
-- counts twice, unless strict_once.
SELECT modes, leadscore.window_funnel('1 hour', modes, at, kind = 'visit', kind IN ('visit', 'signup')) AS level
FROM (VALUES (timestamptz '2025-01-01 10:00', 'visit')) AS e(at, kind),
     (VALUES (''), ('strict_once')) AS m(modes)
GROUP BY modes ORDER BY modes;
-- Times are of the first chain to reach the deepest step.
SELECT leadscore.window_funnel_times('10 minutes', at, kind = 'A', kind = 'B', kind = 'C') AS times
FROM (VALUES (timestamptz '2025-01-01 10:00', 'A'), ('2025-01-01 10:05', 'B'), ('2025-01-01 11:00', 'A'),
             ('2025-01-01 11:02', 'B')) AS e(at, kind);

-- NULLs: rows without a time or without steps are ignored; a NULL step is
-- false. A group without a first step is 0 and has no times.
SELECT leadscore.window_funnel('1 hour', at, kind = 'A', kind = 'B') AS level,
       leadscore.window_funnel_times('1 hour', at, kind = 'A', kind = 'B') AS times
FROM (VALUES (timestamptz '2025-01-01 10:00', 'A'), (NULL, 'B'), ('2025-01-01 10:10', NULL),
             ('infinity', 'B'), ('2025-01-01 10:20', 'B')) AS e(at, kind);
SELECT leadscore.window_funnel('1 hour', at, kind = 'A') AS level,
       leadscore.window_funnel_times('1 hour', at, kind = 'A') AS times
FROM (VALUES (timestamptz '2025-01-01 10:00', 'B')) AS e(at, kind);
SELECT leadscore.window_funnel('1 hour', at, VARIADIC NULL::boolean[]) AS null_steps
FROM (VALUES (timestamptz '2025-01-01 10:00')) AS e(at);
SELECT leadscore.window_funnel('1 hour', at, VARIADIC ARRAY[true, NULL]) AS null_step
FROM (VALUES (timestamptz '2025-01-01 10:00')) AS e(at);

-- Bad arguments: each an ERROR with a hint.
SELECT leadscore.window_funnel('0', at, true) FROM funnel_events;
SELECT leadscore.window_funnel('-1 hour', at, true) FROM funnel_events;
SELECT leadscore.window_funnel(NULL, at, true) FROM funnel_events;
SELECT leadscore.window_funnel('1 hour', 'strict', at, true) FROM funnel_events;
SELECT leadscore.window_funnel('1 hour', 'strict_order,,strict_once', at, true) FROM funnel_events;
SELECT leadscore.window_funnel('1 hour', NULL, at, true) FROM funnel_events;
SELECT leadscore.window_funnel('1 hour', at, VARIADIC array_fill(true, ARRAY[33])) FROM funnel_events;
SELECT leadscore.window_funnel('1 hour', at, VARIADIC '{}'::boolean[]) FROM funnel_events;
SELECT leadscore.window_funnel('1 hour', at, VARIADIC '{{true},{false}}'::boolean[]) FROM funnel_events;
SELECT leadscore.window_funnel(lead * interval '1 hour', at, true) FROM funnel_events;
SELECT leadscore.window_funnel('1 hour', at, VARIADIC CASE WHEN lead = 1 THEN ARRAY[true] ELSE ARRAY[true, false] END)
FROM funnel_events;
SELECT leadscore.window_funnel('1 hour', CASE WHEN lead = 1 THEN '' ELSE 'strict_order' END, at, true)
FROM funnel_events;
-- 32 steps are allowed.
SELECT leadscore.window_funnel('1 hour', at, VARIADIC array_fill(true, ARRAY[32])) AS all_32
FROM funnel_events WHERE lead = 1;

-- Corrupted states: the deserialisation function checks every byte.
SELECT leadscore._window_funnel_level_of_state(
           leadscore._window_funnel_state('1 day', 'strict_order', at, kind = 'visit', kind = 'signup')) AS level_of_state
FROM funnel_events WHERE lead = 1;
SELECT leadscore._window_funnel_level_of_state('\x');
SELECT leadscore._window_funnel_level_of_state(overlay(s PLACING '\x58' FROM 1)) FROM
    (SELECT leadscore._window_funnel_state('1 day', '', at, kind = 'visit') AS s FROM funnel_events) AS x;
SELECT leadscore._window_funnel_level_of_state(overlay(s PLACING '\x40' FROM 5)) FROM
    (SELECT leadscore._window_funnel_state('1 day', '', at, kind = 'visit') AS s FROM funnel_events) AS x;
SELECT leadscore._window_funnel_level_of_state(substring(s FROM 1 FOR length(s) - 1)) FROM
    (SELECT leadscore._window_funnel_state('1 day', '', at, kind = 'visit') AS s FROM funnel_events) AS x;
SELECT leadscore._window_funnel_level_of_state(overlay(s PLACING '\x04' FROM 41)) FROM
    (SELECT leadscore._window_funnel_state('1 day', '', at, kind = 'visit') AS s FROM funnel_events) AS x;

-- Parallel plans give the serial answers (30,000 leads, 150,000 events).
CREATE TABLE funnel_big AS
-- (a lead's k-th event is of kind (2 * lead + k) mod 5: every lead has all five)
SELECT (i % 30000)::int AS lead, (ARRAY['visit', 'signup', 'demo', 'purchase', 'other'])[1 + (i * 7 + i / 30000) % 5] AS kind,
       -- six hours apart, jittered by up to 12 hours, so the kinds come in varied orders
       timestamptz '2025-01-01' + (i % 30000) * interval '1 hour' + (i / 30000) * interval '6 hours'
           + (i * 7919 % 720) * interval '1 minute' AS at
FROM generate_series(1::bigint, 150000) AS i;
ANALYZE funnel_big;
CREATE TEMP TABLE funnel_serial AS
SELECT lead, leadscore.window_funnel('2 days', 'strict_increase', at, kind = 'visit', kind = 'signup', kind = 'demo', kind = 'purchase') AS level,
       leadscore.window_funnel_times('2 days', at, kind = 'visit', kind = 'signup', kind = 'demo', kind = 'purchase') AS times
FROM funnel_big GROUP BY lead;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
SELECT count(*) FILTER (WHERE level >= 3) FROM (
    SELECT leadscore.window_funnel('2 days', at, kind = 'visit', kind = 'signup', kind = 'demo') AS level
    FROM funnel_big) AS whole;
SELECT (SELECT leadscore.window_funnel('2 days', at, kind = 'visit', kind = 'signup', kind = 'demo') FROM funnel_big) AS whole_table;
RESET enable_hashagg;
EXPLAIN (COSTS OFF)
SELECT lead, leadscore.window_funnel('2 days', 'strict_increase', at, kind = 'visit', kind = 'signup', kind = 'demo', kind = 'purchase')
FROM funnel_big GROUP BY lead;
SELECT count(*) AS leads, count(*) FILTER (WHERE p.level = s.level AND p.times = s.times) AS same_as_serial,
       sum(s.level) AS total_level
FROM (SELECT lead, leadscore.window_funnel('2 days', 'strict_increase', at, kind = 'visit', kind = 'signup', kind = 'demo', kind = 'purchase') AS level,
             leadscore.window_funnel_times('2 days', at, kind = 'visit', kind = 'signup', kind = 'demo', kind = 'purchase') AS times
      FROM funnel_big GROUP BY lead) AS p
JOIN funnel_serial AS s USING (lead);
RESET max_parallel_workers_per_gather;
SELECT level, count(*) FROM funnel_serial GROUP BY level ORDER BY level;
DROP TABLE funnel_big, funnel_events;
DROP FUNCTION funnel_of(text, text, interval);
