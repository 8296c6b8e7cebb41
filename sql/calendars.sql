-- Business calendars: define_calendar validates and normalises, the time
-- zone is an IANA zone PostgreSQL knows, every function sees a redefinition
-- at once, and every bad input is an ERROR with a SQLSTATE, the offending
-- value and a hint, with nothing written.
\set VERBOSITY default
SET TimeZone = 'UTC';

-- Lunch break, a Friday night shift, a holiday that closes and one that
-- shortens its day; the zone's spelling is corrected, days are normalised.
SELECT jsonb_pretty(leadscore.define_calendar('support', '{
  "time_zone": "europe/berlin",
  "week": {"Monday": [["13:00", "17:00"], ["09:00", "12:00"]], "tue": [["09:00", "12:00"], ["12:00", "17:00"]],
           "wed": [["09:00", "17:00"]], "thu": [["09:00", "17:00"]], "fri": [["22:00", "06:00", "overnight"]]},
  "holidays": {"2025-12-25": [], "2025-12-24": [["09:00", "13:00"]]}}'));
-- Holidays may be a plain list of closed dates.
SELECT leadscore.define_calendar('sales_ny', '{"time_zone": "America/New_York",
  "week": {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]], "wed": [["09:00", "17:00"]],
           "thu": [["09:00", "17:00"]], "fri": [["09:00", "17:00"]]},
  "holidays": ["2025-11-27", "2025-12-25"]}') -> 'holidays' AS holidays;
SELECT name, definition ->> 'time_zone' AS time_zone, defined_by = current_user AS by_me
FROM leadscore.calendars ORDER BY name;

-- Redefining replaces, and functions see it in the same session at once.
SELECT leadscore.business_diff('sales_ny', '2025-11-24 00:00-05', '2025-11-29 00:00-05') AS thanksgiving_week;
SELECT leadscore.define_calendar('sales_ny', '{"time_zone": "America/New_York",
  "week": {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]], "wed": [["09:00", "17:00"]],
           "thu": [["09:00", "17:00"]], "fri": [["09:00", "17:00"]]}}') IS NOT NULL AS redefined;
SELECT leadscore.business_diff('sales_ny', '2025-11-24 00:00-05', '2025-11-29 00:00-05') AS without_holidays;
-- Rows written directly are checked and normalised the same way.
INSERT INTO leadscore.calendars (name, definition)
VALUES ('direct', '{"time_zone": "Asia/Kolkata", "week": {"sun": [["10:00", "14:00"]]}}');
SELECT definition -> 'week' -> 'mon' AS mon, definition -> 'holidays' AS holidays
FROM leadscore.calendars WHERE name = 'direct';
SELECT leadscore.drop_calendar('direct');

-- Bad definitions: each names the JSON path; nothing is written.
SELECT leadscore.define_calendar('bad', 'null');
SELECT leadscore.define_calendar('bad', '[]');
SELECT leadscore.define_calendar('bad', '{"week": {"mon": [["09:00", "17:00"]]}}');
SELECT leadscore.define_calendar('bad', '{"time_zone": "Mars/Olympus_Mons", "week": {"mon": [["09:00", "17:00"]]}}');
SELECT leadscore.define_calendar('bad', '{"time_zone": "UTC+3", "week": {"mon": [["09:00", "17:00"]]}}');
SELECT leadscore.define_calendar('bad', '{"time_zone": 3, "week": {"mon": [["09:00", "17:00"]]}}');
SELECT leadscore.define_calendar('bad', '{"time_zone": "UTC", "week": {"mon": [["17:00", "09:00"]]}}');
SELECT leadscore.define_calendar('bad', '{"time_zone": "UTC", "week": {"mon": [["09:00", "09:00"]]}}');
SELECT leadscore.define_calendar('bad', '{"time_zone": "UTC", "week": {"mon": [["09:00", "13:00"], ["12:00", "17:00"]]}}');
SELECT leadscore.define_calendar('bad', '{"time_zone": "UTC", "week": {"mon": [["9am", "5pm"]]}}');
SELECT leadscore.define_calendar('bad', '{"time_zone": "UTC", "week": {"mon": [["09:00", "25:00"]]}}');
SELECT leadscore.define_calendar('bad', '{"time_zone": "UTC", "week": {"mon": [{"from": "09:00", "to": "17:00"}]}}');
SELECT leadscore.define_calendar('bad', '{"time_zone": "UTC", "week": {"someday": []}}');
SELECT leadscore.define_calendar('bad', '{"time_zone": "UTC", "week": {}}');
SELECT leadscore.define_calendar('bad', '{"time_zone": "UTC", "week": {"mon": [], "sat": []}}');
SELECT leadscore.define_calendar('bad', '{"time_zone": "UTC", "week": {"sun": [["20:00", "10:00", "overnight"]], "mon": [["09:00", "17:00"]]}}');
SELECT leadscore.define_calendar('bad', '{"time_zone": "UTC", "week": {"mon": [["09:00", "17:00"]]}, "holidays": ["Christmas"]}');
SELECT leadscore.define_calendar('bad', '{"time_zone": "UTC", "week": {"mon": [["09:00", "17:00"]]}, "holidays": {"2025-02-29": []}}');
SELECT leadscore.define_calendar('bad', '{"time_zone": "UTC", "week": {"mon": [["09:00", "17:00"]]}, "holidays": [20251225]}');
SELECT leadscore.define_calendar('bad', '{"time_zone": "UTC", "week": {"mon": [["09:00", "17:00"]]}, "holidays": ["2025-12-25", "2025-12-25"]}');
SELECT leadscore.define_calendar('bad', '{"time_zone": "UTC", "week": {"mon": [["09:00", "17:00"]]}, "holidays": ["3000-01-01"]}');
SELECT leadscore.define_calendar('bad', '{"time_zone": "UTC", "week": {"mon": [["09:00", "17:00"]]}, "hours": 8}');
SELECT leadscore.define_calendar('', '{"time_zone": "UTC", "week": {"mon": [["09:00", "17:00"]]}}');
SELECT leadscore.define_calendar(repeat('x', 64), '{"time_zone": "UTC", "week": {"mon": [["09:00", "17:00"]]}}');
SELECT leadscore.define_calendar(NULL, '{"time_zone": "UTC", "week": {"mon": [["09:00", "17:00"]]}}');
SELECT leadscore.define_calendar('bad', NULL);
UPDATE leadscore.calendars SET definition = '{"time_zone": "UTC", "week": {}}' WHERE name = 'support';
SELECT count(*) AS calendars, count(*) FILTER (WHERE name = 'bad') AS bad FROM leadscore.calendars;
SELECT leadscore.drop_calendar('bad');

-- Touching windows join into one window of at most 24 hours: a longer
-- stretch has no normal form (0.6 accepted these and stored the join as
-- ["09:00", "10:00", "overnight"], which no function, redefinition or
-- restore could read again), so it is refused, on a weekday as on a holiday.
SELECT leadscore.define_calendar('rep1', '{"time_zone": "Europe/Berlin",
  "week": {"mon": [["09:00", "12:00"], ["12:00", "10:00", "overnight"]]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.define_calendar('rep1', '{"time_zone": "Europe/Berlin", "week": {"tue": [["09:00", "17:00"]]},
  "holidays": {"2025-12-22": [["09:00", "12:00"], ["12:00", "10:00", "overnight"]]}}');
\echo :LAST_ERROR_SQLSTATE
-- Written as the hint says (and a holiday's 24-hour window touching the
-- next day's), each is one stretch of 25 hours; the stored form defines the
-- calendar again, and the stored row inserted back (what a restore does)
-- gives itself.
SELECT jsonb_pretty(leadscore.define_calendar('rep1', '{"time_zone": "Europe/Berlin",
  "week": {"mon": [["09:00", "24:00"]], "tue": [["00:00", "10:00"]]},
  "holidays": {"2025-12-22": [["09:00", "12:00"], ["12:00", "09:00", "overnight"]], "2025-12-23": [["09:00", "10:00"]]}}'));
SELECT leadscore.business_diff('rep1', '2025-12-01 00:00+01', '2025-12-03 00:00+01') AS monday_to_tuesday,
       leadscore.business_add('rep1', '2025-12-01 09:00+01', '25 hours') AS add_25_hours,
       leadscore.business_diff('rep1', '2025-12-22 00:00+01', '2025-12-24 00:00+01') AS holidays;
SELECT leadscore.define_calendar('rep1', definition) = definition AS redefined_to_itself
FROM leadscore.calendars WHERE name = 'rep1';
CREATE TEMP TABLE dumped_calendars AS SELECT * FROM leadscore.calendars WHERE name = 'rep1';
DELETE FROM leadscore.calendars WHERE name = 'rep1';
INSERT INTO leadscore.calendars SELECT * FROM dumped_calendars;
SELECT c.definition = d.definition AS restored_to_itself,
       leadscore.business_diff('rep1', '2025-12-22 00:00+01', '2025-12-24 00:00+01') AS holidays
FROM leadscore.calendars AS c JOIN dumped_calendars AS d USING (name);
DROP TABLE dumped_calendars;
SELECT leadscore.drop_calendar('rep1');

-- Bad arguments.
SELECT leadscore.business_add('nowhere', now(), '1 hour');
SELECT leadscore.business_add(NULL, now(), '1 hour');
SELECT leadscore.business_add(repeat('x', 100), now(), '1 hour');
SELECT leadscore.business_add('sales_ny', 'infinity', '1 hour');
SELECT leadscore.business_diff('sales_ny', now(), '-infinity');
SELECT leadscore.is_business_time('sales_ny', 'infinity');
SELECT leadscore.next_business_start('sales_ny', '-infinity');
SELECT leadscore.business_add('sales_ny', now(), '1 day');
SELECT leadscore.business_add('sales_ny', now(), '2 years');
SELECT leadscore.business_add('sales_ny', now(), '-1 mon 3 hours');
-- Amounts beyond the years calendars cover, and times before them.
SELECT leadscore.business_add('sales_ny', '2025-01-01', '1000000 hours');
SELECT leadscore.business_add('sales_ny', '2025-01-01', '-1000000 hours');
-- 2299-12-31 is a Sunday, whose overnight window runs into 2300: the last
-- microsecond of 2299 is an answer, 2300 is not (0.6 answered
-- 2300-01-01 01:00+01, which every other function refused).
SELECT leadscore.define_calendar('edge', '{"time_zone": "Europe/Berlin",
  "week": {"sun": [["22:00", "06:00", "overnight"]]}}') IS NOT NULL AS defined;
SELECT leadscore.business_add('edge', '2299-12-31 23:00+01', '2 hours');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.business_add('edge', '2299-12-31 23:00+01', '1 hour');
SELECT leadscore.business_add('edge', '2299-12-31 23:00+01', '59:59.999999') AS last_microsecond,
       leadscore.business_diff('edge', '2299-12-31 23:00+01',
                               leadscore.business_add('edge', '2299-12-31 23:00+01', '59:59.999999')) AS diff_gives_back;
-- Starts there are refused for a zero amount too; going back from 1900
-- stops at its first day.
SELECT leadscore.business_add('edge', '2300-01-01 00:30+01', '0');
SELECT leadscore.business_add('edge', '1900-01-08 05:00+01', '-7 hours') AS back_to_1900s_first_sunday;
SELECT leadscore.business_add('edge', '1900-01-08 05:00+01', '-8 hours');
SELECT leadscore.drop_calendar('edge');
SELECT leadscore.business_diff('sales_ny', '1850-01-01', '2025-01-01');
SELECT leadscore.is_business_time('sales_ny', '2400-01-03 12:00');
-- NULL times and amounts give NULL, as SQL functions do.
SELECT leadscore.business_add('sales_ny', NULL, '1 hour') IS NULL AS add_null,
       leadscore.business_add('sales_ny', now(), NULL) IS NULL AS amount_null,
       leadscore.business_diff('sales_ny', NULL, now()) IS NULL AS diff_null,
       leadscore.is_business_time('sales_ny', NULL) IS NULL AS within_null,
       leadscore.next_business_start('sales_ny', NULL) IS NULL AS next_null;
SELECT leadscore.drop_calendar('nowhere');

SELECT count(leadscore.drop_calendar(name)) AS dropped FROM leadscore.calendars;
