-- Cost per statement of an INSERT of one event (each its own transaction,
-- as an application logging activity writes them) into an events table
-- attached for rescoring, with and without an SLA policy met by activity
-- (at_least 3). Run in a scratch database:
--   psql -X -q -v leads=2000 -f bench/events_single_row.sql
-- Prints the milliseconds per INSERT of three rounds (one event per lead per
-- round; the SLA clocks are met in the third).
\set ON_ERROR_STOP 1
\if :{?leads}
\else
\set leads 2000
\endif
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS leadscore;
SELECT leadscore.define_calendar('bench_always', '{"time_zone": "UTC", "week": {"mon": [["00:00", "24:00"]],
  "tue": [["00:00", "24:00"]], "wed": [["00:00", "24:00"]], "thu": [["00:00", "24:00"]], "fri": [["00:00", "24:00"]],
  "sat": [["00:00", "24:00"]], "sun": [["00:00", "24:00"]]}}') IS NOT NULL AS defined \gset
DROP TABLE IF EXISTS bench_single_events, bench_single_leads;
CREATE TABLE bench_single_leads (id int PRIMARY KEY, stage text, mql_at timestamptz, score numeric);
CREATE TABLE bench_single_events (lead_id int, event_type text, occurred_at timestamptz);
CREATE INDEX ON bench_single_events (lead_id, occurred_at);
INSERT INTO bench_single_leads SELECT i, 'mql', now() - interval '1 hour' FROM generate_series(1, :leads) AS i;

\echo rescoring only (ms per INSERT):
SELECT leadscore.attach('bench_single_leads', '{"stage_column": "stage", "score_column": "score",
  "notify_channel": null}') IS NOT NULL AS attached \gset
SELECT leadscore.attach_events('bench_single_events', '{"leads": "bench_single_leads",
  "lead_column": "lead_id"}') IS NOT NULL AS attached \gset
SELECT 1 AS round \gset
\ir events_single_row_round.sql
\ir events_single_row_round.sql
\ir events_single_row_round.sql

\echo rescoring and an SLA met by 3 activities (ms per INSERT):
SELECT leadscore.detach('bench_single_leads') IS NOT NULL AS detached \gset
TRUNCATE bench_single_events, bench_single_leads;
SELECT leadscore.attach('bench_single_leads', '{"stage_column": "stage", "score_column": "score",
  "stamps": {"mql": "mql_at"}, "notify_channel": null,
  "sla": {"calendar": "bench_always", "policies": [{"name": "touch", "within": "100 hours",
          "met_by": {"events": "public.bench_single_events", "lead_column": "lead_id",
                     "time_column": "occurred_at", "at_least": 3}}]}}') IS NOT NULL AS attached \gset
INSERT INTO bench_single_leads SELECT i, 'mql', now() - interval '1 hour' FROM generate_series(1, :leads) AS i;
SELECT 1 AS round \gset
\ir events_single_row_round.sql
\ir events_single_row_round.sql
\ir events_single_row_round.sql
SELECT status, count(*) AS clocks FROM leadscore.sla_clocks
WHERE target = 'bench_single_leads'::regclass AND policy = 'touch' GROUP BY status ORDER BY status;
SELECT leadscore.detach('bench_single_leads') IS NOT NULL AS detached \gset
DELETE FROM leadscore.sla_clocks WHERE target = 'bench_single_leads'::regclass;
DROP TABLE bench_single_events, bench_single_leads;
SELECT leadscore.drop_calendar('bench_always') IS NULL AS dropped \gset
