-- Business-time arithmetic: semantics at the edges, daylight saving in four
-- zones, and agreement with a plain-SQL formulation on thousands of spans.
SET TimeZone = 'UTC';
SELECT leadscore.define_calendar('office_' || replace(lower(zone), '/', '_'),
    jsonb_build_object('time_zone', zone,
                       'week', jsonb_build_object('mon', w, 'tue', w, 'wed', w, 'thu', w, 'fri', w),
                       'holidays', jsonb_build_array('2025-12-25', '2026-01-01')))
    IS NOT NULL AS defined
FROM unnest(ARRAY['America/New_York', 'Europe/Berlin', 'Australia/Sydney', 'Asia/Kolkata']) AS zone,
     (SELECT '[["09:00", "12:30"], ["13:30", "17:00"]]'::jsonb AS w) AS lunch;
SELECT leadscore.define_calendar('nights_' || replace(lower(zone), '/', '_'),
    jsonb_build_object('time_zone', zone,
                       'week', jsonb_build_object('sat', '[["22:00", "06:00", "overnight"]]'::jsonb)))
    IS NOT NULL AS defined
FROM unnest(ARRAY['America/New_York', 'Europe/Berlin', 'Australia/Sydney', 'Asia/Kolkata']) AS zone;
SELECT leadscore.define_calendar('always_new_york', '{"time_zone": "America/New_York", "week": {
  "mon": [["00:00", "24:00"]], "tue": [["00:00", "24:00"]], "wed": [["00:00", "24:00"]], "thu": [["00:00", "24:00"]],
  "fri": [["00:00", "24:00"]], "sat": [["00:00", "24:00"]], "sun": [["00:00", "24:00"]]}}') IS NOT NULL AS defined;

-- Edges, in New York (shown in New York time).
SET TimeZone = 'America/New_York';
SELECT leadscore.business_add('office_america_new_york', '2025-11-24 09:00', '7 hours') AS full_day_ends_at_five,
       leadscore.business_add('office_america_new_york', '2025-11-24 12:00', '1 hour') AS over_lunch,
       leadscore.business_add('office_america_new_york', '2025-11-28 16:30', '1 hour') AS over_weekend,
       leadscore.business_add('office_america_new_york', '2025-11-29 10:00', '1 hour') AS from_saturday;
SELECT leadscore.business_add('office_america_new_york', '2025-12-01 09:30', '-1 hour') AS back_over_weekend,
       leadscore.business_add('office_america_new_york', '2025-11-25 17:00', '-7 hours') AS back_a_day,
       leadscore.business_add('office_america_new_york', '2025-11-29 10:00', '0') AS zero_keeps_start,
       leadscore.business_add('office_america_new_york', '2025-11-24 10:00:00.000001', '1 microsecond') AS microsecond;
SELECT leadscore.business_diff('office_america_new_york', '2025-11-28 16:00', '2025-12-01 10:00') AS friday_to_monday,
       leadscore.business_diff('office_america_new_york', '2025-12-01 10:00', '2025-11-28 16:00') AS backward,
       leadscore.business_diff('office_america_new_york', '2025-12-24 12:00', '2025-12-26 12:00') AS christmas,
       leadscore.business_diff('office_america_new_york', '2025-01-01', '2026-01-01') AS year_2025;
SELECT ts, leadscore.is_business_time('office_america_new_york', ts) AS within,
       leadscore.next_business_start('office_america_new_york', ts) AS next_start
FROM unnest(ARRAY['2025-11-24 08:59:59.999999', '2025-11-24 09:00', '2025-11-24 12:30', '2025-11-24 13:29:59',
                  '2025-11-24 17:00', '2025-12-24 18:00', '2025-12-31 17:00']::timestamptz[]) AS ts;

-- Daylight saving: windows stay at their wall-clock times, so a working day
-- is 7 hours on both sides of every change (09:00 is 14:00 UTC in winter
-- and 13:00 UTC in summer in New York) ...
SELECT zone, day,
       leadscore.next_business_start('office_' || replace(lower(zone), '/', '_'), (day::text || ' 00:00')::timestamp AT TIME ZONE zone)
           AT TIME ZONE zone AS opens_local,
       leadscore.business_diff('office_' || replace(lower(zone), '/', '_'),
                               day::timestamp AT TIME ZONE zone, (day + 1)::timestamp AT TIME ZONE zone) AS business_hours
FROM (VALUES ('America/New_York', date '2025-03-07'), ('America/New_York', date '2025-03-10'),
             ('America/New_York', date '2025-10-31'), ('America/New_York', date '2025-11-03'),
             ('Europe/Berlin', date '2025-03-28'), ('Europe/Berlin', date '2025-03-31'),
             ('Europe/Berlin', date '2025-10-24'), ('Europe/Berlin', date '2025-10-27'),
             ('Australia/Sydney', date '2025-04-04'), ('Australia/Sydney', date '2025-04-07'),
             ('Australia/Sydney', date '2025-10-03'), ('Australia/Sydney', date '2025-10-06'),
             ('Asia/Kolkata', date '2025-03-07'), ('Asia/Kolkata', date '2025-03-10')) AS d(zone, day)
ORDER BY zone, day;
-- ... and the Friday-to-Monday SLA over the spring change is still 2 hours.
SELECT leadscore.business_add('office_america_new_york', '2025-03-07 16:00', '2 hours') AS ny_spring,
       leadscore.business_add('office_america_new_york', '2025-10-31 16:00', '2 hours') AS ny_autumn;
-- The example of docs/calendars.md, exactly: Friday's window ends at 15:00, so the two
-- hours are the first of the Saturday night shift, up to midnight, before
-- the clocks jump on Sunday at 02:00 (not Monday 10:00, as the 0.6 documentation said
-- until 0.7).
SELECT leadscore.define_calendar('sales_ny', '{
  "time_zone": "America/New_York",
  "week": {"mon": [["09:00", "12:30"], ["13:30", "17:00"]],
           "tue": [["09:00", "12:30"], ["13:30", "17:00"]],
           "wed": [["09:00", "17:00"]], "thu": [["09:00", "17:00"]],
           "fri": [["09:00", "15:00"]],
           "sat": [["22:00", "06:00", "overnight"]]},
  "holidays": {"2025-12-25": [], "2025-12-24": [["09:00", "13:00"]]}}') IS NOT NULL AS defined;
SET DateStyle = ISO;  -- as docs/calendars.md prints it
SELECT leadscore.business_add('sales_ny', '2025-03-07 16:00-05', '2 hours');
RESET DateStyle;
-- Windows across the jump are an hour shorter or longer in real time: the
-- Saturday night shift (22:00-06:00) on the weekend of each change, against
-- an ordinary weekend (8 hours).
SELECT zone, weekend,
       leadscore.business_diff('nights_' || replace(lower(zone), '/', '_'),
                               weekend::timestamp AT TIME ZONE zone, (weekend + 2)::timestamp AT TIME ZONE zone) AS night_hours
FROM (VALUES ('America/New_York', date '2025-03-08'), ('America/New_York', date '2025-03-15'),
             ('America/New_York', date '2025-11-01'), ('Europe/Berlin', date '2025-03-29'),
             ('Europe/Berlin', date '2025-10-25'), ('Australia/Sydney', date '2025-04-05'),
             ('Australia/Sydney', date '2025-10-04'), ('Asia/Kolkata', date '2025-03-08')) AS d(zone, weekend)
ORDER BY zone, weekend;
-- Skipped and repeated local times: a window edge at a time the clocks skip
-- maps to the jump, one at a repeated time to its first occurrence.
SELECT leadscore.define_calendar('edges_ny', '{"time_zone": "America/New_York",
  "week": {"sun": [["01:30", "02:30"]]}}') IS NOT NULL AS defined;
SET TimeZone = 'UTC';
SELECT leadscore.next_business_start('edges_ny', '2025-03-09 00:00-05') AS spring_opens_utc,
       leadscore.business_diff('edges_ny', '2025-03-09 00:00-05', '2025-03-10 00:00-04') AS spring_length,
       leadscore.next_business_start('edges_ny', '2025-11-02 00:00-04') AS autumn_opens_utc,
       leadscore.business_diff('edges_ny', '2025-11-02 00:00-04', '2025-11-03 00:00-05') AS autumn_length;
-- A 24/7 calendar's business time is real elapsed time, DST or not.
SELECT count(*) AS spans,
       count(*) FILTER (WHERE leadscore.business_diff('always_new_york', s, f) = f - s) AS equal_to_elapsed
FROM (SELECT timestamptz '2025-01-01' + (i * 7919 % 525600) * interval '1 minute' AS s,
             timestamptz '2025-01-01' + (i * 7919 % 525600) * interval '1 minute' + (i % 97) * interval '1 hour 7 minutes' AS f
      FROM generate_series(1, 2000) AS i) AS spans;

-- Against plain SQL: the office calendar as the overlap of a span with each
-- day's two local windows (PostgreSQL maps 09:00/12:30/13:30/17:00 local the
-- same way: they are never skipped or repeated), 1,500 spans of up to 40
-- days per zone, across both DST changes and the holidays. Going back the
-- same amount from the finish lands on the first business instant at or
-- after the start.
CREATE TEMP TABLE spans AS
SELECT zone, 'office_' || replace(lower(zone), '/', '_') AS calendar,
       timestamptz '2025-02-01' + (i * 104729 % 480000) * interval '1 minute' AS s,
       timestamptz '2025-02-01' + (i * 104729 % 480000) * interval '1 minute'
           + (i * 7 % 57600) * interval '1 minute' AS f
FROM unnest(ARRAY['America/New_York', 'Europe/Berlin', 'Australia/Sydney', 'Asia/Kolkata']) AS zone,
     generate_series(1, 1500) AS i;
CREATE TEMP TABLE plain AS
SELECT sp.zone, sp.s, sp.f,
       coalesce(sum(greatest(interval '0', least(sp.f, (g.d::date + w.t1) AT TIME ZONE sp.zone)
                                           - greatest(sp.s, (g.d::date + w.t0) AT TIME ZONE sp.zone)))
                    FILTER (WHERE w.t0 IS NOT NULL),
                interval '0') AS business
FROM spans AS sp
LEFT JOIN LATERAL generate_series(((sp.s AT TIME ZONE sp.zone)::date - 1)::timestamp,
                                  (sp.f AT TIME ZONE sp.zone)::date::timestamp, interval '1 day') AS g(d)
    ON extract(isodow FROM g.d) <= 5 AND g.d::date NOT IN (date '2025-12-25', date '2026-01-01')
LEFT JOIN (VALUES (time '09:00', time '12:30'), (time '13:30', time '17:00')) AS w(t0, t1) ON g.d IS NOT NULL
GROUP BY sp.zone, sp.s, sp.f;
SELECT sp.zone, count(*) AS spans,
       count(*) FILTER (WHERE leadscore.business_diff(sp.calendar, sp.s, sp.f) = p.business) AS diff_agrees,
       count(*) FILTER (WHERE leadscore.business_diff(sp.calendar, sp.s,
                                  leadscore.business_add(sp.calendar, sp.s, p.business)) = p.business) AS add_inverts,
       count(*) FILTER (WHERE p.business = interval '0'
                           OR leadscore.business_add(sp.calendar, sp.f, -p.business)
                              = leadscore.next_business_start(sp.calendar, sp.s)) AS back_is_next_start
FROM spans AS sp JOIN plain AS p USING (zone, s, f)
GROUP BY sp.zone ORDER BY sp.zone;

-- Parallel workers compute the same answers as the leader.
CREATE TABLE parallel_spans AS SELECT * FROM spans;
ANALYZE parallel_spans;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT sum(leadscore.business_diff(calendar, s, f)) FROM parallel_spans;
SELECT sum(leadscore.business_diff(calendar, s, f)) AS parallel_total FROM parallel_spans \gset
RESET max_parallel_workers_per_gather;
SET max_parallel_workers_per_gather = 0;
SELECT sum(leadscore.business_diff(calendar, s, f)) = :'parallel_total'::interval AS serial_equals_parallel
FROM parallel_spans;
DROP TABLE parallel_spans;

-- A night shift from New Year's Eve (a Saturday) into the new year, and a
-- span from years before that ends inside it: two hours of the shift
-- count, not all eight (the whole shift was counted before a fix).
SELECT leadscore.business_diff('nights_america_new_york', '2020-01-01 00:00 America/New_York', '2023-01-01 00:00 America/New_York')
     - leadscore.business_diff('nights_america_new_york', '2020-01-01 00:00 America/New_York', '2022-12-31 22:00 America/New_York')
       AS new_year_part;

SELECT count(leadscore.drop_calendar(name)) AS dropped FROM leadscore.calendars;
