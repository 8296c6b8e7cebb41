-- A database updated through the chain of upgrade scripts, from 0.1 and
-- from 0.6, has exactly the extension objects of a fresh install of the
-- current version (built from src/sql/): every aspect of every member
-- (signatures, bodies, privileges, comments, columns, defaults,
-- constraints, indexes, triggers, policies, what pg_dump keeps, the
-- built-in rows), as listed by sql/include/extension_members.sql. The
-- aspects found in one database and not the other are shown: none.

CREATE DATABASE leadscore_fresh;
CREATE DATABASE leadscore_from_01;
CREATE DATABASE leadscore_from_06_bare;

\c leadscore_fresh
CREATE EXTENSION leadscore;
\set ECHO none
\i sql/include/extension_members.sql
\set ECHO all
\copy (SELECT * FROM pg_temp.extension_members()) TO 'results/extension_members_fresh.tsv'
-- (Not the count itself: from PostgreSQL 17 the implicit row and array
-- types are members too.)
SELECT count(*) > 800 AS aspects_listed, count(DISTINCT object) > 150 AS objects_listed
FROM pg_temp.extension_members();

\c leadscore_from_01
CREATE EXTENSION leadscore VERSION '0.1';
ALTER EXTENSION leadscore UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'leadscore';
-- (the aspects found in one database and not in the other: none)
\set ECHO none
\i sql/include/compare_with_fresh.sql
\set ECHO all

\c leadscore_from_06_bare
CREATE EXTENSION leadscore VERSION '0.6';
ALTER EXTENSION leadscore UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'leadscore';
-- (the aspects found in one database and not in the other: none)
\set ECHO none
\i sql/include/compare_with_fresh.sql
\set ECHO all

-- A table attached with SLA policies under 0.3 keeps working across the
-- update: its met-column trigger (created by 0.3's attach, with 0.3's
-- arguments) now runs the C++ function, which reads the config from the
-- table's lifecycle trigger; and it gets the triggers that close a deleted
-- lead's clocks.
CREATE DATABASE leadscore_live;
\c leadscore_live
SET TimeZone = 'UTC';
CREATE EXTENSION leadscore VERSION '0.3';
SELECT leadscore.define_calendar('office', '{"time_zone": "UTC", "week": {"mon": [["09:00", "17:00"]]}}') IS NOT NULL AS defined;
CREATE TABLE contacts (id int PRIMARY KEY, stage text, mql_at timestamptz, contacted_at timestamptz, due timestamptz);
SELECT leadscore.attach('contacts', '{"stage_column": "stage", "stamps": {"mql": "mql_at"}, "notify_channel": null,
  "sla": {"calendar": "office", "due_column": "due", "policies": [
    {"name": "call", "met_by": {"column": "contacted_at"}},
    {"name": "sort", "within": "4 hours", "met_by": {"leaves_for": ["sql"]}}]}}') IS NOT NULL AS attached;
INSERT INTO contacts (id, stage, mql_at) VALUES (1, 'mql', '2025-12-01 09:00'), (2, 'mql', '2025-12-01 10:00'),
                                                 (3, 'mql', '2030-01-07 09:00');
-- A table attached with fit attributes under 0.3: 0.5's update attaches it
-- again, so that its UPDATE trigger watches the attribute columns.
CREATE TABLE scored (id int PRIMARY KEY, stage text, title text, fit int, score numeric);
SELECT leadscore.attach('scored', '{"stage_column": "stage", "score_column": "score", "fit_column": "fit",
  "fit_attributes": {"title": "title"}}') IS NOT NULL AS attached;
INSERT INTO scored VALUES (1, 'lead', 'Marketing Intern');
-- A table dropped while attached under 0.3 left its config and an open
-- clock behind; the update detaches it.
CREATE TABLE dropped_leads (id int PRIMARY KEY, stage text);
SELECT leadscore.attach('dropped_leads', '{"stage_column": "stage", "notify_channel": null,
  "sla": {"calendar": "office", "policies": [{"name": "gone", "met_by": {"leaves_for": ["sql"]}}]}}') IS NOT NULL AS attached;
INSERT INTO dropped_leads VALUES (1, 'mql');
DROP TABLE dropped_leads;
-- A partitioned events table attached under 0.3: the update clones its
-- trigger onto its partitions, so rows written straight into one rescore.
CREATE TABLE engaged (id int PRIMARY KEY, stage text, score numeric);
SELECT leadscore.attach('engaged', '{"stage_column": "stage", "score_column": "score"}') IS NOT NULL AS attached;
INSERT INTO engaged VALUES (1, 'lead');
CREATE TABLE scored_events (lead_id int, event_type text, occurred_at timestamptz) PARTITION BY RANGE (occurred_at);
CREATE TABLE scored_events_2025 PARTITION OF scored_events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
SELECT leadscore.attach_events('scored_events', '{"leads": "engaged", "lead_column": "lead_id"}') IS NOT NULL AS events_attached;
SELECT count(*) AS configs_left_behind FROM leadscore.attachment_configs WHERE NOT EXISTS (
    SELECT FROM pg_class WHERE oid = target);
ALTER EXTENSION leadscore UPDATE;
SELECT tgrelid::regclass AS on_table, tgname, tgparentid <> 0 AS clone FROM pg_trigger
WHERE tgrelid IN ('scored_events'::regclass, 'scored_events_2025'::regclass) ORDER BY 1;
SELECT count(*) AS configs_left_behind FROM leadscore.attachment_configs WHERE NOT EXISTS (
    SELECT FROM pg_class WHERE oid = target);
SELECT policy, status FROM leadscore.sla_clocks WHERE policy = 'gone';
SELECT extversion FROM pg_extension WHERE extname = 'leadscore';
UPDATE contacts SET contacted_at = '2025-12-01 10:00' WHERE id = 1;
UPDATE contacts SET stage = 'sql' WHERE id = 2;
-- The update gave the table 0.5's deletion triggers: lead 3's clocks
-- (due in 2030) are cancelled when it is deleted.
SELECT tgname FROM pg_trigger WHERE tgrelid = 'contacts'::regclass AND tgname LIKE 'zz_leadscore_sla%' ORDER BY tgname;
DELETE FROM contacts WHERE id = 3;
-- (the INSERT above already ran the new library's trigger, which computed
-- fit 0; without an engagement source the total is left alone, as rescore
-- leaves it; the UPDATE trigger now fires for the title too)
SELECT id, fit, score FROM scored;
SELECT pg_get_triggerdef(oid) ~ 'UPDATE OF stage, score, fit, title ' AS watches_title
FROM pg_trigger WHERE tgrelid = 'scored'::regclass AND tgname = 'zz_leadscore_before_update';
UPDATE scored SET title = 'CEO' WHERE id = 1;
SELECT id, fit, score FROM scored;
SELECT leadscore.rescore('scored') AS rescored, (SELECT score FROM scored) AS score;
SELECT score IS NOT NULL AS scored FROM engaged;
INSERT INTO scored_events_2025 VALUES (1, 'demo_view', '2025-06-01');
SELECT score IS NOT NULL AS scored FROM engaged;
SELECT leadscore.rescore('engaged') AS nothing_left;
SELECT lead_key, policy, due_at, met_at > '2026-01-01' AS met_now, status
FROM leadscore.sla_clocks WHERE policy <> 'gone' ORDER BY lead_key, policy;
SELECT id, due FROM contacts ORDER BY id;

-- A database on 0.6 with a table owned by a CRM role, attached with events
-- by a superuser: after the update to 0.7 its events rescore it as its
-- owner, its owner may manage it without superuser rights, and the owner
-- reads its own history (and only its own).
CREATE DATABASE leadscore_from_06;
\c leadscore_from_06
SET TimeZone = 'UTC';
CREATE EXTENSION leadscore VERSION '0.6';
CREATE ROLE upgrade_owner;
CREATE TABLE owned (id int PRIMARY KEY, stage text, score numeric);
CREATE TABLE owned_events (lead_id int, event_type text, occurred_at timestamptz DEFAULT now());
ALTER TABLE owned OWNER TO upgrade_owner;
ALTER TABLE owned_events OWNER TO upgrade_owner;
CREATE TABLE admins (id int PRIMARY KEY, stage text);
SELECT leadscore.attach('owned', '{"stage_column": "stage", "score_column": "score", "notify_channel": null}') IS NOT NULL AS attached;
SELECT leadscore.attach('admins', '{"stage_column": "stage", "notify_channel": null}') IS NOT NULL AS attached;
SELECT leadscore.attach_events('owned_events', '{"leads": "owned", "lead_column": "lead_id"}') IS NOT NULL AS events_attached;
INSERT INTO owned VALUES (1, 'lead');
INSERT INTO admins VALUES (1, 'lead');
-- A calendar as 0.6 stored [["09:00", "12:00"], ["12:00", "10:00",
-- "overnight"]] (written past the trigger: this library refuses it), and a
-- good one: the update names the first.
SET session_replication_role = replica;
INSERT INTO leadscore.calendars (name, definition) VALUES ('joined_06', '{"time_zone": "Europe/Berlin",
  "week": {"mon": [["09:00", "10:00", "overnight"]], "tue": [], "wed": [], "thu": [], "fri": [], "sat": [], "sun": []},
  "holidays": {}}');
RESET session_replication_role;
SELECT leadscore.define_calendar('fine_06', '{"time_zone": "UTC", "week": {"mon": [["09:00", "17:00"]]}}') IS NOT NULL AS defined;
ALTER EXTENSION leadscore UPDATE TO '0.7';
-- Still unusable, until redefined as the hint of define_calendar says.
SELECT leadscore.is_business_time('joined_06', '2025-12-01 09:30+01');
SELECT leadscore.define_calendar('joined_06', '{"time_zone": "Europe/Berlin",
  "week": {"mon": [["09:00", "24:00"]], "tue": [["00:00", "10:00"]]}}') IS NOT NULL AS redefined;
SELECT leadscore.business_diff('joined_06', '2025-12-01 00:00+01', '2025-12-03 00:00+01') AS monday_to_tuesday;
SET ROLE upgrade_owner;
INSERT INTO owned_events (lead_id, event_type) VALUES (1, 'demo_view');
SELECT score FROM owned;
SELECT leadscore.rescore('owned') AS nothing_left;
SELECT target, to_stage FROM leadscore.stage_history ORDER BY id;
SELECT leadscore.detach('owned') IS NOT NULL AS detached_by_its_owner;
\set SHOW_CONTEXT never
SELECT leadscore.detach('admins');
\set SHOW_CONTEXT errors
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

\c contrib_regression
DROP DATABASE leadscore_fresh;
DROP DATABASE leadscore_from_01;
DROP DATABASE leadscore_from_06_bare;
DROP DATABASE leadscore_live;
DROP DATABASE leadscore_from_06;
DROP ROLE upgrade_owner;
