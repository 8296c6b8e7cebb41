-- Generates the benchmark's lead tables: the same leads three times, with the
-- stage stored as leadscore.lifecycle_stage, as text and as a PostgreSQL ENUM.
--   psql -v rows=10000000 -v seed=42 -f bench/generate_leads.sql
-- Deterministic: a lead's stage and score come from hashes of its id and the
-- seed, so the same rows and seed give the same data on every run, serial or
-- parallel. The stage mix follows a typical B2B database (most contacts are
-- visitors and leads; few reach sql and beyond).
\set ON_ERROR_STOP 1
\if :{?rows}
\else
\set rows 10000000
\endif
\if :{?seed}
\else
\set seed 42
\endif

SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS leadscore;
DROP TABLE IF EXISTS bench_stage, bench_text, bench_enum;
DROP TYPE IF EXISTS bench_stage_enum;
CREATE TYPE bench_stage_enum AS ENUM ('disqualified', 'recycled', 'visitor', 'lead', 'mql',
                                      'pql', 'sal', 'sql', 'opportunity', 'customer');

-- Cumulative per-mille thresholds of the stage mix.
CREATE TEMP TABLE stage_mix (upper_bound int, label text);
INSERT INTO stage_mix VALUES
    (30, 'disqualified'), (80, 'recycled'), (330, 'visitor'), (680, 'lead'), (800, 'mql'),
    (830, 'pql'), (880, 'sal'), (930, 'sql'), (970, 'opportunity'), (1000, 'customer');

-- A typical narrow CRM row: the stage sits among other small columns, where
-- its width decides the row's padding.
CREATE UNLOGGED TABLE bench_source AS
SELECT i AS id,
       (abs(hashint8(i * 31 + :seed)) % 5000)::int AS owner_id,
       (SELECT label FROM stage_mix
        WHERE upper_bound > abs(hashint8(i + :seed * 1000003::bigint)) % 1000
        ORDER BY upper_bound LIMIT 1) AS label,
       (abs(hashint8(i * 17 + :seed)) % 200)::smallint AS score
FROM generate_series(1, :rows::bigint) AS i;

CREATE TABLE bench_stage (id bigint, owner_id int, stage leadscore.lifecycle_stage, score smallint);
CREATE TABLE bench_text (id bigint, owner_id int, stage text, score smallint);
CREATE TABLE bench_enum (id bigint, owner_id int, stage bench_stage_enum, score smallint);
INSERT INTO bench_stage SELECT id, owner_id, label::leadscore.lifecycle_stage, score FROM bench_source;
INSERT INTO bench_text SELECT id, owner_id, label, score FROM bench_source;
INSERT INTO bench_enum SELECT id, owner_id, label::bench_stage_enum, score FROM bench_source;
DROP TABLE bench_source;

CREATE INDEX bench_stage_stage ON bench_stage (stage);
CREATE INDEX bench_text_stage ON bench_text (stage);
CREATE INDEX bench_enum_stage ON bench_enum (stage);
VACUUM (ANALYZE) bench_stage, bench_text, bench_enum;
