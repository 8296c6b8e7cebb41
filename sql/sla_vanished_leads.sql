-- Leads that leave an attached table without the deletion trigger seeing
-- them go: one partition dropped, detached or truncated, a DELETE applied
-- under session_replication_role = replica (as a logical replication
-- subscriber applies its publisher's), a table dropped while event
-- triggers were off. The sweep asks the table which of the leads whose
-- clocks it is about to warn or breach are still there, and closes the
-- others' clocks unannounced: breached when past due, else cancelled.
SET TimeZone = 'UTC';
SELECT leadscore.define_calendar('vanish_office', '{"time_zone": "UTC",
  "week": {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]], "wed": [["09:00", "17:00"]],
           "thu": [["09:00", "17:00"]], "fri": [["09:00", "17:00"]]}}') IS NOT NULL AS defined;

-- Monday 2025-12-01, leads enter mql at 09:00: first response due 11:00
-- (warning at 10:30), disposition due 17:00 (warning at 15:00).
CREATE TABLE vanish_leads (id int, region text, stage text, mql_at timestamptz,
                           sla_due_at timestamptz, sla_breached boolean,
                           PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE vanish_leads_eu PARTITION OF vanish_leads FOR VALUES IN ('eu');
CREATE TABLE vanish_leads_us PARTITION OF vanish_leads FOR VALUES IN ('us');
CREATE TABLE vanish_leads_apac PARTITION OF vanish_leads FOR VALUES IN ('apac');
CREATE TABLE vanish_leads_latam PARTITION OF vanish_leads FOR VALUES IN ('latam');
SELECT leadscore.attach('vanish_leads', '{"stage_column": "stage", "key_column": "id", "stamps": {"mql": "mql_at"},
  "notify_channel": null, "reason_column": null,
  "sla": {"calendar": "vanish_office", "notify_channel": "vanish_sla",
          "due_column": "sla_due_at", "breached_column": "sla_breached",
          "policies": [{"name": "first_response", "within": "2 hours", "met_by": {"leaves_for": ["sql"]}},
                       {"name": "disposition", "within": "8 hours", "met_by": {"leaves_for": ["sql"]}}]}}') IS NOT NULL AS attached;
INSERT INTO vanish_leads (id, region, stage, mql_at) VALUES
  (1, 'eu', 'mql', '2025-12-01 09:00'), (2, 'us', 'mql', '2025-12-01 09:00'),
  (3, 'apac', 'mql', '2025-12-01 09:00'), (4, 'latam', 'mql', '2025-12-01 09:00'),
  (5, 'eu', 'mql', '2025-12-01 09:00');
SELECT lead_key, policy, warn_at, due_at, status FROM leadscore.sla_clocks ORDER BY lead_key::int, policy;

-- Three partitions go without firing a row trigger: us dropped, apac
-- detached (its rows now live in a table of their own), latam truncated.
-- Lead 1 is deleted under the replica role, so no trigger fires either.
DROP TABLE vanish_leads_us;
ALTER TABLE vanish_leads DETACH PARTITION vanish_leads_apac;
TRUNCATE vanish_leads_latam;
SET session_replication_role = replica;
DELETE FROM vanish_leads WHERE id = 1;
RESET session_replication_role;
SELECT lead_key, count(*) FILTER (WHERE closed_at IS NULL) AS open_clocks
FROM leadscore.sla_clocks GROUP BY lead_key ORDER BY lead_key::int;

-- 10:45, past the first response's warning: only lead 5 is still there, so
-- only its warning is announced; the four others' first-response clocks
-- are cancelled (not yet due), and so are their disposition clocks (they
-- close with the lead). 8 clocks closed + 1 warned.
-- (The notifications go through a file, to hide the backend's PID.)
LISTEN vanish_sla;
\o results/sla_vanished_notify.txt
SELECT leadscore.sla_sweep('2025-12-01 10:45') AS changed;
\o
\! sed -E 's/PID [0-9]+/PID <pid>/' results/sla_vanished_notify.txt
SELECT lead_key, policy, status, closed_at FROM leadscore.sla_clocks ORDER BY lead_key::int, policy;
-- Nothing is left to do at the same instant.
SELECT leadscore.sla_sweep('2025-12-01 10:45') AS changed_again;

-- Past due: lead 6 enters mql, then goes (replica DELETE) before the
-- sweep comes round after its due time: its clocks close as breached,
-- unannounced, while lead 5's breach is announced and written to its row.
INSERT INTO vanish_leads (id, region, stage, mql_at) VALUES (6, 'eu', 'mql', '2025-12-01 09:00');
SET session_replication_role = replica;
DELETE FROM vanish_leads WHERE id = 6;
RESET session_replication_role;
\o results/sla_vanished_notify.txt
SELECT leadscore.sla_sweep('2025-12-01 11:30') AS changed;
\o
\! sed -E 's/PID [0-9]+/PID <pid>/' results/sla_vanished_notify.txt
SELECT lead_key, policy, status, closed_at FROM leadscore.sla_clocks
WHERE lead_key IN ('5', '6') ORDER BY lead_key::int, policy;
SELECT id, sla_due_at, sla_breached FROM vanish_leads ORDER BY id;
UNLISTEN vanish_sla;

-- A lead the table's owner cannot see is not a lead gone: with FORCE ROW
-- LEVEL SECURITY and a policy hiding it from the owner, its clocks are
-- swept as usual (breached and announced), not closed.
CREATE ROLE vanish_owner;
CREATE TABLE vanish_hidden (id int PRIMARY KEY, stage text, mql_at timestamptz);
ALTER TABLE vanish_hidden OWNER TO vanish_owner;
SELECT leadscore.attach('vanish_hidden', '{"stage_column": "stage", "stamps": {"mql": "mql_at"},
  "notify_channel": null, "reason_column": null,
  "sla": {"calendar": "vanish_office", "policies": [{"name": "hidden", "within": "2 hours", "met_by": {"leaves_for": ["sql"]}}]}}') IS NOT NULL AS attached;
INSERT INTO vanish_hidden VALUES (1, 'mql', '2025-12-01 09:00'), (2, 'mql', '2025-12-01 09:00');
ALTER TABLE vanish_hidden ENABLE ROW LEVEL SECURITY;
ALTER TABLE vanish_hidden FORCE ROW LEVEL SECURITY;
CREATE POLICY only_lead_1 ON vanish_hidden USING (id = 1);
-- Lead 2 (hidden from the owner) really goes too, unseen by any trigger:
-- the sweep cannot tell, and breaches both rather than guess.
SET session_replication_role = replica;
DELETE FROM vanish_hidden WHERE id = 2;
RESET session_replication_role;
SELECT leadscore.sla_sweep('2025-12-01 11:30') AS changed;
SELECT lead_key, status, closed_at FROM leadscore.sla_clocks WHERE policy = 'hidden' ORDER BY lead_key;
-- Without FORCE the owner sees every row: clocks of lead 3, deleted
-- unseen, close at the next due sweep.
ALTER TABLE vanish_hidden NO FORCE ROW LEVEL SECURITY;
INSERT INTO vanish_hidden VALUES (3, 'mql', '2025-12-02 09:00');
SET session_replication_role = replica;
DELETE FROM vanish_hidden WHERE id = 3;
RESET session_replication_role;
SELECT leadscore.sla_sweep('2025-12-02 11:30') AS changed;
SELECT lead_key, status, closed_at FROM leadscore.sla_clocks WHERE policy = 'hidden' ORDER BY lead_key;

-- A table dropped while the event triggers were off keeps its config row
-- and its clocks: the sweep finds no table and closes them.
INSERT INTO vanish_hidden VALUES (4, 'mql', '2025-12-03 09:00');
ALTER EVENT TRIGGER leadscore_forget_dropped_tables DISABLE;
DROP TABLE vanish_hidden;
ALTER EVENT TRIGGER leadscore_forget_dropped_tables ENABLE;
SELECT leadscore.sla_sweep('2025-12-03 10:45') AS changed;
SELECT lead_key, status, closed_at FROM leadscore.sla_clocks WHERE policy = 'hidden' ORDER BY lead_key;
DELETE FROM leadscore.attachment_configs WHERE NOT EXISTS (SELECT FROM pg_class WHERE oid = target);

-- Keys in their own type: a char(8) key is read as char(8) (not as
-- char(1), which cut every key to its first letter and found no lead), a
-- citext key is compared with citext's own equality (not in pg_catalog).
-- Both tables' leads are all there but one, deleted unseen.
CREATE EXTENSION citext;
CREATE TABLE vanish_coded (code char(8) PRIMARY KEY, stage text, mql_at timestamptz, sla_breached boolean);
CREATE TABLE vanish_emails (email citext PRIMARY KEY, stage text, mql_at timestamptz, sla_breached boolean);
SELECT leadscore.attach(t, '{"stage_column": "stage", "stamps": {"mql": "mql_at"}, "notify_channel": null,
  "reason_column": null, "sla": {"calendar": "vanish_office", "breached_column": "sla_breached",
  "policies": [{"name": "typed", "within": "2 hours", "met_by": {"leaves_for": ["sql"]}}]}}') IS NOT NULL AS attached
FROM unnest(ARRAY['vanish_coded', 'vanish_emails']::regclass[]) AS t;
INSERT INTO vanish_coded VALUES ('AC-00017', 'mql', '2025-12-04 09:00'), ('AC-00018', 'mql', '2025-12-04 09:00');
INSERT INTO vanish_emails VALUES ('Ann@Example.com', 'mql', '2025-12-04 09:00'), ('bob@example.com', 'mql', '2025-12-04 09:00');
SET session_replication_role = replica;
DELETE FROM vanish_coded WHERE code = 'AC-00018';
DELETE FROM vanish_emails WHERE email = 'bob@example.com';
RESET session_replication_role;
SELECT leadscore.sla_sweep('2025-12-04 11:30') AS changed;
SELECT lead_key, status, closed_at FROM leadscore.sla_clocks WHERE policy = 'typed' ORDER BY lead_key;
SELECT code, sla_breached FROM vanish_coded;
SELECT email, sla_breached FROM vanish_emails;

-- How keys of other types compare: each in its own type, typmod included,
-- with its btree equality (declared on the type, on anyenum, or on the
-- type varchar and cidr convert to); an array key has none.
CREATE TYPE vanish_tier AS ENUM ('gold', 'silver');
CREATE DOMAIN vanish_code AS varchar(5);
CREATE DOMAIN vanish_short_code AS vanish_code;
CREATE TABLE vanish_keys (tier vanish_tier, code varchar(8), net cidr, padded char(8), nested vanish_short_code,
                          id uuid, big bigint, tags int[]);
SELECT k AS key_column, leadscore._key_comparison('vanish_keys', k, 'l', 'u.lead_key') AS comparison
FROM unnest(ARRAY['tier', 'code', 'net', 'padded', 'nested', 'id', 'big', 'tags', 'missing']) AS k;
DROP TABLE vanish_keys;
DROP DOMAIN vanish_short_code;
DROP DOMAIN vanish_code;
DROP TYPE vanish_tier;

-- A table that cannot answer keeps its clocks (swept as before, with a
-- WARNING) and does not stop the sweep of the others: here the owner of
-- vanish_unreadable (no SLA columns to write) may no longer read it, while
-- vanish_emails's gone lead is closed.
CREATE ROLE vanish_tenant;
CREATE TABLE vanish_unreadable (id int PRIMARY KEY, stage text, mql_at timestamptz);
ALTER TABLE vanish_unreadable OWNER TO vanish_tenant;
SELECT leadscore.attach('vanish_unreadable', '{"stage_column": "stage", "stamps": {"mql": "mql_at"},
  "notify_channel": null, "reason_column": null, "sla": {"calendar": "vanish_office",
  "policies": [{"name": "typed", "within": "2 hours", "met_by": {"leaves_for": ["sql"]}}]}}') IS NOT NULL AS attached;
INSERT INTO vanish_unreadable VALUES (1, 'mql', '2025-12-05 09:00'), (2, 'mql', '2025-12-05 09:00');
INSERT INTO vanish_emails VALUES ('cy@example.com', 'mql', '2025-12-05 09:00');
SET session_replication_role = replica;
DELETE FROM vanish_unreadable WHERE id = 2;
DELETE FROM vanish_emails WHERE email = 'cy@example.com';
RESET session_replication_role;
REVOKE ALL ON vanish_unreadable FROM vanish_tenant;
SELECT leadscore.sla_sweep('2025-12-05 11:30') AS changed;
SELECT lead_key, status, closed_at FROM leadscore.sla_clocks
WHERE policy = 'typed' AND started_at >= '2025-12-05' ORDER BY lead_key;
SELECT leadscore.detach('vanish_unreadable') IS NOT NULL AS detached;
DROP TABLE vanish_unreadable;

-- The owner's code runs in the question (here a domain CHECK on the key),
-- as the owner: what it sets is undone, so a search_path it sets cannot
-- send the rest of the sweep, which runs as the extension's owner, to the
-- owner's functions (here a cardinality that would report who runs it).
CREATE SCHEMA vanish_trap AUTHORIZATION vanish_tenant;
SET ROLE vanish_tenant;
-- (as vanish_tenant, so that the functions are the tenant's own code)
CREATE FUNCTION vanish_trap.set_path(int) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    IF current_user = 'vanish_tenant' THEN  -- only when the sweep asks as the owner
        PERFORM pg_catalog.set_config('search_path', 'vanish_trap, pg_catalog', false);
    END IF;
    RETURN true;
END $$;
CREATE FUNCTION vanish_trap.cardinality(anyarray) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
    RAISE NOTICE 'vanish_trap.cardinality runs as %', current_user;
    RETURN pg_catalog.cardinality($1);
END $$;
CREATE DOMAIN vanish_trap.lead_id AS int CHECK (vanish_trap.set_path(VALUE));
CREATE TABLE vanish_trap.leads (id vanish_trap.lead_id PRIMARY KEY, stage text, mql_at timestamptz);
RESET ROLE;
SELECT leadscore.attach('vanish_trap.leads', '{"stage_column": "stage", "stamps": {"mql": "mql_at"},
  "notify_channel": null, "reason_column": null, "sla": {"calendar": "vanish_office",
  "policies": [{"name": "trap", "within": "2 hours", "met_by": {"leaves_for": ["sql"]}}]}}') IS NOT NULL AS attached;
INSERT INTO vanish_trap.leads VALUES (1, 'mql', '2025-12-08 09:00'), (2, 'mql', '2025-12-08 09:00');
SET session_replication_role = replica;
DELETE FROM vanish_trap.leads WHERE id = 2;
RESET session_replication_role;
SHOW search_path;
SELECT leadscore.sla_sweep('2025-12-08 11:30') AS changed;
SHOW search_path;
SELECT lead_key, status, closed_at FROM leadscore.sla_clocks WHERE policy = 'trap' ORDER BY lead_key;
SELECT leadscore.detach('vanish_trap.leads') IS NOT NULL AS detached;
DROP SCHEMA vanish_trap CASCADE;
SELECT leadscore.detach(t) IS NOT NULL AS detached
FROM unnest(ARRAY['vanish_coded', 'vanish_emails']::regclass[]) AS t;
DROP TABLE vanish_coded, vanish_emails;
DROP EXTENSION citext;
DROP ROLE vanish_tenant;

-- The query helper is the sweep's only: PUBLIC cannot run it, and it
-- refuses NULLs.
SELECT has_function_privilege('public', 'leadscore._keys_missing_as_owner(regclass, text, text[])', 'EXECUTE') AS public_may_run,
       has_function_privilege('public', 'leadscore._sla_close_vanished(regclass, text[], timestamptz)', 'EXECUTE') AS public_may_close;
SELECT leadscore._keys_missing_as_owner('vanish_leads', NULL, '{1}');

SELECT leadscore.detach('vanish_leads') IS NOT NULL AS detached;
DROP TABLE vanish_leads, vanish_leads_apac;
DROP OWNED BY vanish_owner;
DROP ROLE vanish_owner;
DELETE FROM leadscore.sla_clocks;
SELECT leadscore.drop_calendar('vanish_office');
