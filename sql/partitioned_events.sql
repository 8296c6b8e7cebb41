-- A partitioned events table: leadscore's events triggers are statement
-- triggers, which PostgreSQL does not clone onto partitions, so leadscore
-- clones them onto every partition, present and future, as PostgreSQL
-- clones row triggers (same name, the parent trigger recorded): a clone
-- goes when its partition is detached or its parent trigger dropped. Rows
-- inserted straight into a partition rescore their leads and meet SLA
-- clocks, counting the activity of the whole table.
SET TimeZone = 'UTC';
SELECT leadscore.define_calendar('parted_always', '{"time_zone": "UTC", "week": {
  "mon": [["00:00", "24:00"]], "tue": [["00:00", "24:00"]], "wed": [["00:00", "24:00"]], "thu": [["00:00", "24:00"]],
  "fri": [["00:00", "24:00"]], "sat": [["00:00", "24:00"]], "sun": [["00:00", "24:00"]]}}') IS NOT NULL AS defined;
CREATE ROLE parted_crm;
GRANT CREATE ON SCHEMA public TO parted_crm;
CREATE TABLE parted_leads (id int PRIMARY KEY, stage text, mql_at timestamptz, score numeric);
-- By month, November split again by event type (a partition that is
-- itself partitioned), and a default partition.
CREATE TABLE parted_events (lead_id int, event_type text, occurred_at timestamptz)
    PARTITION BY RANGE (occurred_at);
CREATE TABLE parted_events_2025_11 PARTITION OF parted_events
    FOR VALUES FROM ('2025-11-01') TO ('2025-12-01') PARTITION BY LIST (event_type);
CREATE TABLE parted_events_2025_11_web PARTITION OF parted_events_2025_11 FOR VALUES IN ('pricing_view', 'demo_view');
CREATE TABLE parted_events_2025_11_other PARTITION OF parted_events_2025_11 DEFAULT;
CREATE TABLE parted_events_2025_12 PARTITION OF parted_events FOR VALUES FROM ('2025-12-01') TO ('2026-01-01');
CREATE TABLE parted_events_rest PARTITION OF parted_events DEFAULT;
CREATE INDEX ON parted_events (lead_id, occurred_at);
ALTER TABLE parted_leads OWNER TO parted_crm;
ALTER TABLE parted_events OWNER TO parted_crm;
ALTER TABLE parted_events_2025_11 OWNER TO parted_crm;
ALTER TABLE parted_events_2025_11_web OWNER TO parted_crm;
ALTER TABLE parted_events_2025_11_other OWNER TO parted_crm;
ALTER TABLE parted_events_2025_12 OWNER TO parted_crm;
ALTER TABLE parted_events_rest OWNER TO parted_crm;

-- Scores from the events, and an SLA met by two calls or demos.
SELECT leadscore.attach('parted_leads', '{"stage_column": "stage", "score_column": "score", "stamps": {"mql": "mql_at"},
  "notify_channel": null, "reason_column": null,
  "sla": {"calendar": "parted_always", "policies": [{"name": "two_touches", "within": "720 hours",
          "met_by": {"events": "public.parted_events", "lead_column": "lead_id", "time_column": "occurred_at",
                     "type_column": "event_type", "types": ["call", "demo_view"], "at_least": 2}}]}}') IS NOT NULL AS attached;
SELECT leadscore.attach_events('parted_events', '{"leads": "parted_leads", "lead_column": "lead_id"}') IS NOT NULL AS events_attached;
-- The originals on the parent, a clone of each on every partition.
SELECT tgrelid::regclass AS on_table, replace(tgname, 'parted_leads'::regclass::oid::text, '<oid>') AS trigger,
       tgparentid <> 0 AS clone
FROM pg_trigger WHERE tgrelid::regclass::text LIKE 'parted_events%' AND NOT tgisinternal ORDER BY 1, 2;

SET ROLE parted_crm;
INSERT INTO parted_leads (id, stage, mql_at) VALUES (1, 'mql', '2025-11-20'), (2, 'mql', '2025-11-20');
-- Straight into partitions, the nested one included: each statement
-- rescores its leads as rescore would.
INSERT INTO parted_events_2025_11_web VALUES (1, 'pricing_view', '2025-11-21');
SELECT id, score FROM parted_leads ORDER BY id;
INSERT INTO parted_events_2025_11 VALUES (1, 'demo_view', '2025-11-22');
COPY parted_events_2025_12 FROM STDIN;
2	webinar	2025-12-02 10:00:00+00
\.
SELECT id, score FROM parted_leads ORDER BY id;
RESET ROLE;
SELECT leadscore.rescore('parted_leads', now()) AS nothing_changed;

-- The SLA counts the whole table: lead 1's demo in November and a call
-- in December (straight into its partition) make two touches.
SELECT lead_key, status, met_at FROM leadscore.sla_clocks WHERE policy = 'two_touches' ORDER BY lead_key;
INSERT INTO parted_events_2025_12 VALUES (1, 'call', '2025-12-03 09:00');
SELECT lead_key, status, met_at FROM leadscore.sla_clocks WHERE policy = 'two_touches' ORDER BY lead_key;

-- Rows inserted through the parent fire the parent's trigger only (its
-- transition table holds them all), as before.
INSERT INTO parted_events VALUES (2, 'demo_view', '2025-11-25'), (2, 'call', '2025-12-04');
SELECT lead_key, status, met_at FROM leadscore.sla_clocks WHERE policy = 'two_touches' ORDER BY lead_key;
SELECT leadscore.rescore('parted_leads', now()) AS nothing_changed;

-- A partition created later, by the table's owner (who may not run the
-- SLA function), gets the clones; so does a table attached as a
-- partition. A detached partition loses them, and rows inserted into it
-- afterwards count for nothing. A clone cannot be dropped on its own.
SET ROLE parted_crm;
CREATE TABLE parted_events_2026_01 PARTITION OF parted_events FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
CREATE TABLE parted_events_2026_02 (lead_id int, event_type text, occurred_at timestamptz);
ALTER TABLE parted_events ATTACH PARTITION parted_events_2026_02 FOR VALUES FROM ('2026-02-01') TO ('2026-03-01');
ALTER TABLE parted_events DETACH PARTITION parted_events_2025_12;
RESET ROLE;
SELECT tgrelid::regclass AS on_table, replace(tgname, 'parted_leads'::regclass::oid::text, '<oid>') AS trigger
FROM pg_trigger WHERE tgrelid::regclass::text LIKE 'parted_events_202%' AND NOT tgisinternal ORDER BY 1, 2;
DROP TRIGGER zz_leadscore_events ON parted_events_2026_01;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO parted_events_2026_01 VALUES (2, 'demo_view', '2026-01-05');
SELECT id, score, score = (SELECT leadscore.engagement_score('default', e.event_type, e.occurred_at, now())
                           FROM parted_events AS e WHERE e.lead_id = 2) AS as_rescore_computes
FROM parted_leads WHERE id = 2;
CREATE TEMP TABLE parted_before AS SELECT score FROM parted_leads WHERE id = 1;
INSERT INTO parted_events_2025_12 VALUES (1, 'demo_view', '2025-12-20');
SELECT l.score = b.score AS unchanged FROM parted_leads AS l, parted_before AS b WHERE l.id = 1;

-- A partition created while the event trigger was off (or clones lost by
-- pg_upgrade, which restores the event trigger after the tables' triggers)
-- gets its clones from repair_partition_triggers().
ALTER EVENT TRIGGER leadscore_partitions_changed DISABLE;
CREATE TABLE parted_events_2026_03 PARTITION OF parted_events FOR VALUES FROM ('2026-03-01') TO ('2026-04-01');
ALTER EVENT TRIGGER leadscore_partitions_changed ENABLE;
SELECT count(*) AS clones FROM pg_trigger WHERE tgrelid = 'parted_events_2026_03'::regclass AND NOT tgisinternal;
SELECT leadscore.repair_partition_triggers() AS clones_made;
SELECT leadscore.repair_partition_triggers() AS clones_made_again;
SELECT count(*) AS clones FROM pg_trigger WHERE tgrelid = 'parted_events_2026_03'::regclass AND tgparentid <> 0;

-- Only leadscore's own events triggers are cloned: a trigger of the same
-- name calling another function stays where it is, and so does one calling
-- leadscore's on a table that is not an attached events table.
CREATE TABLE parted_other (id int, at timestamptz) PARTITION BY RANGE (at);
CREATE FUNCTION parted_noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER zz_leadscore_events AFTER INSERT ON parted_other REFERENCING NEW TABLE AS leadscore_new_events
    FOR EACH STATEMENT EXECUTE FUNCTION parted_noop();
CREATE TABLE parted_other_1 PARTITION OF parted_other DEFAULT;
SELECT count(*) AS cloned FROM pg_trigger WHERE tgrelid = 'parted_other_1'::regclass AND NOT tgisinternal;
DROP TRIGGER zz_leadscore_events ON parted_other;
CREATE TRIGGER zz_leadscore_events AFTER INSERT ON parted_other REFERENCING NEW TABLE AS leadscore_new_events
    FOR EACH STATEMENT EXECUTE FUNCTION leadscore._events_inserted();
CREATE TABLE parted_other_2 PARTITION OF parted_other FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
SELECT count(*) AS cloned FROM pg_trigger WHERE tgrelid = 'parted_other_2'::regclass AND NOT tgisinternal;
DROP TABLE parted_other;
DROP FUNCTION parted_noop();

-- The cloning function refuses what is not a clonable statement trigger
-- of a partition's parent (PUBLIC cannot run it; a superuser can).
CREATE TABLE parted_bad (id int, at timestamptz) PARTITION BY RANGE (at);
CREATE TABLE parted_bad_1 PARTITION OF parted_bad DEFAULT;
CREATE TABLE parted_plain (id int);
CREATE FUNCTION parted_noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER row_level AFTER INSERT ON parted_bad FOR EACH ROW EXECUTE FUNCTION parted_noop();
CREATE TRIGGER with_columns AFTER UPDATE OF id ON parted_bad FOR EACH STATEMENT EXECUTE FUNCTION parted_noop();
CREATE TRIGGER statement_level AFTER INSERT ON parted_bad FOR EACH STATEMENT EXECUTE FUNCTION parted_noop();
SELECT leadscore._clone_events_trigger((SELECT oid FROM pg_trigger WHERE tgname = 'row_level' AND tgrelid = 'parted_bad'::regclass),
                                       'parted_bad_1');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore._clone_events_trigger((SELECT oid FROM pg_trigger WHERE tgname = 'with_columns'), 'parted_bad_1');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore._clone_events_trigger((SELECT oid FROM pg_trigger WHERE tgname = 'statement_level'), 'parted_plain');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore._clone_events_trigger(0, 'parted_bad_1');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore._clone_events_trigger(NULL, 'parted_bad_1');
\echo :LAST_ERROR_SQLSTATE
SELECT has_function_privilege('public', 'leadscore._clone_events_trigger(oid, regclass)', 'EXECUTE') AS public_may_clone,
       has_function_privilege('public', 'leadscore._query_as_owner(regclass, text, jsonb)', 'EXECUTE') AS public_may_query;
SELECT leadscore._query_as_owner('parted_plain', 'SELECT $1', NULL);
\echo :LAST_ERROR_SQLSTATE
DROP TABLE parted_bad, parted_plain;
DROP FUNCTION parted_noop();

-- detach_events and detach remove the clones with the originals.
SELECT leadscore.detach_events('parted_events');
SELECT leadscore.detach('parted_leads');
SELECT count(*) AS triggers_left FROM pg_trigger
WHERE tgrelid::regclass::text LIKE 'parted_events%' AND NOT tgisinternal;
DROP TABLE parted_events, parted_events_2025_12, parted_leads;
REVOKE CREATE ON SCHEMA public FROM parted_crm;
DROP ROLE parted_crm;
DELETE FROM leadscore.sla_clocks;
SELECT leadscore.drop_calendar('parted_always');
