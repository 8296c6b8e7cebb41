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
