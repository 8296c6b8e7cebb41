-- pg_dump keeps what leadscore knows: attachments, history (with its
-- identity), models, calendars, and the triggers on the CRM's tables, which
-- work after restore.

CREATE TABLE dumped_contacts (id int PRIMARY KEY, lifecyclestage text, mql_at timestamptz);
SELECT leadscore.attach('dumped_contacts', '{"stage_column": "lifecyclestage", "stamps": {"mql": "mql_at"}}') IS NOT NULL AS attached;
INSERT INTO dumped_contacts VALUES (1, 'lead'), (2, 'lead');
UPDATE dumped_contacts SET lifecyclestage = 'mql' WHERE id = 1;
SELECT max(id) AS last_history_id FROM leadscore.stage_history \gset
SELECT leadscore.define_model('dumped', '{"engagement": {"events": {"demo_view": 30}}}');
SELECT leadscore.define_model('dumped', '{"engagement": {"events": {"demo_view": 35}}}');
SELECT leadscore.define_calendar('dumped_office', '{"time_zone": "Europe/Berlin",
  "week": {"mon": [["09:00", "17:00"]]}, "holidays": ["2025-12-29"]}') IS NOT NULL AS calendar_defined;

-- A partitioned events table: the clones of its trigger on the partitions
-- are left out of the dump (they name their parent trigger), and the
-- restore clones the restored trigger again. A clone keeps its own enabled
-- state (PostgreSQL 15 does not pass ENABLE ALWAYS of the parent on to
-- statement-trigger clones), which the dump records as an ALTER TABLE.
CREATE TABLE dumped_scored (id int PRIMARY KEY, stage text, score numeric);
SELECT leadscore.attach('dumped_scored', '{"stage_column": "stage", "score_column": "score"}') IS NOT NULL AS attached;
CREATE TABLE dumped_events (lead_id int, event_type text, occurred_at timestamptz) PARTITION BY RANGE (occurred_at);
CREATE TABLE "Dumped events 2025" PARTITION OF dumped_events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
SELECT leadscore.attach_events('dumped_events', '{"leads": "dumped_scored", "lead_column": "lead_id"}') IS NOT NULL AS events_attached;
ALTER TABLE dumped_events ENABLE ALWAYS TRIGGER zz_leadscore_events;
SELECT tgrelid::regclass AS on_table, tgname, tgenabled, tgparentid <> 0 AS clone FROM pg_trigger
WHERE tgrelid IN ('dumped_events'::regclass, '"Dumped events 2025"'::regclass) ORDER BY 1;
INSERT INTO dumped_scored VALUES (1, 'lead');
-- An SLA met by activity: its trigger records the table's OID, which the
-- restore changes.
CREATE TABLE dumped_calls (lead_id int, at timestamptz);
CREATE TABLE dumped_sla (id int PRIMARY KEY, stage text, mql_at timestamptz);
SELECT leadscore.attach('dumped_sla', '{"stage_column": "stage", "stamps": {"mql": "mql_at"}, "notify_channel": null,
  "sla": {"calendar": "dumped_office", "policies": [{"name": "called", "within": "8 hours",
          "met_by": {"events": "public.dumped_calls", "lead_column": "lead_id", "time_column": "at"}}]}}') IS NOT NULL AS attached;
INSERT INTO dumped_sla VALUES (1, 'mql', '2025-12-01 09:00+01');

\! pg_dump --format=custom --file=results/dump_restore.dump contrib_regression
-- (two zz_leadscore_events entries in the dump: the parent's trigger, and
-- the clone's enabled state, which differs from its parent's)
\! pg_restore --list results/dump_restore.dump | grep -c 'TRIGGER public .* zz_leadscore_events'
CREATE DATABASE leadscore_restored;
\! pg_restore --exit-on-error --dbname=leadscore_restored results/dump_restore.dump
\c leadscore_restored

SELECT target, stage_column, mode, triggers_present FROM leadscore.attachments ORDER BY target::text;
SELECT lead_key, from_stage, to_stage FROM leadscore.stage_history
WHERE target = 'dumped_contacts'::regclass ORDER BY id;
SELECT id, lifecyclestage, mql_at IS NOT NULL AS stamped FROM dumped_contacts ORDER BY id;
-- The restored trigger works, and new history rows continue the identity.
UPDATE dumped_contacts SET lifecyclestage = 'marketingqualifiedlead' WHERE id = 2;
SELECT id, lifecyclestage, mql_at IS NOT NULL AS stamped FROM dumped_contacts WHERE id = 2;
SELECT id > :last_history_id AS identity_continues, lead_key, from_stage, to_stage
FROM leadscore.stage_history WHERE target = 'dumped_contacts'::regclass ORDER BY id DESC LIMIT 1;

-- Models come back, every version; the built-in default is there once.
SELECT name, version, is_current FROM leadscore.models ORDER BY name, version;
SELECT leadscore.engagement_score('dumped', 'demo_view', now(), now()) AS restored_model_scores;
SELECT leadscore.define_model('dumped', '{"engagement": {"events": {"demo_view": 40}}}') AS next_version;
-- Calendars come back and compute (2025-12-29 is a Monday holiday).
SELECT name, definition -> 'holidays' AS holidays FROM leadscore.calendars WHERE name = 'dumped_office';
SELECT leadscore.business_diff('dumped_office', '2025-12-22 00:00+01', '2026-01-06 00:00+01') = interval '16 hours'
    AS two_mondays;

-- The partition has its clone again, and rows written straight into it
-- rescore their lead.
SELECT tgrelid::regclass AS on_table, tgname, tgenabled, tgparentid <> 0 AS clone FROM pg_trigger
WHERE tgrelid IN ('dumped_events'::regclass, '"Dumped events 2025"'::regclass) ORDER BY 1;
INSERT INTO "Dumped events 2025" VALUES (1, 'demo_view', '2025-06-01');
SELECT id, score IS NOT NULL AS scored FROM dumped_scored;
-- Activity in the restored database meets the restored clock.
INSERT INTO dumped_calls VALUES (1, '2025-12-01 10:00+01');
SELECT policy, status FROM leadscore.sla_clocks WHERE target = 'dumped_sla'::regclass;

\c contrib_regression
DROP DATABASE leadscore_restored;
SELECT leadscore.detach('dumped_contacts');
DROP TABLE dumped_contacts;
SELECT leadscore.detach_events('dumped_events');
SELECT leadscore.detach('dumped_scored');
SELECT leadscore.detach('dumped_sla');
DROP TABLE dumped_events, dumped_scored, dumped_sla, dumped_calls;
DELETE FROM leadscore.sla_clocks;
SELECT leadscore.drop_calendar('dumped_office');
