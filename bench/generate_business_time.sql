-- Data and hand-written competitors for the business-time benchmark.
--   psql -v spans=1000000 -v seed=42 -f bench/generate_business_time.sql
-- bench_spans (id, s, minutes): starts on whole minutes through 2025 and
-- SLA-sized amounts of 1 to 480 minutes, in random order.
-- The calendar: New York, weekdays 09:00-12:30 and 13:30-17:00, the 2025
-- US federal holidays; the same calendar is written out in the PL/pgSQL and
-- SQL competitors.
\set ON_ERROR_STOP 1
\if :{?spans}
\else
\set spans 1000000
\endif
\if :{?seed}
\else
\set seed 42
\endif
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS leadscore;
DROP TABLE IF EXISTS bench_spans;
SELECT setseed((:seed % 1000000) / 1000000.0) AS seeded \gset

SELECT leadscore.define_calendar('bench_office', '{"time_zone": "America/New_York",
  "week": {"mon": [["09:00", "12:30"], ["13:30", "17:00"]], "tue": [["09:00", "12:30"], ["13:30", "17:00"]],
           "wed": [["09:00", "12:30"], ["13:30", "17:00"]], "thu": [["09:00", "12:30"], ["13:30", "17:00"]],
           "fri": [["09:00", "12:30"], ["13:30", "17:00"]]},
  "holidays": ["2025-01-01", "2025-01-20", "2025-02-17", "2025-05-26", "2025-06-19", "2025-07-04",
               "2025-09-01", "2025-10-13", "2025-11-11", "2025-11-27", "2025-12-25", "2026-01-01"]}')
  IS NOT NULL AS calendar_defined;

CREATE TABLE bench_spans AS
SELECT i AS id,
       timestamptz '2025-01-01 00:00+00' + floor(random() * 525600) * interval '1 minute' AS s,
       1 + floor(random() * 480)::int AS minutes
FROM generate_series(1, :spans) AS i;
ALTER TABLE bench_spans ADD PRIMARY KEY (id);
VACUUM ANALYZE bench_spans;

-- Is the minute starting at `t` business time? The calendar, by hand.
CREATE OR REPLACE FUNCTION bench_is_business_minute(t timestamptz) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT extract(isodow FROM l) <= 5
       AND l::date <> ALL (ARRAY['2025-01-01', '2025-01-20', '2025-02-17', '2025-05-26', '2025-06-19',
                                 '2025-07-04', '2025-09-01', '2025-10-13', '2025-11-11', '2025-11-27',
                                 '2025-12-25', '2026-01-01']::date[])
       AND ((l::time >= '09:00' AND l::time < '12:30') OR (l::time >= '13:30' AND l::time < '17:00'))
    FROM (SELECT t AT TIME ZONE 'America/New_York' AS l) AS local
$$;

-- The usual PL/pgSQL answers: step a minute at a time.
CREATE OR REPLACE FUNCTION plpgsql_business_add(start timestamptz, amount interval)
RETURNS timestamptz LANGUAGE plpgsql PARALLEL SAFE AS $$
DECLARE
    t timestamptz := start;
    remaining bigint := extract(epoch FROM amount)::bigint / 60;
BEGIN
    WHILE remaining > 0 LOOP
        IF bench_is_business_minute(t) THEN
            remaining := remaining - 1;
        END IF;
        t := t + interval '1 minute';
    END LOOP;
    RETURN t;
END
$$;

CREATE OR REPLACE FUNCTION plpgsql_business_diff(start timestamptz, finish timestamptz)
RETURNS interval LANGUAGE plpgsql PARALLEL SAFE AS $$
DECLARE
    t timestamptz := start;
    minutes bigint := 0;
BEGIN
    WHILE t < finish LOOP
        IF bench_is_business_minute(t) THEN
            minutes := minutes + 1;
        END IF;
        t := t + interval '1 minute';
    END LOOP;
    RETURN minutes * interval '1 minute';
END
$$;

-- SLA clocks for the sweep benchmark: :spans clocks of bench_sla_leads, a
-- table attached without SLA columns or a notify channel (so the sweep
-- writes no CRM columns and notifies nobody, but asks the table which of
-- the leads it breaches are still there), 1% due before 2025-06-01 12:00
-- UTC and the rest due (and warning) after it. One due lead in a hundred is
-- missing from the table, gone without a trigger seeing it: the sweep
-- closes its clock instead of breaching it.
DELETE FROM leadscore.sla_clocks
WHERE target IN (to_regclass('bench_spans'), to_regclass('bench_sla_leads'));
DROP TABLE IF EXISTS bench_sla_leads;
CREATE TABLE bench_sla_leads (id int PRIMARY KEY, stage text NOT NULL);
INSERT INTO bench_sla_leads SELECT i, 'mql' FROM generate_series(1, :spans) AS i WHERE i % 10000 <> 0;
SELECT leadscore.attach('bench_sla_leads', '{"stage_column": "stage", "notify_channel": null}') IS NOT NULL
    AS attached;
INSERT INTO leadscore.sla_clocks (target, lead_key, policy, stage, calendar, started_at, warn_at, due_at)
SELECT 'bench_sla_leads'::regclass, i::text, 'first_response', 'mql', 'bench_office', due - interval '4 hours',
       due - interval '1 hour', due
FROM (SELECT i, CASE WHEN i % 100 = 0
                     THEN timestamptz '2025-06-01 12:00+00' - (i % 7 + 1) * interval '1 day'
                     ELSE timestamptz '2025-06-02 00:00+00' + (i % 200) * interval '1 day' END AS due
      FROM generate_series(1, :spans) AS i) AS generated;
VACUUM ANALYZE bench_sla_leads;
VACUUM ANALYZE leadscore.sla_clocks;
