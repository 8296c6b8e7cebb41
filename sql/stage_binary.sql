-- Binary send/recv (COPY BINARY), storage size, and what happens to
-- malformed binary input and to corrupted stored values.

-- lifecycle_stage operators are found through search_path.
SET search_path = public, leadscore;

-- One byte on disk, passed by value.
SELECT typlen, typbyval, typalign, typstorage
FROM pg_type WHERE oid = 'leadscore.lifecycle_stage'::regtype;
SELECT pg_column_size('opportunity'::leadscore.lifecycle_stage) AS stage_bytes;

-- The binary form is one byte: the stage code.
SELECT s, leadscore.lifecycle_stage_send(s) AS binary
FROM leadscore.stages() AS s;

-- COPY BINARY round-trips every stage and NULL. The files go into the
-- (throwaway) cluster's data directory, so they disappear with it.
CREATE TABLE stage_copy (id int, stage leadscore.lifecycle_stage);
INSERT INTO stage_copy SELECT leadscore.stage_rank(s), s FROM leadscore.stages() AS s;
INSERT INTO stage_copy VALUES (11, NULL);
SELECT current_setting('data_directory') || '/leadscore_regress' AS file_prefix \gset
SELECT :'file_prefix' || '_good.bin' AS good_file \gset
COPY stage_copy TO :'good_file' WITH (FORMAT binary);
CREATE TABLE stage_copy_back (LIKE stage_copy);
COPY stage_copy_back FROM :'good_file' WITH (FORMAT binary);
SELECT count(*) AS rows_copied,
       count(*) FILTER (WHERE a.stage IS NOT DISTINCT FROM b.stage) AS rows_identical
FROM stage_copy AS a JOIN stage_copy_back AS b USING (id);

-- Malformed binary files: header, one row with one field, trailer.
CREATE FUNCTION pg_temp.write_copy_file(path text, field bytea) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    lo oid;
BEGIN
    lo := lo_from_bytea(0, '\x5047434f50590aff0d0a00'::bytea   -- signature
                           || '\x0000000000000000'::bytea         -- flags, header extension
                           || '\x0001'::bytea                     -- one field
                           || int4send(length(field)) || field
                           || '\xffff'::bytea);                   -- trailer
    PERFORM lo_export(lo, path);
    PERFORM lo_unlink(lo);
    RETURN path;
END $$;

\set VERBOSITY default
\set SHOW_CONTEXT never
-- Two bytes instead of one.
SELECT pg_temp.write_copy_file(:'file_prefix' || '_long.bin', '\x0404') AS bad_file \gset
COPY stage_copy_back (stage) FROM :'bad_file' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
-- No bytes at all (an empty field, not a NULL).
SELECT pg_temp.write_copy_file(:'file_prefix' || '_empty.bin', '\x') AS bad_file \gset
COPY stage_copy_back (stage) FROM :'bad_file' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
-- Code 10: one past customer.
SELECT pg_temp.write_copy_file(:'file_prefix' || '_range.bin', '\x0a') AS bad_file \gset
COPY stage_copy_back (stage) FROM :'bad_file' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
-- Code 255.
SELECT pg_temp.write_copy_file(:'file_prefix' || '_ff.bin', '\xff') AS bad_file \gset
COPY stage_copy_back (stage) FROM :'bad_file' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
-- Nothing was written by the failed COPYs.
SELECT count(*) AS rows_after_failed_copies FROM stage_copy_back;
-- A valid hand-written file is accepted: the format is what the docs say.
SELECT pg_temp.write_copy_file(:'file_prefix' || '_mql.bin', '\x04') AS mql_file \gset
COPY stage_copy_back (stage) FROM :'mql_file' WITH (FORMAT binary);
SELECT stage FROM stage_copy_back WHERE id IS NULL;

-- A stored byte that is not a stage (only possible through a cast created
-- WITHOUT FUNCTION, or damaged storage) is reported, never used as an index.
CREATE CAST ("char" AS leadscore.lifecycle_stage) WITHOUT FUNCTION;
SELECT 'x'::"char"::leadscore.lifecycle_stage;
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.lifecycle_stage_send('x'::"char"::leadscore.lifecycle_stage);
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.stage_rank('x'::"char"::leadscore.lifecycle_stage);
\echo :LAST_ERROR_SQLSTATE
-- Comparisons never fail, not even on such a byte (they are LEAKPROOF).
SELECT 'x'::"char"::leadscore.lifecycle_stage > 'customer' AS corrupted_sorts_last;
DROP CAST ("char" AS leadscore.lifecycle_stage);

-- Support functions called directly with wrong arguments: functions taking
-- internal cannot be called from SQL at all, NULLs give NULL (STRICT), and
-- wrong types find no function. Those errors are PostgreSQL's own, and
-- they change between minor releases: 15.18 takes the literals through
-- internal's input function, which refuses them (0A000), 15.20 finds no
-- cast or function for them (42846, 42883). Either way the call is refused,
-- which is what is checked; elsewhere only SQLSTATEs are shown.
CREATE FUNCTION pg_temp.refused(statement text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'ran';
EXCEPTION WHEN feature_not_supported OR cannot_coerce OR undefined_function THEN
    RETURN 'refused';
END $$;
SELECT pg_temp.refused('SELECT leadscore.lifecycle_stage_recv(NULL::internal)') AS recv_from_sql,
       pg_temp.refused($$SELECT leadscore.lifecycle_stage_sortsupport('x')$$) AS sortsupport_from_sql;
\set VERBOSITY sqlstate
SELECT leadscore.lifecycle_stage_cmp(NULL, 'mql') IS NULL AS cmp_null,
       leadscore.lifecycle_stage_hash_extended('mql', NULL) IS NULL AS hash_null,
       leadscore.lifecycle_stage_hash('mql') = leadscore.lifecycle_stage_hash('MQL') AS alias_hash_equal,
       -- PostgreSQL's rule for hash opclasses: seed 0 gives the standard hash in the low 32 bits.
       (leadscore.lifecycle_stage_hash_extended('mql', 0) & 4294967295)
           = (leadscore.lifecycle_stage_hash('mql')::bigint & 4294967295) AS seed_zero_low_bits;
SELECT leadscore.lifecycle_stage_lt('mql', 42);
\set VERBOSITY default
SELECT leadscore.lifecycle_stage_out('not a stage');
SELECT leadscore.lifecycle_stage_out(NULL) IS NULL AS out_null;

-- The session keeps working after all these errors.
SELECT count(*) AS rows_still_there FROM stage_copy;
DROP TABLE stage_copy, stage_copy_back;
