-- Validation time of big documents: scoring models by number of fit rules,
-- calendars by number of holidays, attach configs by number of labels, so
-- that one can see the time grow linearly with the size (and see how fast a
-- document over the limits is refused). Run in a scratch database:
--   psql -X -q -f bench/model_validation.sql
--   psql -X -q -v rules=10000,20000,50000 -v holidays=10000,50000,100000 \
--        -v labels=1000,10000 -f bench/model_validation.sql
-- Prints, per size, the JSON text's bytes and the milliseconds of the
-- validation alone (_check_model, _check_calendar: the best of 3) and of the
-- whole definition (define_model, define_calendar, attach: once, as each
-- stores a new version). A size over a limit prints the SQLSTATE it got.
\set ON_ERROR_STOP 1
\if :{?rules}
\else
\set rules 1000,2500,5000,10000,10001,50000
\endif
\if :{?holidays}
\else
\set holidays 10000,20000,50000,100000,100001
\endif
\if :{?labels}
\else
\set labels 1000,10000,10001
\endif
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS leadscore;

-- The milliseconds `statement` takes (the best of `runs`), or its SQLSTATE.
CREATE OR REPLACE FUNCTION pg_temp.bench_ms(statement text, runs int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    started timestamptz;
    best float8;
    took float8;
BEGIN
    FOR i IN 1 .. runs LOOP
        started := clock_timestamp();
        BEGIN
            EXECUTE statement;
        EXCEPTION WHEN OTHERS THEN
            RETURN 'ERROR ' || SQLSTATE || ' after '
                   || round((extract(epoch FROM clock_timestamp() - started) * 1000)::numeric, 1) || ' ms';
        END;
        took := extract(epoch FROM clock_timestamp() - started) * 1000;
        best := least(coalesce(best, took), took);
    END LOOP;
    RETURN round(best::numeric, 1)::text;
END
$$;

-- A model of `n` equals rules, each on its own attribute (the worst case of
-- 0.6's validation: every name and attribute is new).
CREATE OR REPLACE FUNCTION pg_temp.bench_model(n int) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('fit', jsonb_build_object('rules', jsonb_agg(jsonb_build_object(
        'name', 'rule_' || i, 'attribute', 'attribute_' || i, 'equals', 'value', 'points', 1)
        ORDER BY i)))
    FROM generate_series(1, n) AS i
$$;

-- A calendar of `n` closed days from 1900 on, as an object of dates.
CREATE OR REPLACE FUNCTION pg_temp.bench_calendar(n int) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('time_zone', 'UTC',
                              'week', '{"mon": [["09:00", "17:00"]]}'::jsonb,
                              'holidays', jsonb_object_agg(to_char(date '1900-01-01' + i, 'YYYY-MM-DD'),
                                                           '[]'::jsonb))
    FROM generate_series(0, n - 1) AS i
$$;

-- An attach config mapping `n` CRM labels to stages.
CREATE OR REPLACE FUNCTION pg_temp.bench_attach(n int) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('stage_column', 'stage', 'notify_channel', NULL,
                              'labels', jsonb_object_agg('crm label ' || i, 'mql'))
    FROM generate_series(1, n) AS i
$$;

-- The documents, built before any timing starts.
CREATE TEMP TABLE bench_documents (kind text, n int, document jsonb, PRIMARY KEY (kind, n));
INSERT INTO bench_documents
SELECT 'model', n, pg_temp.bench_model(n) FROM unnest(string_to_array(:'rules', ',')::int[]) AS n
UNION ALL
SELECT 'calendar', n, pg_temp.bench_calendar(n) FROM unnest(string_to_array(:'holidays', ',')::int[]) AS n
UNION ALL
SELECT 'attach', n, pg_temp.bench_attach(n) FROM unnest(string_to_array(:'labels', ',')::int[]) AS n;

CREATE FUNCTION pg_temp.bench_document(kind text, n int) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT d.document FROM bench_documents AS d WHERE d.kind = bench_document.kind AND d.n = bench_document.n
$$;

-- Cancellation: with statement_timeout below the time the biggest legal
-- model takes to validate (above), the statement ends at the timeout
-- (57014), not when validation is done (0.6: a 2 s timeout took effect
-- after 29 s). psql's timing shows when; any other outcome stops the run.
\echo statement_timeout = 10ms: a 10000-rule validation is cancelled after
\set ON_ERROR_STOP 0
\timing on
SET statement_timeout = '10ms';
SELECT leadscore._check_model('bench', document) IS NOT NULL AS validated
FROM bench_documents WHERE kind = 'model' AND n = 10000;
\timing off
\set ON_ERROR_STOP 1
RESET statement_timeout;
SELECT :'LAST_ERROR_SQLSTATE' = '57014' AS cancelled \gset
\if :cancelled
\else
\echo the validation was not cancelled by statement_timeout
\quit 1
\endif

DROP TABLE IF EXISTS bench_validation_leads;
CREATE TABLE bench_validation_leads (id int PRIMARY KEY, stage text);

\echo scoring models: fit rules, bytes of JSON, ms to validate (_check_model), ms to define (define_model)
SELECT n AS rules, octet_length(document::text) AS bytes,
       pg_temp.bench_ms(format('SELECT leadscore._check_model(%L, pg_temp.bench_document(''model'', %s))', 'bench', n), 3)
           AS check_ms,
       pg_temp.bench_ms(format('SELECT leadscore.define_model(%L, pg_temp.bench_document(''model'', %s))',
                               'bench_' || n || '_' || txid_current(), n), 1) AS define_ms
FROM bench_documents WHERE kind = 'model' ORDER BY n;

\echo calendars: holidays, bytes of JSON, ms to validate (_check_calendar), ms to define (define_calendar)
SELECT n AS holidays, octet_length(document::text) AS bytes,
       pg_temp.bench_ms(format('SELECT leadscore._check_calendar(%L, pg_temp.bench_document(''calendar'', %s))', 'bench', n), 3)
           AS check_ms,
       pg_temp.bench_ms(format('SELECT leadscore.define_calendar(%L, pg_temp.bench_document(''calendar'', %s))',
                               'bench_' || n, n), 1) AS define_ms
FROM bench_documents WHERE kind = 'calendar' ORDER BY n;

\echo attach configs: labels, bytes of JSON, ms to validate (_attachment_config), ms to attach
SELECT n AS labels, octet_length(document::text) AS bytes,
       pg_temp.bench_ms(format('SELECT leadscore._attachment_config(%L, pg_temp.bench_document(''attach'', %s))',
                               'bench_validation_leads', n), 3) AS check_ms,
       pg_temp.bench_ms(format('SELECT leadscore.attach(%L, pg_temp.bench_document(''attach'', %s))',
                               'bench_validation_leads', n), 1) AS attach_ms
FROM bench_documents WHERE kind = 'attach' ORDER BY n;

SELECT leadscore.detach('bench_validation_leads') IS NOT NULL AS detached \gset
DROP TABLE bench_validation_leads;
