-- Size limits of the documents users define (scoring models, calendars,
-- attach configs) and of a window_funnel window: 54000
-- (program_limit_exceeded) naming the size and the excess, the limit in the
-- hint, and nothing written. In 0.6 every document was accepted at any size
-- and validation grew quadratically (100,000 fit rules took 30 s and ignored
-- statement_timeout): the limits keep validating any document, which any
-- role may ask for, well under a second. bench/model_validation.sql shows
-- the time per size.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;

-- A model of the fit rules `first` to `last`, each on its own attribute.
CREATE FUNCTION pg_temp.model_of(last int, first int DEFAULT 1) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('fit', jsonb_build_object('rules', jsonb_agg(jsonb_build_object(
        'name', 'rule_' || i, 'attribute', 'attribute_' || i, 'equals', 'yes', 'points', 1)
        ORDER BY i)))
    FROM generate_series(first, last) AS i
$$;

-- Scoring models: 10,000 fit rules is the limit, and such a model works.
SELECT leadscore.define_model('wide', pg_temp.model_of(10000)) AS version;
SELECT definition -> 'fit' -> 'rules' -> 9999 ->> 'name' AS last_rule FROM leadscore.scoring_models WHERE name = 'wide';
SELECT leadscore.fit_score('wide', '{"attribute_1": "yes", "attribute_10000": "yes", "attribute_5": "no"}') AS two_rules_hit;
SELECT leadscore.define_model('too_wide', pg_temp.model_of(10001));
\echo :LAST_ERROR_SQLSTATE
-- The same for a list of event types; it is counted before any is read.
SELECT leadscore.define_model('too_many_events', jsonb_build_object('engagement', jsonb_build_object('events',
    (SELECT jsonb_object_agg('event_' || i, 1) FROM generate_series(1, 10001) AS i))));
\echo :LAST_ERROR_SQLSTATE
-- 4 MB of JSON text, measured before the text is parsed.
SELECT leadscore.define_model('too_long', jsonb_build_object('fit', jsonb_build_object('rules', jsonb_build_array(
    jsonb_build_object('attribute', 'industry', 'points', 1,
                       'in', (SELECT jsonb_agg(lpad(i::text, 20, 'x')) FROM generate_series(1, 200000) AS i))))));
\echo :LAST_ERROR_SQLSTATE
-- _check_model, which any role may run, applies the same limits.
SELECT leadscore._check_model('too_wide', pg_temp.model_of(10001));
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS refused_models_stored FROM leadscore.scoring_models WHERE name LIKE 'too%';

-- A model stored before the limits existed (0.6 accepted any size) is read
-- as it is: an upgrade never makes a stored model unusable, and a row
-- written to the table (as pg_restore writes every stored model) is checked
-- and normalised without the limits, so it restores.
INSERT INTO leadscore.scoring_models (name, version, definition)
SELECT 'stored_wide', 1,
       jsonb_set(whole, '{fit,rules}', (whole -> 'fit' -> 'rules') || (tail -> 'fit' -> 'rules'))
FROM leadscore._check_model('stored_wide', pg_temp.model_of(10000)) AS whole,
     leadscore._check_model('stored_wide', pg_temp.model_of(10002, 10001)) AS tail;
SELECT jsonb_array_length(definition -> 'fit' -> 'rules') AS stored_rules
FROM leadscore.scoring_models WHERE name = 'stored_wide';
SELECT leadscore.fit_score('stored_wide', '{"attribute_10002": "yes"}') AS rule_past_the_limit_hits;

-- Calendars: at most 100,000 holidays (counted before any is read), 48
-- windows a day, 4 MB of JSON text.
SELECT leadscore.define_calendar('too_many_holidays', jsonb_build_object('time_zone', 'UTC',
    'week', jsonb_build_object('mon', jsonb_build_array(jsonb_build_array('09:00', '17:00'))),
    'holidays', (SELECT jsonb_agg(to_char(date '1900-01-01' + i, 'YYYY-MM-DD')) FROM generate_series(0, 100000) AS i)));
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.define_calendar('too_many_windows', jsonb_build_object('time_zone', 'UTC',
    'week', jsonb_build_object('mon', (SELECT jsonb_agg(jsonb_build_array(to_char(time '00:00' + i * interval '29 minutes', 'HH24:MI'),
                                                                          to_char(time '00:00' + i * interval '29 minutes' + interval '1 minute', 'HH24:MI')))
                                       FROM generate_series(0, 48) AS i))));
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.define_calendar('too_long', jsonb_build_object('time_zone', 'UTC', 'note', repeat('x', 4 * 1024 * 1024)));
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore._check_calendar('too_long', jsonb_build_object('time_zone', 'UTC', 'note', repeat('x', 4 * 1024 * 1024)));
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS refused_calendars_stored FROM leadscore.calendars WHERE name LIKE 'too%';
-- A row written to the table, as a restore writes it, is read without the
-- limits.
INSERT INTO leadscore.calendars (name, definition)
SELECT 'stored_many_holidays', jsonb_build_object('time_zone', 'utc',
    'week', jsonb_build_object('mon', jsonb_build_array(jsonb_build_array('09:00', '17:00'))),
    'holidays', (SELECT jsonb_agg(to_char(date '1900-01-01' + i, 'YYYY-MM-DD')) FROM generate_series(0, 100000) AS i));
SELECT definition ->> 'time_zone' AS zone, (SELECT count(*) FROM jsonb_object_keys(definition -> 'holidays')) AS holidays
FROM leadscore.calendars WHERE name = 'stored_many_holidays';
SELECT leadscore.business_diff('stored_many_holidays', '2173-10-10 00:00+00', '2173-10-17 00:00+00') AS last_week_of_holidays,
       leadscore.business_diff('stored_many_holidays', '2173-10-17 00:00+00', '2173-10-24 00:00+00') AS the_week_after;
DELETE FROM leadscore.calendars WHERE name = 'stored_many_holidays';

-- Attach configs: at most 10,000 labels, reasons and fit attributes each,
-- and 1 MB of JSON text.
CREATE TABLE limit_leads (id int PRIMARY KEY, stage text);
SELECT leadscore.attach('limit_leads', jsonb_build_object('stage_column', 'stage',
    'labels', (SELECT jsonb_object_agg('crm label ' || i, 'mql') FROM generate_series(1, 10001) AS i)));
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.attach('limit_leads', jsonb_build_object('stage_column', 'stage',
    'reasons', (SELECT jsonb_agg('reason_' || i) FROM generate_series(1, 10001) AS i)));
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.attach('limit_leads', jsonb_build_object('stage_column', 'stage', 'note', repeat('x', 1024 * 1024)));
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS refused_attachments_stored FROM leadscore.attachments WHERE target = 'limit_leads'::regclass;
SELECT count(*) AS triggers_left FROM pg_trigger WHERE tgrelid = 'limit_leads'::regclass;
-- 10,000 labels is within the limits.
SELECT leadscore.attach('limit_leads', jsonb_build_object('stage_column', 'stage',
    'labels', (SELECT jsonb_object_agg('crm label ' || i, 'mql') FROM generate_series(1, 10000) AS i))) -> 'labels' ->> 'crm label 10000' AS last_label;
INSERT INTO limit_leads VALUES (1, 'crm label 9999');
SELECT stage FROM limit_leads;
SELECT leadscore.detach('limit_leads') IS NOT NULL AS detached;
DROP TABLE limit_leads;

-- window_funnel's window: at most 2^63 - 1 microseconds. Past that, 0.6
-- said the window was not positive.
CREATE TABLE limit_events (lead int, at timestamptz, kind text);
INSERT INTO limit_events VALUES (1, '2025-01-01', 'visit'), (1, '2025-01-02', 'signup');
SELECT leadscore.window_funnel('106751991 days', at, kind = 'visit', kind = 'signup') AS longest_window FROM limit_events;
SELECT leadscore.window_funnel('106751992 days', at, kind = 'visit', kind = 'signup') FROM limit_events;
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.window_funnel('2147483647 days', at, kind = 'visit', kind = 'signup') FROM limit_events;
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.window_funnel('0 days', at, kind = 'visit', kind = 'signup') FROM limit_events;
\echo :LAST_ERROR_SQLSTATE
DROP TABLE limit_events;

-- The models this test made go, so that later tests list the models they expect.
DELETE FROM leadscore.scoring_models WHERE name IN ('wide', 'stored_wide');
