-- Who runs what, and who may do what (the rights model in docs/privileges.md).
--
-- 1. Code that belongs to a CRM table's owner (a domain CHECK on the score
--    column, a cast of the events' type column, the table's own triggers)
--    runs as that owner when a superuser rescores the table, rescores it in
--    batches, or an ordinary role inserts its events. (Until 0.7 the first
--    two ran it as the superuser: a table owner could make itself one.)
-- 2. Every public function, run as an ordinary role, as a table's owner and
--    as a superuser: a table's owner manages its own tables and nothing
--    else, and no role reads another owner's configuration or history.
SET TimeZone = 'UTC';
\set SHOW_CONTEXT never
CREATE ROLE priv_plain;
CREATE ROLE priv_owner;
CREATE SCHEMA priv_crm AUTHORIZATION priv_owner;
CREATE SCHEMA priv_admin;
GRANT USAGE ON SCHEMA priv_crm, priv_admin TO PUBLIC;

-- The owner's code, written by the owner: each piece says whom it runs as.
SET ROLE priv_owner;
CREATE FUNCTION priv_crm.trace(what text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    RAISE NOTICE '% ran as %', what,
        CASE WHEN current_user = 'priv_owner' THEN 'the owner'
             WHEN (SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.rolname = current_user) THEN 'a superuser'
             ELSE current_user::text END;
    RETURN true;
END $$;
CREATE DOMAIN priv_crm.points AS numeric CHECK (priv_crm.trace('the score''s domain check'));
CREATE TYPE priv_crm.kind AS (name text);
CREATE FUNCTION priv_crm.kind_name(k priv_crm.kind) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM priv_crm.trace('the cast of the events'' type');
    RETURN k.name;
END $$;
CREATE CAST (priv_crm.kind AS text) WITH FUNCTION priv_crm.kind_name(priv_crm.kind);
CREATE FUNCTION priv_crm.noted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM priv_crm.trace('the table''s own trigger');
    RETURN NEW;
END $$;
CREATE TABLE priv_crm.contacts (id int PRIMARY KEY, stage text, score priv_crm.points, mql_at timestamptz);
CREATE TRIGGER noted BEFORE UPDATE ON priv_crm.contacts FOR EACH ROW EXECUTE FUNCTION priv_crm.noted();
CREATE TABLE priv_crm.activities (contact_id int NOT NULL, kind priv_crm.kind NOT NULL,
                                  occurred_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE priv_crm.fresh (id int PRIMARY KEY, stage text);
GRANT INSERT ON priv_crm.activities TO priv_plain;
RESET ROLE;

-- A superuser attaches the owner's tables (as the DBA in docs/attach.md does) ...
SELECT leadscore.define_calendar('priv_office', '{"time_zone": "UTC", "week": {"mon": [["09:00", "17:00"]]}}')
    IS NOT NULL AS calendar_defined;
SELECT leadscore.attach('priv_crm.contacts', '{"stage_column": "stage", "score_column": "score",
  "stamps": {"mql": "mql_at"}, "notify_channel": null,
  "sla": {"calendar": "priv_office", "policies": [{"name": "call", "within": "4 hours", "met_by": {"leaves_for": ["sql"]}}]}}')
    IS NOT NULL AS attached;
SELECT leadscore.attach_events('priv_crm.activities', '{"leads": "priv_crm.contacts", "lead_column": "contact_id",
  "type_column": "kind"}') IS NOT NULL AS events_attached;
SET client_min_messages = warning;
INSERT INTO priv_crm.contacts VALUES (1, 'lead', 0), (2, 'lead', 0);
INSERT INTO priv_crm.activities VALUES (1, ROW('demo_view'), '2025-06-01'), (2, ROW('pricing_view'), '2025-06-01');
RESET client_min_messages;
-- ... and rescores them: the owner's code runs as the owner, also when no
-- row changes (the domain check is reached through the cast to the
-- column's type).
SELECT leadscore.rescore('priv_crm.contacts', '2025-06-02') AS rescored;
SELECT leadscore.rescore('priv_crm.contacts', '2025-06-02') AS nothing_changed;
CALL leadscore.rescore_in_batches('priv_crm.contacts', 1, '2025-06-03');
-- An ordinary role with INSERT on the events table only: its events rescore
-- their lead, as the leads table's owner.
SET ROLE priv_plain;
INSERT INTO priv_crm.activities VALUES (1, ROW('webinar_attended'), now());
RESET ROLE;
SELECT id, score FROM priv_crm.contacts ORDER BY id;
SELECT rolsuper AS owner_became_superuser FROM pg_roles WHERE rolname = 'priv_owner';

-- The fixture of the rights matrix: the owner's attached tables above, a
-- table of its own not yet attached, and a superuser's attached table.
SELECT leadscore.define_calendar('priv_spare', '{"time_zone": "UTC", "week": {"fri": [["09:00", "17:00"]]}}')
    IS NOT NULL AS calendar_defined;
CREATE TABLE priv_admin.accounts (id int PRIMARY KEY, stage text, score numeric, mql_at timestamptz);
CREATE TABLE priv_admin.visits (account_id int NOT NULL, kind text NOT NULL, occurred_at timestamptz NOT NULL);
SELECT leadscore.attach('priv_admin.accounts', '{"stage_column": "stage", "score_column": "score",
  "stamps": {"mql": "mql_at"}, "notify_channel": null,
  "sla": {"calendar": "priv_office", "policies": [{"name": "call", "within": "4 hours", "met_by": {"leaves_for": ["sql"]}}]}}')
    IS NOT NULL AS attached;
SELECT leadscore.attach_events('priv_admin.visits', '{"leads": "priv_admin.accounts", "lead_column": "account_id",
  "type_column": "kind"}') IS NOT NULL AS events_attached;
INSERT INTO priv_admin.accounts VALUES (1, 'lead', NULL, NULL), (2, 'mql', NULL, '2025-06-02 09:00');
UPDATE priv_admin.accounts SET stage = 'mql' WHERE id = 1;
SET client_min_messages = warning;
UPDATE priv_crm.contacts SET stage = 'mql' WHERE id = 2;
RESET client_min_messages;

-- Each call exercises one public function (a type's support functions
-- through the type, triggers through the statements that fire them) and
-- answers something short. Each runs in a subtransaction that is rolled
-- back, as each role, and its outcome (ok and the answer, or the SQLSTATE)
-- is kept.
CREATE TABLE priv_calls (label text PRIMARY KEY, fn regprocedure NOT NULL, statement text NOT NULL);
INSERT INTO priv_calls VALUES
  ('stage: input', 'leadscore.lifecycle_stage_in(cstring)', $$SELECT 'Marketing Qualified Lead'::leadscore.lifecycle_stage::text$$),
  ('stage: output', 'leadscore.lifecycle_stage_out(leadscore.lifecycle_stage)', $$SELECT leadscore.lifecycle_stage_out('sql')::text$$),
  ('stage: binary input', 'leadscore.lifecycle_stage_recv(internal)', $$SELECT has_function_privilege('leadscore.lifecycle_stage_recv(internal)', 'EXECUTE')::text  -- (COPY BINARY calls it: SQL cannot pass an internal)$$),
  ('stage: binary output', 'leadscore.lifecycle_stage_send(leadscore.lifecycle_stage)', $$SELECT leadscore.lifecycle_stage_send('mql')::text$$),
  ('stage: from text', 'leadscore.lifecycle_stage(text)', $$SELECT leadscore.lifecycle_stage('opportunity'::text)::text$$),
  ('stage: to text', 'leadscore.text(leadscore.lifecycle_stage)', $$SELECT leadscore.text('sal')$$),
  ('stage: =', 'leadscore.lifecycle_stage_eq(leadscore.lifecycle_stage,leadscore.lifecycle_stage)', $$SELECT leadscore.lifecycle_stage_eq('mql', 'mql')::text$$),
  ('stage: <>', 'leadscore.lifecycle_stage_ne(leadscore.lifecycle_stage,leadscore.lifecycle_stage)', $$SELECT leadscore.lifecycle_stage_ne('mql', 'sql')::text$$),
  ('stage: <', 'leadscore.lifecycle_stage_lt(leadscore.lifecycle_stage,leadscore.lifecycle_stage)', $$SELECT leadscore.lifecycle_stage_lt('mql', 'sql')::text$$),
  ('stage: <=', 'leadscore.lifecycle_stage_le(leadscore.lifecycle_stage,leadscore.lifecycle_stage)', $$SELECT leadscore.lifecycle_stage_le('mql', 'sql')::text$$),
  ('stage: >', 'leadscore.lifecycle_stage_gt(leadscore.lifecycle_stage,leadscore.lifecycle_stage)', $$SELECT leadscore.lifecycle_stage_gt('mql', 'sql')::text$$),
  ('stage: >=', 'leadscore.lifecycle_stage_ge(leadscore.lifecycle_stage,leadscore.lifecycle_stage)', $$SELECT leadscore.lifecycle_stage_ge('mql', 'sql')::text$$),
  ('stage: compare', 'leadscore.lifecycle_stage_cmp(leadscore.lifecycle_stage,leadscore.lifecycle_stage)', $$SELECT leadscore.lifecycle_stage_cmp('customer', 'lead')::text$$),
  ('stage: sort', 'leadscore.lifecycle_stage_sortsupport(internal)', $$SELECT string_agg(s::text, ' ' ORDER BY s) FROM unnest('{sql,lead,recycled}'::leadscore.lifecycle_stage[]) AS s$$),
  ('stage: hash', 'leadscore.lifecycle_stage_hash(leadscore.lifecycle_stage)', $$SELECT (leadscore.lifecycle_stage_hash('mql') = leadscore.lifecycle_stage_hash('MQL'))::text$$),
  ('stage: hash extended', 'leadscore.lifecycle_stage_hash_extended(leadscore.lifecycle_stage,bigint)', $$SELECT (leadscore.lifecycle_stage_hash_extended('mql', 7) = leadscore.lifecycle_stage_hash_extended('MQL', 7))::text$$),
  ('stage: smaller', 'leadscore.lifecycle_stage_smaller(leadscore.lifecycle_stage,leadscore.lifecycle_stage)', $$SELECT leadscore.lifecycle_stage_smaller('mql', 'sql')::text$$),
  ('stage: larger', 'leadscore.lifecycle_stage_larger(leadscore.lifecycle_stage,leadscore.lifecycle_stage)', $$SELECT leadscore.lifecycle_stage_larger('mql', 'sql')::text$$),
  ('stage: min', 'leadscore.min(leadscore.lifecycle_stage)', $$SELECT leadscore.min(s)::text FROM unnest('{sql,lead}'::leadscore.lifecycle_stage[]) AS s$$),
  ('stage: max', 'leadscore.max(leadscore.lifecycle_stage)', $$SELECT leadscore.max(s)::text FROM unnest('{sql,lead}'::leadscore.lifecycle_stage[]) AS s$$),
  ('stage: rank', 'leadscore.stage_rank(leadscore.lifecycle_stage)', $$SELECT leadscore.stage_rank('sql')::text$$),
  ('stage: in the funnel', 'leadscore.is_funnel_stage(leadscore.lifecycle_stage)', $$SELECT leadscore.is_funnel_stage('recycled')::text$$),
  ('stage: stages', 'leadscore.stages()', $$SELECT count(*)::text FROM leadscore.stages()$$),
  ('stage: labels', 'leadscore.stage_labels()', $$SELECT (count(*) > 10)::text FROM leadscore.stage_labels()$$),
  ('transitions: allowed', 'leadscore.can_transition(leadscore.lifecycle_stage,leadscore.lifecycle_stage)', $$SELECT leadscore.can_transition('lead', 'customer')::text$$),
  ('transitions: error', 'leadscore.transition_error(leadscore.lifecycle_stage,leadscore.lifecycle_stage)', $$SELECT (leadscore.transition_error('lead', 'customer') IS NOT NULL)::text$$),
  ('attach: own table', 'leadscore.attach(regclass,jsonb)', $$SELECT leadscore.attach('priv_crm.fresh', '{"stage_column": "stage"}') ->> 'key_column'$$),
  ('attach: the superuser''s table', 'leadscore.attach(regclass,jsonb)', $$SELECT leadscore.attach('priv_admin.accounts', '{"stage_column": "stage"}') ->> 'key_column'$$),
  ('attach: SLA activity in the superuser''s table', 'leadscore.attach(regclass,jsonb)', $$SELECT leadscore.attach('priv_crm.fresh', '{"stage_column": "stage", "sla": {"calendar": "priv_office", "policies": [{"name": "visit", "met_by": {"events": "priv_admin.visits", "lead_column": "account_id", "time_column": "occurred_at"}}]}}') ->> 'key_column'$$),
  ('detach: own table', 'leadscore.detach(regclass)', $$SELECT leadscore.detach('priv_crm.contacts')::text$$),
  ('detach: the superuser''s table', 'leadscore.detach(regclass)', $$SELECT leadscore.detach('priv_admin.accounts')::text$$),
  ('attach_events: own tables', 'leadscore.attach_events(regclass,jsonb)', $$SELECT leadscore.attach_events('priv_crm.activities', '{"leads": "priv_crm.contacts", "lead_column": "contact_id", "type_column": "kind"}') ->> 'leads'$$),
  ('attach_events: to the superuser''s table', 'leadscore.attach_events(regclass,jsonb)', $$SELECT leadscore.attach_events('priv_crm.activities', '{"leads": "priv_admin.accounts", "lead_column": "contact_id", "type_column": "kind"}') ->> 'leads'$$),
  ('detach_events: own table', 'leadscore.detach_events(regclass)', $$SELECT leadscore.detach_events('priv_crm.activities')::text$$),
  ('detach_events: the superuser''s table', 'leadscore.detach_events(regclass)', $$SELECT leadscore.detach_events('priv_admin.visits')::text$$),
  ('rescore: own table', 'leadscore.rescore(regclass,timestamp with time zone)', $$SELECT leadscore.rescore('priv_crm.contacts', '2025-06-04')::text$$),
  ('rescore: the superuser''s table', 'leadscore.rescore(regclass,timestamp with time zone)', $$SELECT leadscore.rescore('priv_admin.accounts', '2025-06-04')::text$$),
  ('trigger: stage change on own table', 'leadscore.lifecycle_trigger()', $$UPDATE priv_crm.contacts SET stage = 'sql' WHERE id = 2 RETURNING stage$$),
  ('history: refuses changes', 'leadscore.refuse_history_change()', $$UPDATE leadscore.stage_history SET reason = 'x' RETURNING reason$$),
  ('history: kept on DROP EXTENSION', 'leadscore.guard_history_on_drop()', $$DROP EXTENSION leadscore$$),
  ('history: own table''s', 'leadscore.guard_history_on_drop()', $$SELECT count(*)::text FROM leadscore.stage_history WHERE target = 'priv_crm.contacts'::regclass$$),
  ('history: the superuser''s table''s', 'leadscore.guard_history_on_drop()', $$SELECT count(*)::text FROM leadscore.stage_history WHERE target = 'priv_admin.accounts'::regclass$$),
  ('attachments: visible', 'leadscore.attach(regclass,jsonb)', $$SELECT string_agg(target::text, ' ' ORDER BY target::text) FROM leadscore.attachments$$),
  ('attachments: configs visible', 'leadscore.attach(regclass,jsonb)', $$SELECT string_agg(target::text, ' ' ORDER BY target::text) FROM leadscore.attachment_configs$$),
  ('attachments: events visible', 'leadscore.attach_events(regclass,jsonb)', $$SELECT string_agg(events::text, ' ' ORDER BY events::text) FROM leadscore.event_attachments$$),
  ('classifiers: seniority', 'leadscore.title_seniority(text)', $$SELECT leadscore.title_seniority('VP Sales')$$),
  ('classifiers: email', 'leadscore.email_kind(text)', $$SELECT leadscore.email_kind('ann@gmail.com')$$),
  ('classifiers: email with a domain', 'leadscore.email_kind(text,text)', $$SELECT leadscore.email_kind('default', 'ann@rival.com')$$),
  ('models: define', 'leadscore.define_model(text,jsonb)', $$SELECT leadscore.define_model('priv_model', '{}')::text$$),
  ('models: definition', 'leadscore.model_definition(text,integer)', $$SELECT leadscore.model_definition('default') ->> 'thresholds'$$),
  ('models: fit', 'leadscore.fit_score(text,jsonb)', $$SELECT leadscore.fit_score('default', '{"title": "CEO"}')::text$$),
  ('models: explain fit', 'leadscore.explain_fit(text,jsonb)', $$SELECT string_agg(rule || ' ' || points, ', ') FROM leadscore.explain_fit('default', '{"title": "CEO"}')$$),
  ('models: grade', 'leadscore.grade(text,integer,numeric)', $$SELECT leadscore.grade('default', 40, 60)$$),
  ('models: threshold', 'leadscore.meets_threshold(text,text,integer,numeric)', $$SELECT leadscore.meets_threshold('default', 'mql', 40, 60)::text$$),
  ('models: engagement', 'leadscore.engagement_score(text,text,timestamp with time zone,timestamp with time zone)', $$SELECT leadscore.engagement_score('default', 'demo_view', '2025-06-01', '2025-06-02')::text$$),
  ('models: explain engagement', 'leadscore.explain_engagement(text,text,timestamp with time zone,timestamp with time zone)', $$SELECT (leadscore.explain_engagement('default', 'demo_view', '2025-06-01', '2025-06-02') IS NOT NULL)::text$$),
  ('calendars: define', 'leadscore.define_calendar(text,jsonb)', $$SELECT (leadscore.define_calendar('priv_other', '{"time_zone": "UTC", "week": {"tue": [["09:00", "17:00"]]}}') IS NOT NULL)::text$$),
  ('calendars: drop', 'leadscore.drop_calendar(text)', $$SELECT leadscore.drop_calendar('priv_spare')::text$$),
  ('calendars: add', 'leadscore.business_add(text,timestamp with time zone,interval)', $$SELECT leadscore.business_add('priv_office', '2025-06-02 16:00', '2 hours')::text$$),
  ('calendars: diff', 'leadscore.business_diff(text,timestamp with time zone,timestamp with time zone)', $$SELECT leadscore.business_diff('priv_office', '2025-06-02 08:00', '2025-06-09 10:00')::text$$),
  ('calendars: is business time', 'leadscore.is_business_time(text,timestamp with time zone)', $$SELECT leadscore.is_business_time('priv_office', '2025-06-02 10:00')::text$$),
  ('calendars: next start', 'leadscore.next_business_start(text,timestamp with time zone)', $$SELECT leadscore.next_business_start('priv_office', '2025-06-02 18:00')::text$$),
  ('sla: sweep', 'leadscore.sla_sweep(timestamp with time zone)', $$SELECT leadscore.sla_sweep('2025-06-09')::text$$),
  ('sla: clocks of own table', 'leadscore.sla_compliance(regclass,timestamp with time zone,text)', $$SELECT count(*)::text FROM leadscore.sla_clocks WHERE target = 'priv_crm.contacts'::regclass$$),
  ('sla: clocks of the superuser''s table', 'leadscore.sla_compliance(regclass,timestamp with time zone,text)', $$SELECT count(*)::text FROM leadscore.sla_clocks WHERE target = 'priv_admin.accounts'::regclass$$),
  ('sla: compliance of own table', 'leadscore.sla_compliance(regclass,timestamp with time zone,text)', $$SELECT sum(clocks)::text FROM leadscore.sla_compliance('priv_crm.contacts', '2025-06-01', 'month')$$),
  ('sla: compliance of the superuser''s table', 'leadscore.sla_compliance(regclass,timestamp with time zone,text)', $$SELECT sum(clocks)::text FROM leadscore.sla_compliance('priv_admin.accounts', '2025-06-01', 'month')$$),
  ('funnels: window funnel', 'leadscore.window_funnel(interval,timestamp with time zone,boolean[])', $$SELECT leadscore.window_funnel('1 day', t, t > '2025-01-01', true)::text FROM (VALUES (timestamptz '2025-01-02')) AS v(t)$$),
  ('funnels: window funnel with modes', 'leadscore.window_funnel(interval,text,timestamp with time zone,boolean[])', $$SELECT leadscore.window_funnel('1 day', 'strict_order', t, true, true)::text FROM (VALUES (timestamptz '2025-01-02')) AS v(t)$$),
  ('funnels: step times', 'leadscore.window_funnel_times(interval,timestamp with time zone,boolean[])', $$SELECT array_length(leadscore.window_funnel_times('1 day', t, true), 1)::text FROM (VALUES (timestamptz '2025-01-02')) AS v(t)$$),
  ('funnels: step times with modes', 'leadscore.window_funnel_times(interval,text,timestamp with time zone,boolean[])', $$SELECT array_length(leadscore.window_funnel_times('1 day', 'strict_order', t, true), 1)::text FROM (VALUES (timestamptz '2025-01-02')) AS v(t)$$),
  ('calibration: AUC', 'leadscore.score_auc(double precision,boolean)', $$SELECT leadscore.score_auc(s, s > 1)::text FROM unnest('{1,2,3}'::float8[]) AS s$$),
  ('calibration: threshold', 'leadscore.recommend_threshold(numeric,boolean,double precision)', $$SELECT leadscore.recommend_threshold(s, s > 1, 0.5)::text FROM unnest('{1,2,3}'::numeric[]) AS s$$),
  ('calibration: curve', 'leadscore.threshold_curve(numeric,boolean)', $$SELECT jsonb_array_length(to_jsonb(leadscore.threshold_curve(s, s > 1)))::text FROM unnest('{1,2,3}'::numeric[]) AS s$$),
  ('reports: time in stage', 'leadscore.time_in_stage(leadscore.lifecycle_stage,timestamp with time zone,timestamp with time zone)', $$SELECT array_length(leadscore.time_in_stage(s, t, '2025-01-03' ORDER BY t), 1)::text FROM (VALUES ('lead'::leadscore.lifecycle_stage, timestamptz '2025-01-01'), ('mql', '2025-01-02')) AS v(s, t)$$),
  ('reports: band verdict', 'leadscore.band_verdict(text,numeric)', $$SELECT leadscore.band_verdict('mql_to_sql', 0.2)$$),
  ('reports: funnel of own table', 'leadscore.funnel_report(regclass,text,timestamp with time zone,text)', $$SELECT sum(entered_mql)::text FROM leadscore.funnel_report('priv_crm.contacts', 'year')$$),
  ('reports: funnel of the superuser''s table', 'leadscore.funnel_report(regclass,text,timestamp with time zone,text)', $$SELECT sum(entered_mql)::text FROM leadscore.funnel_report('priv_admin.accounts', 'year')$$),
  ('partitions: repair', 'leadscore.repair_partition_triggers()', $$SELECT leadscore.repair_partition_triggers()::text$$),
  ('batches: see below', 'leadscore.rescore_in_batches(regclass,integer,timestamp with time zone,bigint)', $$SELECT 'run at the top level'$$);

-- Every public function has a call.
SELECT p.oid::regprocedure AS without_a_call
FROM pg_proc AS p JOIN pg_depend AS d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'leadscore') AND p.proname !~ '^_'
EXCEPT SELECT fn FROM priv_calls;

CREATE TABLE priv_outcomes (label text, role text, outcome text);
SET client_min_messages = warning;  -- (the owner's code says whom it runs as)
DO $$
DECLARE
    call record;
    who text;
    answer text;
    outcome text;
BEGIN
    FOR call IN SELECT * FROM priv_calls ORDER BY label LOOP
        FOREACH who IN ARRAY ARRAY['priv_plain', 'priv_owner', 'superuser'] LOOP
            BEGIN
                IF who <> 'superuser' THEN
                    EXECUTE format('SET ROLE %I', who);
                END IF;
                IF call.statement ~* '^(SELECT|WITH)|RETURNING' THEN
                    EXECUTE call.statement INTO answer;
                ELSE
                    EXECUTE call.statement;
                    answer := 'done';
                END IF;
                RAISE EXCEPTION USING ERRCODE = 'LS000', MESSAGE = coalesce(answer, 'NULL');  -- rolls it back
            EXCEPTION WHEN OTHERS THEN
                outcome := CASE WHEN SQLSTATE = 'LS000' THEN 'ok: ' || left(SQLERRM, 40) ELSE SQLSTATE END;
            END;
            RESET ROLE;
            INSERT INTO priv_outcomes VALUES (call.label, who, outcome);
        END LOOP;
    END LOOP;
END
$$;
SELECT o.label,
       max(o.outcome) FILTER (WHERE o.role = 'priv_plain') AS ordinary_role,
       max(o.outcome) FILTER (WHERE o.role = 'priv_owner') AS table_owner,
       max(o.outcome) FILTER (WHERE o.role = 'superuser') AS superuser
FROM priv_outcomes AS o GROUP BY o.label ORDER BY o.label;
RESET client_min_messages;

-- The refusals say what and why.
SET ROLE priv_owner;
SELECT leadscore.detach('priv_admin.accounts');
SELECT leadscore.rescore('priv_admin.accounts');
RESET ROLE;

-- Rescoring in batches commits (so it runs at the top level, not in the
-- matrix): the owner, and a role that may UPDATE the table, may; an
-- ordinary role and the owner of another table may not.
SET ROLE priv_plain;
CALL leadscore.rescore_in_batches('priv_crm.contacts', 10, '2025-06-05');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE priv_owner;
CALL leadscore.rescore_in_batches('priv_crm.contacts', 10, '2025-06-05');
CALL leadscore.rescore_in_batches('priv_admin.accounts', 10, '2025-06-05');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
GRANT UPDATE ON priv_crm.contacts TO priv_plain;
SET ROLE priv_plain;
CALL leadscore.rescore_in_batches('priv_crm.contacts', 10, '2025-06-05');
RESET ROLE;
REVOKE UPDATE ON priv_crm.contacts FROM priv_plain;

-- The documentation's old advice (0.6): write rights on attachment_configs granted to a
-- table owner. No row policy lets such a role write, so it reaches no other
-- owner's attachment (nor its own: attach and detach are the way).
GRANT INSERT, UPDATE, DELETE ON leadscore.attachment_configs TO priv_owner;
SET ROLE priv_owner;
DELETE FROM leadscore.attachment_configs WHERE target = 'priv_admin.accounts'::regclass;
UPDATE leadscore.attachment_configs SET config = '{}' WHERE target = 'priv_admin.accounts'::regclass;
INSERT INTO leadscore.attachment_configs (target, config) VALUES ('priv_crm.fresh', '{}');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
REVOKE ALL ON leadscore.attachment_configs FROM priv_owner;
SELECT target FROM leadscore.attachment_configs ORDER BY target::text;

-- No SECURITY DEFINER function is PUBLIC's to run but the gates' own
-- (none): the privileged ones are reached through their gates.
SELECT p.oid::regprocedure AS definer_public_may_run
FROM pg_proc AS p JOIN pg_depend AS d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'leadscore')
  AND p.prosecdef AND has_function_privilege('public', p.oid, 'EXECUTE');

SET client_min_messages = warning;
SELECT leadscore.detach(t) FROM unnest('{priv_crm.contacts, priv_admin.accounts}'::regclass[]) AS t;
RESET client_min_messages;
SELECT leadscore.drop_calendar(c) FROM unnest('{priv_office, priv_spare}'::text[]) AS c;
DELETE FROM leadscore.sla_clocks;
DROP TABLE priv_calls, priv_outcomes;
DROP SCHEMA priv_crm, priv_admin CASCADE;
DROP ROLE priv_plain, priv_owner;
