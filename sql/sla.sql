-- SLA clocks: attach's "sla" key starts a clock per policy when a lead
-- enters its stage, measured in the calendar's business hours; a column
-- being set, the lead leaving the stage, or enough activity rows meet it;
-- sla_sweep flags warnings and breaches (notified, and mirrored in the CRM's
-- own columns); sla_compliance reports. Clocks start at the stage's stamp
-- when the CRM gives one (as here, so the dates are fixed), else at now().
SET TimeZone = 'America/New_York';
SELECT leadscore.define_calendar('sla_office', '{"time_zone": "America/New_York",
  "week": {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]], "wed": [["09:00", "17:00"]],
           "thu": [["09:00", "17:00"]], "fri": [["09:00", "17:00"]]}}') IS NOT NULL AS defined;
CREATE TABLE sla_contacts (id int PRIMARY KEY, stage text, mql_at timestamptz, first_contacted_at timestamptz,
                           sla_due_at timestamptz, sla_breached boolean, owner text, source text);
CREATE TABLE sla_activities (id serial PRIMARY KEY, contact_id int, kind text, at timestamptz);
CREATE INDEX ON sla_activities (contact_id, at);

-- Bad configs: each names its path; nothing is attached. (Without the
-- PL/pgSQL context lines, whose line numbers follow attach's code.)
\set SHOW_CONTEXT never
SELECT leadscore.attach('sla_contacts', '{"stage_column": "stage", "sla": {"calendar": "nowhere",
  "policies": [{"name": "first_response", "met_by": {"column": "first_contacted_at"}}]}}');
SELECT leadscore.attach('sla_contacts', '{"stage_column": "stage", "sla": {"calendar": "sla_office",
  "policies": [{"name": "first_response", "within": "2 days", "met_by": {"column": "first_contacted_at"}}]}}');
SELECT leadscore.attach('sla_contacts', '{"stage_column": "stage", "sla": {"calendar": "sla_office",
  "policies": [{"name": "first_response", "met_by": {"column": "first_called_at"}}]}}');
SELECT leadscore.attach('sla_contacts', '{"stage_column": "stage", "sla": {"calendar": "sla_office",
  "due_column": "owner", "policies": [{"name": "first_response", "met_by": {"column": "first_contacted_at"}}]}}');
SELECT leadscore.attach('sla_contacts', '{"stage_column": "stage", "sla": {"calendar": "sla_office",
  "policies": [{"name": "attempts", "met_by": {"events": "public.no_such_table", "lead_column": "contact_id", "time_column": "at"}}]}}');
SELECT leadscore.attach('sla_contacts', '{"stage_column": "stage", "sla": {"calendar": "sla_office",
  "policies": [{"name": "attempts", "met_by": {"events": "public.sla_activities", "lead_column": "lead_id", "time_column": "at"}}]}}');
SELECT leadscore.attach('sla_contacts', '{"stage_column": "stage", "sla": {"calendar": "sla_office",
  "policies": [{"name": "a", "met_by": {"column": "first_contacted_at"}}, {"name": "a", "met_by": {"leaves_for": ["sql"]}}]}}');
\set SHOW_CONTEXT errors
SELECT count(*) AS attached FROM leadscore.attachment_configs WHERE target = 'sla_contacts'::regclass;

-- The seeds' handoff rules: first response within 2 business hours, a
-- disposition (sql, recycled or disqualified) within 16, three call or
-- email attempts within 24; warn at 75%.
SELECT jsonb_pretty(leadscore.attach('sla_contacts', '{"stage_column": "stage", "stamps": {"mql": "mql_at"},
  "notify_channel": null, "reason_column": null,
  "sla": {"calendar": "sla_office", "due_column": "sla_due_at", "breached_column": "sla_breached",
          "owner_column": "owner", "source_column": "source",
          "policies": [
            {"name": "first_response", "met_by": {"column": "first_contacted_at"}},
            {"name": "disposition", "within": "16 hours", "met_by": {"leaves_for": ["sql", "recycled", "disqualified"]}},
            {"name": "attempts", "within": "24 hours",
             "met_by": {"events": "public.sla_activities", "lead_column": "contact_id", "time_column": "at",
                        "type_column": "kind", "types": ["call", "email"], "at_least": 3}}]}}') -> 'sla');
-- The met column's trigger on the table, and a statement trigger on the
-- events table named after the attached table's OID.
SELECT replace(tgname, 'sla_contacts'::regclass::oid::text, '<oid of sla_contacts>') AS trigger,
       tgrelid::regclass AS on_table
FROM pg_trigger WHERE tgname LIKE 'zz_leadscore_sla%' ORDER BY tgname;

-- Friday 16:30: due Monday 10:30 (half an hour on Friday, 1.5 on Monday).
INSERT INTO sla_contacts (id, stage, mql_at, owner, source) VALUES (1, 'mql', '2025-11-28 16:30', 'ann', 'inbound');
-- Contacted 20 minutes later, in the same insert: met at once.
INSERT INTO sla_contacts (id, stage, mql_at, first_contacted_at, owner, source)
VALUES (2, 'mql', '2025-11-28 16:30', '2025-11-28 16:50', 'bob', 'outbound');
-- An update into mql with the date the CRM knows (Thursday 10:00).
INSERT INTO sla_contacts (id, stage, owner, source) VALUES (3, 'lead', 'ann', 'outbound');
UPDATE sla_contacts SET stage = 'mql', mql_at = '2025-11-27 10:00' WHERE id = 3;
SELECT lead_key, policy, stage, started_at, warn_at, due_at, met_at, status, owner, source
FROM leadscore.sla_clocks ORDER BY lead_key::int, id;
SELECT id, sla_due_at, sla_breached FROM sla_contacts ORDER BY id;

-- Monday 09:45: lead 3's first response is breached (due Thursday noon)
-- and its disposition warns (75% of its 16 hours gone on Friday at 14:00).
-- Each change is notified on leadscore_sla; lead 3 is flagged in its row.
LISTEN leadscore_sla;
\o results/sla_notify.txt
SELECT leadscore.sla_sweep('2025-12-01 09:45') AS changed;
\o
\! sed -E 's/PID [0-9]+/PID <pid>/' results/sla_notify.txt
SELECT leadscore.sla_sweep('2025-12-01 09:45') AS changed_again;
UNLISTEN leadscore_sla;
-- 10:05: lead 1's first response warns (1.5 of its 2 hours gone at 10:00),
-- lead 3's disposition is breached (due 10:00).
SELECT leadscore.sla_sweep('2025-12-01 10:05') AS changed;
SELECT lead_key, policy, status FROM leadscore.sla_clocks WHERE status IN ('warned', 'breached') ORDER BY lead_key::int, id;
SELECT id, sla_due_at, sla_breached FROM sla_contacts ORDER BY id;

-- Lead 1 is called at 10:15 (in time), lead 3 at 11:00 (late): the clocks
-- close, the rows' SLA columns follow.
UPDATE sla_contacts SET first_contacted_at = '2025-12-01 10:15' WHERE id = 1;
UPDATE sla_contacts SET first_contacted_at = '2025-12-01 11:00' WHERE id = 3;
SELECT lead_key, policy, met_at, status FROM leadscore.sla_clocks WHERE policy = 'first_response' ORDER BY lead_key::int;
SELECT id, sla_due_at, sla_breached FROM sla_contacts ORDER BY id;

-- Attempts: a call, an email, a note (not counted) and a call for lead 1:
-- met at the third counted one. Lead 3 has one in its window (the other
-- call is from before it became an MQL), then two, then three.
INSERT INTO sla_activities (contact_id, kind, at) VALUES
    (1, 'call', '2025-12-01 11:00'), (1, 'email', '2025-12-01 11:30'), (1, 'note', '2025-12-01 12:00'),
    (1, 'call', '2025-12-01 13:00'), (3, 'call', '2025-12-01 11:00'), (3, 'call', '2025-11-20 11:00');
SELECT lead_key, met_at, status FROM leadscore.sla_clocks WHERE policy = 'attempts' ORDER BY lead_key::int;
INSERT INTO sla_activities (contact_id, kind, at) VALUES (3, 'email', '2025-12-01 14:00');
SELECT lead_key, met_at, status FROM leadscore.sla_clocks WHERE policy = 'attempts' AND lead_key = '3';
INSERT INTO sla_activities (contact_id, kind, at) VALUES (3, 'call', '2025-12-01 15:00');
SELECT lead_key, met_at, status FROM leadscore.sla_clocks WHERE policy = 'attempts' ORDER BY lead_key::int;
SELECT id, sla_due_at, sla_breached FROM sla_contacts ORDER BY id;

-- Leaving mql: for sql, the disposition is met (late: it is years past
-- Tuesday now); lead 2 is recycled after its clocks ran out, so they count
-- as breached, not cancelled.
UPDATE sla_contacts SET stage = 'sql' WHERE id = 1;
SET leadscore.reason = 'no_budget';
UPDATE sla_contacts SET stage = 'recycled' WHERE id = 2;
RESET leadscore.reason;
SELECT lead_key, policy, status, closed_at IS NOT NULL AS closed FROM leadscore.sla_clocks ORDER BY lead_key::int, id;

-- The report: first responses in November 2025, overall, by owner, by source.
SELECT period_start::date, policy, dimension, value, clocks, met, met_late, breached, cancelled, open,
       compliance, median_response, mean_response, within_5_minutes, within_30_minutes, within_1_hour,
       within_2_business_hours
FROM leadscore.sla_compliance('sla_contacts', '2025-11-01', 'month')
WHERE policy = 'first_response' ORDER BY dimension, value;

-- A lead entering mql now (stamped now by the trigger), disqualified
-- before anything is due: its disposition is met, the rest cancelled.
INSERT INTO sla_contacts (id, stage, owner) VALUES (4, 'mql', 'cy');
SELECT policy, status, started_at = (SELECT mql_at FROM sla_contacts WHERE id = 4) AS started_at_stamp,
       due_at = leadscore.business_add('sla_office', started_at, within) AS due_in_business_time
FROM leadscore.sla_clocks JOIN (VALUES ('first_response', interval '2 hours'), ('disposition', '16 hours'),
                                       ('attempts', '24 hours')) AS p(policy, within) USING (policy)
WHERE lead_key = '4' ORDER BY id;
SET leadscore.reason = 'not_icp';
UPDATE sla_contacts SET stage = 'disqualified' WHERE id = 4;
RESET leadscore.reason;
SELECT policy, status FROM leadscore.sla_clocks WHERE lead_key = '4' ORDER BY id;

-- The CRM's role needs no rights on leadscore's tables.
CREATE ROLE sla_crm_user;
GRANT SELECT, INSERT, UPDATE ON sla_contacts TO sla_crm_user;
GRANT SELECT, INSERT ON sla_activities TO sla_crm_user;
GRANT USAGE ON SEQUENCE sla_activities_id_seq TO sla_crm_user;
CREATE TABLE sla_forged (id int PRIMARY KEY, stage text);
ALTER TABLE sla_forged OWNER TO sla_crm_user;
SET ROLE sla_crm_user;
INSERT INTO sla_contacts (id, stage, mql_at) VALUES (5, 'mql', '2025-12-05 16:00');
UPDATE sla_contacts SET first_contacted_at = '2025-12-05 16:30' WHERE id = 5;
INSERT INTO sla_activities (contact_id, kind, at) VALUES (5, 'call', '2025-12-05 16:40');
-- It cannot call leadscore's internal SLA writer,
SELECT leadscore._sla_write_lead_columns('sla_contacts', ARRAY['5']);
-- nor forge the SLA triggers (EXECUTE revoked).
CREATE TEMP TABLE forged (k int, t timestamptz);
CREATE TRIGGER forged AFTER INSERT ON forged REFERENCING NEW TABLE AS leadscore_new_events
    FOR EACH STATEMENT EXECUTE FUNCTION leadscore._sla_events_inserted('0', '[]');
CREATE TRIGGER forged BEFORE UPDATE ON forged FOR EACH ROW EXECUTE FUNCTION leadscore._sla_column_set();
DROP TABLE forged;
-- The lifecycle trigger function is public (attach runs as its caller), but
-- one put by hand on a table attach never recorded refuses to run, so it
-- writes neither history nor clocks, whatever its config.
CREATE TRIGGER zz_leadscore_before_insert BEFORE INSERT ON sla_forged FOR EACH ROW
    EXECUTE FUNCTION leadscore.lifecycle_trigger('{"stage_column": "stage", "notify_channel": null,
      "sla": {"calendar": "sla_office", "policies": [{"name": "flood", "met_by": {"leaves_for": ["sql"]}}]}}');
CREATE TRIGGER zz_leadscore_after_insert AFTER INSERT ON sla_forged FOR EACH ROW
    EXECUTE FUNCTION leadscore.lifecycle_trigger('{"stage_column": "stage", "notify_channel": null,
      "sla": {"calendar": "sla_office", "policies": [{"name": "flood", "met_by": {"leaves_for": ["sql"]}}]}}');
INSERT INTO sla_forged VALUES (7777, 'mql');
\echo :LAST_ERROR_SQLSTATE
DROP TABLE sla_forged;
RESET ROLE;
SELECT policy, status FROM leadscore.sla_clocks WHERE lead_key = '5' ORDER BY id;
SELECT count(*) AS forged_clocks FROM leadscore.sla_clocks WHERE policy = 'flood';
SELECT count(*) AS forged_history FROM leadscore.stage_history WHERE lead_key = '7777';
-- A clock cannot start at an infinite stamp.
INSERT INTO sla_contacts (id, stage, mql_at) VALUES (9, 'mql', 'infinity');

-- Lead 2, recycled, becomes an MQL again: its clocks start now, not at its
-- first MQL date (a stamp is never overwritten), and its old first contact
-- does not meet the new first-response clock.
SET leadscore.reason = 'bad_timing';
UPDATE sla_contacts SET stage = 'mql' WHERE id = 2;
RESET leadscore.reason;
SELECT policy, status, started_at > '2026-01-01' AS started_now
FROM leadscore.sla_clocks WHERE lead_key = '2' AND closed_at IS NULL ORDER BY id;

-- Met columns of other types: a timestamp without time zone says when (in
-- the session's zone, as a cast reads it), a boolean counts from the update;
-- an integer owner is copied as text. Two policies, two met columns: setting
-- one closes only its own clock, and the row's due column moves on to the
-- other's.
CREATE DOMAIN sla_moment AS timestamp;
CREATE TABLE sla_variants (id bigint PRIMARY KEY, stage text, mql_at timestamptz,
                           called_at sla_moment, emailed boolean, due timestamptz, owner_id int);
SELECT leadscore.attach('sla_variants', '{"stage_column": "stage", "stamps": {"mql": "mql_at"},
  "notify_channel": null,
  "sla": {"calendar": "sla_office", "due_column": "due", "owner_column": "owner_id",
          "policies": [{"name": "call", "met_by": {"column": "called_at"}},
                       {"name": "email", "within": "4 hours", "met_by": {"column": "emailed"}}]}}') IS NOT NULL AS attached;
INSERT INTO sla_variants (id, stage, mql_at, owner_id) VALUES (1, 'mql', '2025-12-01 09:00', 7);
SELECT due FROM sla_variants;
-- Operators and functions of a schema put before pg_catalog are not used
-- by the statements leadscore runs as the extension's owner.
CREATE SCHEMA sla_evil;
CREATE FUNCTION sla_evil.always(a text, b text) RETURNS boolean LANGUAGE plpgsql AS
    $$ BEGIN RAISE NOTICE 'hijacked'; RETURN true; END $$;
CREATE OPERATOR sla_evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = sla_evil.always);
CREATE FUNCTION sla_evil.always(a oid, b oid) RETURNS boolean LANGUAGE plpgsql AS
    $$ BEGIN RAISE NOTICE 'hijacked'; RETURN true; END $$;
CREATE OPERATOR sla_evil.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = sla_evil.always);
SET search_path = sla_evil, pg_catalog, public;
UPDATE sla_variants SET called_at = '2025-12-01 10:30' WHERE id = 1;
SELECT due FROM sla_variants;
UPDATE sla_variants SET emailed = false WHERE id = 1;
RESET search_path;
SELECT policy, owner, started_at, due_at,
       CASE WHEN met_at > '2026-01-01' THEN 'at the update' ELSE met_at::text END AS met_at, status
FROM leadscore.sla_clocks WHERE target = 'sla_variants'::regclass ORDER BY id;
SELECT due FROM sla_variants;
-- Set again (to another value): nothing is open, nothing changes.
UPDATE sla_variants SET called_at = '2025-12-01 11:00', emailed = true WHERE id = 1;
SELECT count(*) AS clocks, count(*) FILTER (WHERE closed_at IS NULL) AS open
FROM leadscore.sla_clocks WHERE target = 'sla_variants'::regclass;
SELECT leadscore.detach('sla_variants') IS NOT NULL AS detached;
DROP TABLE sla_variants;
DROP DOMAIN sla_moment;
DROP SCHEMA sla_evil CASCADE;

-- Entered again: the write of an inserted lead's SLA columns fires a CRM
-- trigger that moves a lead of another attached table (after an ANALYZE of
-- sla_clocks, whose invalidation marks the statements stale mid-statement).
CREATE TABLE sla_outer (id int PRIMARY KEY, stage text, due timestamptz, buddy int);
CREATE TABLE sla_inner (id int PRIMARY KEY, stage text, due timestamptz);
SELECT leadscore.attach(t, '{"stage_column": "stage", "notify_channel": null,
  "sla": {"calendar": "sla_office", "due_column": "due",
          "policies": [{"name": "nested", "met_by": {"leaves_for": ["sql"]}}]}}') IS NOT NULL AS attached
FROM unnest(ARRAY['sla_outer', 'sla_inner']::regclass[]) AS t;
INSERT INTO sla_inner VALUES (1, 'lead');
CREATE FUNCTION sla_outer_moves_buddy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    ANALYZE leadscore.sla_clocks;
    UPDATE public.sla_inner SET stage = 'mql' WHERE id = NEW.buddy;
    RETURN NEW;
END
$$;
CREATE TRIGGER moves_buddy AFTER UPDATE OF due ON sla_outer FOR EACH ROW EXECUTE FUNCTION sla_outer_moves_buddy();
INSERT INTO sla_outer VALUES (1, 'mql', NULL, 1);
SELECT target, lead_key, stage, status FROM leadscore.sla_clocks WHERE policy = 'nested' ORDER BY target::text;
SELECT (SELECT due FROM sla_outer) = (SELECT due FROM sla_inner) AS same_due, (SELECT due FROM sla_inner) IS NOT NULL AS inner_due;
SELECT leadscore.detach(t) IS NOT NULL AS detached FROM unnest(ARRAY['sla_outer', 'sla_inner']::regclass[]) AS t;
DROP TABLE sla_outer, sla_inner;
DROP FUNCTION sla_outer_moves_buddy();

-- A calendar in use is not dropped.
SELECT leadscore.drop_calendar('sla_office');

-- Bad arguments.
SELECT leadscore.sla_sweep(NULL);
SELECT leadscore.sla_sweep('infinity');
SELECT * FROM leadscore.sla_compliance(period => 'fortnight');
SELECT * FROM leadscore.sla_compliance('sla_activities');

-- Detach cancels the open clocks and removes every SLA trigger.
SELECT leadscore.detach('sla_contacts');
SELECT count(*) FILTER (WHERE closed_at IS NULL) AS open_clocks FROM leadscore.sla_clocks;
SELECT count(*) AS sla_triggers FROM pg_trigger WHERE tgname LIKE 'zz_leadscore_sla%';
-- A deleted lead's open clocks close as if it had left its stage unmet:
-- cancelled while in time, breached when past due (swept or not); the
-- sweep then has nothing to say about it. The CRM's role needs no rights on
-- sla_clocks to delete, and cannot put the triggers on a table of its own.
CREATE TABLE sla_gone (id int PRIMARY KEY, stage text, mql_at timestamptz, called_at timestamptz,
                       due timestamptz, breached boolean);
SELECT leadscore.attach('sla_gone', '{"stage_column": "stage", "stamps": {"mql": "mql_at"}, "notify_channel": null,
  "sla": {"calendar": "sla_office", "due_column": "due", "breached_column": "breached", "notify_channel": null,
          "policies": [{"name": "call", "met_by": {"column": "called_at"}}]}}') IS NOT NULL AS attached;
SELECT tgname, tgtype FROM pg_trigger WHERE tgrelid = 'sla_gone'::regclass AND tgname LIKE 'zz_leadscore_sla%' ORDER BY tgname;
INSERT INTO sla_gone (id, stage, mql_at) VALUES
    (1, 'mql', now()), (2, 'mql', '2025-12-01 09:00'), (3, 'mql', '2025-12-01 09:00'), (4, 'lead', NULL);
SELECT leadscore.sla_sweep('2025-12-01 12:00') AS swept;  -- 2 and 3 breached
UPDATE leadscore.sla_clocks SET status = 'running' WHERE target = 'sla_gone'::regclass AND lead_key = '2';
GRANT SELECT, DELETE ON sla_gone TO sla_crm_user;
SET ROLE sla_crm_user;
DELETE FROM sla_gone WHERE id IN (1, 2, 3, 4);
CREATE TEMP TABLE forged (k int);
CREATE TRIGGER forged AFTER DELETE ON forged FOR EACH ROW EXECUTE FUNCTION leadscore._sla_lead_deleted();
CREATE TRIGGER forged AFTER TRUNCATE ON forged EXECUTE FUNCTION leadscore._sla_table_truncated();
DROP TABLE forged;
RESET ROLE;
SELECT lead_key, status, closed_at IS NOT NULL AS closed, met_at
FROM leadscore.sla_clocks WHERE target = 'sla_gone'::regclass ORDER BY lead_key;
-- The sweep runs as the extension's owner, for the roles granted EXECUTE.
SET ROLE sla_crm_user;
SELECT leadscore.sla_sweep('2030-01-01') AS swept_later;
RESET ROLE;
GRANT EXECUTE ON FUNCTION leadscore.sla_sweep(timestamptz) TO sla_crm_user;
SET ROLE sla_crm_user;
SELECT leadscore.sla_sweep('2030-01-01') AS swept_later;
RESET ROLE;
REVOKE EXECUTE ON FUNCTION leadscore.sla_sweep(timestamptz) FROM sla_crm_user;
-- A TRUNCATE closes every open clock of the table and drops its queued row writes.
INSERT INTO sla_gone (id, stage, mql_at) VALUES (5, 'mql', now()), (6, 'mql', '2025-12-01 09:00');
INSERT INTO leadscore.sla_unwritten_rows (target, lead_key) VALUES ('sla_gone', '5');
TRUNCATE sla_gone;
SELECT lead_key, status, closed_at IS NOT NULL AS closed
FROM leadscore.sla_clocks WHERE target = 'sla_gone'::regclass AND lead_key IN ('5', '6') ORDER BY lead_key;
SELECT count(*) AS queued FROM leadscore.sla_unwritten_rows WHERE target = 'sla_gone'::regclass;
-- Called as a function, or fired the wrong way: refused.
SELECT leadscore._sla_lead_deleted();
CREATE TRIGGER wrong BEFORE DELETE ON sla_gone FOR EACH ROW EXECUTE FUNCTION leadscore._sla_lead_deleted();
INSERT INTO sla_gone (id, stage) VALUES (7, 'lead');
DELETE FROM sla_gone WHERE id = 7;
DROP TRIGGER wrong ON sla_gone;
-- Detach removes the deletion triggers with the others; re-attaching
-- without SLA policies creates none.
SELECT leadscore.attach('sla_gone', '{"stage_column": "stage"}') IS NOT NULL AS attached_without_sla;
SELECT count(*) AS sla_triggers FROM pg_trigger WHERE tgrelid = 'sla_gone'::regclass AND tgname LIKE 'zz_leadscore_sla%';
SELECT leadscore.detach('sla_gone') IS NOT NULL AS detached;
DROP TABLE sla_gone;

-- A partitioned table: the row trigger is cloned onto the partitions, the
-- TRUNCATE trigger fires for a TRUNCATE of the whole table.
CREATE TABLE sla_parted (id int, region text, stage text, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE sla_parted_eu PARTITION OF sla_parted FOR VALUES IN ('eu');
CREATE TABLE sla_parted_us PARTITION OF sla_parted FOR VALUES IN ('us');
SELECT leadscore.attach('sla_parted', '{"stage_column": "stage", "key_column": "id", "notify_channel": null,
  "sla": {"calendar": "sla_office", "policies": [{"name": "parted", "met_by": {"leaves_for": ["sql"]}}]}}') IS NOT NULL AS attached;
INSERT INTO sla_parted VALUES (1, 'eu', 'mql'), (2, 'us', 'mql'), (3, 'us', 'mql');
-- An UPDATE that moves a lead to another partition deletes and inserts it
-- underneath: its clocks stay open.
UPDATE sla_parted SET region = 'eu' WHERE id = 3;
SELECT lead_key, status FROM leadscore.sla_clocks WHERE policy = 'parted' ORDER BY lead_key;
DELETE FROM sla_parted_us WHERE id = 2;
DELETE FROM sla_parted WHERE id = 1;
SELECT lead_key, status FROM leadscore.sla_clocks WHERE policy = 'parted' ORDER BY lead_key;
TRUNCATE sla_parted;
SELECT lead_key, status FROM leadscore.sla_clocks WHERE policy = 'parted' ORDER BY lead_key;
SELECT leadscore.detach('sla_parted') IS NOT NULL AS detached;
DROP TABLE sla_parted;

-- Dropping an attached table detaches it: its config goes (a new table
-- given the same OID inherits nothing), its open clocks close, the SLA
-- trigger on its events table goes. A role drops its own table without any
-- right on leadscore's tables; dropping an attached events table forgets it.
CREATE TABLE sla_doomed (id int PRIMARY KEY, stage text, score int);
CREATE TABLE sla_doomed_calls (lead_id int, at timestamptz);
ALTER TABLE sla_doomed OWNER TO sla_crm_user;
ALTER TABLE sla_doomed_calls OWNER TO sla_crm_user;
SELECT leadscore.attach('sla_doomed', '{"stage_column": "stage", "notify_channel": null, "score_column": "score",
  "sla": {"calendar": "sla_office", "policies": [{"name": "doomed", "met_by": {"events": "public.sla_doomed_calls",
          "lead_column": "lead_id", "time_column": "at"}}]}}') IS NOT NULL AS attached;
SELECT leadscore.attach_events('sla_doomed_calls', '{"leads": "sla_doomed", "lead_column": "lead_id", "time_column": "at",
  "type_column": "lead_id"}') IS NOT NULL AS events_attached;
INSERT INTO sla_doomed VALUES (1, 'mql');
SELECT replace(tgname, 'sla_doomed'::regclass::oid::text, '<oid of sla_doomed>') AS trigger
FROM pg_trigger WHERE tgrelid = 'sla_doomed_calls'::regclass AND NOT tgisinternal ORDER BY 1;
SET ROLE sla_crm_user;
DROP TABLE sla_doomed;
RESET ROLE;
SELECT count(*) AS configs FROM leadscore.attachment_configs WHERE NOT EXISTS (SELECT FROM pg_class WHERE oid = target);
SELECT count(*) AS event_attachments FROM leadscore.event_attachments WHERE events = 'sla_doomed_calls'::regclass;
SELECT policy, status FROM leadscore.sla_clocks WHERE policy = 'doomed';
SELECT count(*) AS triggers_left FROM pg_trigger WHERE tgrelid = 'sla_doomed_calls'::regclass AND NOT tgisinternal;
DROP TABLE sla_doomed_calls;
-- The activity that meets a clock is read as the events table's owner:
-- a domain CHECK on its lead column (the owner's code) never runs as a
-- superuser (until 0.6 it ran as the extension's owner, and could make its
-- author one).
CREATE ROLE sla_events_owner;
GRANT CREATE ON SCHEMA public TO sla_events_owner;
SET ROLE sla_events_owner;
CREATE FUNCTION sla_reports_superuser(int) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RAISE NOTICE 'the events owner''s domain check runs as a superuser';
    END IF;
    RETURN true;
END $$;
CREATE DOMAIN sla_lead_ref AS int CHECK (sla_reports_superuser(VALUE));
CREATE TABLE sla_calls (lead_id sla_lead_ref, at timestamptz);
CREATE TABLE sla_callees (id int PRIMARY KEY, stage text, mql_at timestamptz);
RESET ROLE;
SELECT leadscore.attach('sla_callees', '{"stage_column": "stage", "stamps": {"mql": "mql_at"}, "notify_channel": null,
  "sla": {"calendar": "sla_office", "policies": [{"name": "called", "within": "8 hours",
          "met_by": {"events": "public.sla_calls", "lead_column": "lead_id", "time_column": "at"}}]}}') IS NOT NULL AS attached;
SET ROLE sla_events_owner;
INSERT INTO sla_callees VALUES (1, 'mql', '2025-12-01 09:00');
INSERT INTO sla_calls VALUES (1, '2025-12-01 09:30');
RESET ROLE;
SELECT policy, status, met_at FROM leadscore.sla_clocks WHERE policy = 'called';
-- An events table its owner cannot read: the INSERT goes through, the
-- clock stays open, and a WARNING says why.
INSERT INTO sla_callees VALUES (2, 'mql', '2025-12-01 09:00');
REVOKE SELECT ON sla_calls FROM sla_events_owner;
SET ROLE sla_events_owner;
INSERT INTO sla_calls VALUES (2, '2025-12-01 09:30');
RESET ROLE;
SELECT lead_key, status FROM leadscore.sla_clocks WHERE policy = 'called' ORDER BY lead_key;
SELECT count(*) AS calls FROM sla_calls;
SELECT leadscore.detach('sla_callees') IS NOT NULL AS detached;
DROP TABLE sla_callees, sla_calls;
DROP DOMAIN sla_lead_ref;
DROP FUNCTION sla_reports_superuser(int);
REVOKE CREATE ON SCHEMA public FROM sla_events_owner;
DROP ROLE sla_events_owner;
DROP TABLE sla_contacts, sla_activities;
DROP ROLE sla_crm_user;
DELETE FROM leadscore.sla_clocks;
SELECT leadscore.drop_calendar('sla_office');
