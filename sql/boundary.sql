-- The C++/PostgreSQL boundary: exceptions thrown deep in the core surface as
-- clean ERRORs with a SQLSTATE, the session keeps working, and failing over
-- and over does not grow the backend's memory.

\set VERBOSITY default

-- The probe is a test diagnostic, not part of the extension: its entry
-- point is in the module, and the test declares it for this session (a
-- superuser's right, like any C function's declaration).
CREATE FUNCTION pg_temp.boundary_probe(failure text, depth integer DEFAULT 10)
    RETURNS integer AS '$libdir/leadscore', 'boundary_probe'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
SELECT count(*) AS probes_in_the_extension FROM pg_proc WHERE proname = 'boundary_probe'
    AND pronamespace = 'leadscore'::regnamespace;

-- boundary_probe recurses through core frames that hold heap objects, then
-- fails in the way asked for.
SELECT pg_temp.boundary_probe('none', 200) AS frames_visited;
SELECT pg_temp.boundary_probe('core_error', 200);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.boundary_probe('out_of_memory', 200);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.boundary_probe('std_exception', 200);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.boundary_probe('foreign_object', 200);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.boundary_probe('segfault', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.boundary_probe('none', 0);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.boundary_probe('none', 1001);
\echo :LAST_ERROR_SQLSTATE

-- The same session still works, and so does the same function.
SELECT pg_temp.boundary_probe('none', 3) AS frames_visited, 'mql'::leadscore.lifecycle_stage;

-- A failing core call inside a transaction aborts it like any ERROR, and a
-- savepoint recovers from it.
BEGIN;
CREATE TABLE boundary_t (stage leadscore.lifecycle_stage);
INSERT INTO boundary_t VALUES ('lead');
SAVEPOINT before_failure;
INSERT INTO boundary_t VALUES ('bogus');
ROLLBACK TO SAVEPOINT before_failure;
INSERT INTO boundary_t VALUES ('customer');
COMMIT;
SELECT array_agg(stage ORDER BY stage) AS committed FROM boundary_t;
DROP TABLE boundary_t;

-- 100 000 failing calls, alternating the exception kinds and the label
-- parser, must not grow the backend's resident memory. A leak of even 20
-- bytes per failure would add 2 MB; the bound below is 1 MB.
CREATE FUNCTION pg_temp.resident_kb() RETURNS bigint LANGUAGE sql AS $$
    SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmRSS:\s+(\d+)'))[1]::bigint
$$;
CREATE FUNCTION pg_temp.fail_repeatedly(calls int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    failures int := 0;
    kinds text[] := ARRAY['core_error', 'out_of_memory', 'std_exception', 'foreign_object'];
BEGIN
    FOR i IN 1 .. calls LOOP
        BEGIN
            IF i % 5 = 0 THEN
                PERFORM ('not a stage ' || i)::leadscore.lifecycle_stage;
            ELSE
                PERFORM pg_temp.boundary_probe(kinds[1 + i % 4], 1 + i % 30);
            END IF;
        EXCEPTION WHEN others THEN
            failures := failures + 1;
        END;
    END LOOP;
    RETURN failures;
END $$;
-- Warm up: caches, the PL/pgSQL function, the malloc arenas.
SELECT pg_temp.fail_repeatedly(20000) AS warmup_failures;
SELECT pg_temp.resident_kb() AS before_kb \gset
SELECT pg_temp.fail_repeatedly(100000) AS failures;
SELECT pg_temp.resident_kb() AS after_kb \gset
SELECT CASE WHEN :after_kb - :before_kb < 1024 THEN 'did not grow'
            ELSE 'grew by ' || (:after_kb - :before_kb) || ' kB' END AS resident_memory;
