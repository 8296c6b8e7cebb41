-- Events that score leads: attach_events rescores the leads of inserted
-- events at once (which may promote them); rescore() recomputes a whole
-- table exactly at a given time (decay, caps, inactivity move with time).

CREATE TABLE crm_contacts (
    id bigint PRIMARY KEY,
    lifecyclestage text,
    job_title text,
    employees integer,
    industry text,
    email text,
    fit integer,
    engagement numeric,
    score numeric,
    mql_at timestamptz
);
CREATE TABLE crm_activities (
    id bigserial PRIMARY KEY,
    contact_id bigint NOT NULL,
    kind text NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON crm_activities (contact_id);
SELECT leadscore.attach('crm_contacts', '{
  "stage_column": "lifecyclestage", "stamps": {"mql": "mql_at"},
  "score_column": "score", "fit_column": "fit", "engagement_column": "engagement",
  "fit_attributes": {"title": "job_title", "employees": "employees", "industry": "industry", "email": "email"}}') -> 'fit_attributes' AS fit_attributes;
SELECT leadscore.attach_events('crm_activities', '{"leads": "crm_contacts", "lead_column": "contact_id", "type_column": "kind"}');

INSERT INTO crm_contacts (id, lifecyclestage, job_title, employees, industry, email) VALUES
  (1, 'lead', 'VP Marketing', 200, 'SaaS', 'vp@acme.io'),
  (2, 'lead', 'Marketing Intern', 5, 'retail', 'intern@gmail.com'),
  (3, 'lead', 'Director of IT', 900, 'healthcare', 'dir@clinic.org');
-- The INSERT computes fit from the attributes (as rescore does), and the
-- engagement of a lead with no activity yet (the inactivity penalty) and
-- the total follow; a rescore agrees: it changes nothing.
SELECT id, lifecyclestage, fit, engagement, score FROM crm_contacts ORDER BY id;
SELECT leadscore.rescore('crm_contacts') AS nothing_changed;

-- Each INSERT rescores its leads at once; crossing 80 makes an MQL.
INSERT INTO crm_activities (contact_id, kind) VALUES (1, 'pricing_view'), (1, 'demo_view');
SELECT id, lifecyclestage, fit, engagement, score, mql_at IS NOT NULL AS mql_stamped FROM crm_contacts ORDER BY id;
-- Many events in one statement (COPY works the same): one rescore per lead.
INSERT INTO crm_activities (contact_id, kind, occurred_at)
SELECT 3, 'email_open', now() - g * interval '1 hour' FROM generate_series(1, 30) AS g;
INSERT INTO crm_activities (contact_id, kind) VALUES (2, 'webinar_attended'), (2, 'unknown_kind');
SELECT id, lifecyclestage, fit, engagement, score FROM crm_contacts ORDER BY id;
SELECT lead_key, from_stage, to_stage, reason FROM leadscore.stage_history
WHERE target = 'crm_contacts'::regclass AND from_stage IS NOT NULL ORDER BY id;

-- Who a lead is changes (a new job, a business address): the UPDATE trigger
-- watches the attribute columns, computes fit again and moves the total by
-- the difference; a rescore agrees.
UPDATE crm_contacts SET job_title = 'CEO', email = 'ceo@bigcorp.com', employees = 400,
                        industry = 'SaaS' WHERE id = 2;
SELECT id, lifecyclestage, fit, engagement, score, mql_at IS NOT NULL AS mql_stamped
FROM crm_contacts WHERE id = 2;
SELECT lead_key, from_stage, to_stage, reason FROM leadscore.stage_history
WHERE target = 'crm_contacts'::regclass AND lead_key = '2' AND from_stage IS NOT NULL ORDER BY id;
SELECT leadscore.rescore('crm_contacts') AS nothing_changed;
-- A statement that sets the total itself keeps its value; fit still follows.
UPDATE crm_contacts SET job_title = 'Marketing Intern', score = 33 WHERE id = 2;
SELECT id, fit, score FROM crm_contacts WHERE id = 2;
-- An UPDATE of no attribute leaves fit alone (a fit written by hand stays
-- until the next rescore, which puts both leads right).
UPDATE crm_contacts SET fit = 0 WHERE id = 3;
SELECT id, fit, score FROM crm_contacts WHERE id = 3;
SELECT leadscore.rescore('crm_contacts') AS rescored;
SELECT id, fit, engagement, score FROM crm_contacts ORDER BY id;
-- An import brings its engagement: the total starts from fit + that. A
-- better fit later lifts the total over the MQL threshold: promoted in the
-- same trigger (reason score_threshold).
INSERT INTO crm_contacts (id, lifecyclestage, job_title, email, engagement) VALUES
  (4, 'lead', 'Marketing Intern', 'intern@gmail.com', 70);
SELECT id, lifecyclestage, fit, engagement, score FROM crm_contacts WHERE id = 4;
UPDATE crm_contacts SET job_title = 'CEO', email = 'ceo@bigcorp.com', employees = 400, industry = 'SaaS'
WHERE id = 4;
SELECT id, lifecyclestage, fit, engagement, score, mql_at IS NOT NULL AS mql_stamped FROM crm_contacts WHERE id = 4;
SELECT from_stage, to_stage, reason FROM leadscore.stage_history
WHERE target = 'crm_contacts'::regclass AND lead_key = '4' ORDER BY id;
DELETE FROM crm_contacts WHERE id = 4;

-- The nightly rescore 45 days later: no decay in the default model, but the
-- inactivity penalty now applies to everyone. It never demotes.
SELECT leadscore.rescore('crm_contacts', now() + interval '45 days') AS rescored;
SELECT id, lifecyclestage, fit, engagement, score FROM crm_contacts ORDER BY id;

-- A model with decay, rescored as time goes by (the attachment's model is
-- replaced by re-attaching).
SELECT leadscore.define_model('fading', '{"engagement": {"groups": {"all": {"decay": {"half_life": "7 days"}}},
  "events": {"pricing_view": {"points": 40, "group": "all"}, "demo_view": {"points": 40, "group": "all"}}}}');
SELECT leadscore.attach('crm_contacts', '{"stage_column": "lifecyclestage", "stamps": {"mql": "mql_at"},
  "score_column": "score", "fit_column": "fit", "engagement_column": "engagement", "model": "fading"}') ->> 'model' AS model;
SELECT leadscore.rescore('crm_contacts', now()) AS rescored;
SELECT id, engagement, score FROM crm_contacts ORDER BY id;
SELECT leadscore.rescore('crm_contacts', now() + interval '7 days') AS rescored_a_week_later;
SELECT id, engagement, score FROM crm_contacts ORDER BY id;

-- An attachment with a score column and no source for it: rescore leaves the
-- stored score alone (it does not cut it down to nothing).
CREATE TABLE scores_only (id int PRIMARY KEY, stage text, score integer);
SELECT leadscore.attach('scores_only', '{"stage_column": "stage", "score_column": "score"}') IS NOT NULL AS attached;
INSERT INTO scores_only VALUES (1, 'lead', 42);
SELECT leadscore.rescore('scores_only') AS rescored, (SELECT score FROM scores_only) AS score_kept;
-- Integer score columns hold rounded values: a second rescore finds nothing
-- to change (the computed values are compared as the column stores them).
CREATE TABLE rounded (id int PRIMARY KEY, stage text, engagement integer, score integer);
CREATE TABLE rounded_events (lead_id int, event_type text, occurred_at timestamptz);
SELECT leadscore.attach('rounded', '{"stage_column": "stage", "score_column": "score", "engagement_column": "engagement", "model": "fading"}') IS NOT NULL AS attached;
SELECT leadscore.attach_events('rounded_events', '{"leads": "rounded", "lead_column": "lead_id"}') ->> 'type_column' AS type_column;
INSERT INTO rounded VALUES (1, 'lead');
INSERT INTO rounded_events VALUES (1, 'pricing_view', now() - interval '3 days');
SELECT engagement, score FROM rounded;
SELECT leadscore.rescore('rounded') AS first, leadscore.rescore('rounded') AS second;
-- A dropped events table is left out of rescoring, not an error.
CREATE TABLE doomed_events (lead_id int, event_type text, occurred_at timestamptz);
SELECT leadscore.attach_events('doomed_events', '{"leads": "rounded", "lead_column": "lead_id"}') IS NOT NULL AS attached;
DROP TABLE doomed_events;
SELECT leadscore.rescore('rounded') AS rescored_after_drop;
INSERT INTO rounded_events VALUES (1, 'demo_view', now());
SELECT engagement, score FROM rounded;
SELECT leadscore.detach('scores_only'), leadscore.detach('rounded');
DROP TABLE scores_only, rounded, rounded_events;

-- Bad input.
\set SHOW_CONTEXT never
SELECT leadscore.attach_events('crm_activities', '{"leads": "crm_contacts", "lead_column": "nope"}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.attach_events('crm_activities', '{"leads": "crm_contacts", "lead_column": "kind"}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.attach_events('crm_activities', '{"leads": "crm_contacts", "lead_column": "contact_id", "type_column": "kind", "time_column": "id"}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.attach_events('crm_activities', '{"leads": "no_such_table"}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.attach_events('crm_activities', '{"leads": 42}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.attach_events('crm_activities', '{"lead": "crm_contacts"}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.attach_events('crm_activities', NULL);
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE unscored (id int PRIMARY KEY, stage text);
SELECT leadscore.attach('unscored', '{"stage_column": "stage"}') IS NOT NULL AS attached;
SELECT leadscore.attach_events('crm_activities', '{"leads": "unscored"}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.rescore('unscored');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.rescore('crm_contacts', 'infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.rescore(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.rescore('crm_contacts', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.detach_events('unscored');
\echo :LAST_ERROR_SQLSTATE
SELECT events, leads, config FROM leadscore.event_attachments;

-- Detaching the events table removes its trigger: inserts no longer rescore.
SELECT leadscore.detach_events('crm_activities');
INSERT INTO crm_activities (contact_id, kind) VALUES (2, 'demo_view');
SELECT id, engagement FROM crm_contacts WHERE id = 2;
-- Detaching the leads table detaches its events tables too.
SELECT leadscore.attach_events('crm_activities', '{"leads": "crm_contacts", "lead_column": "contact_id", "type_column": "kind"}') IS NOT NULL AS attached_again;
SELECT leadscore.detach('crm_contacts'), leadscore.detach('unscored');
SELECT count(*) AS event_attachments_left FROM leadscore.event_attachments;
SELECT count(*) AS event_triggers_left FROM pg_trigger WHERE tgrelid = 'crm_activities'::regclass AND NOT tgisinternal;
DROP TABLE crm_contacts, crm_activities, unscored;

-- Fit from columns of other types reads them as rescore's
-- jsonb_build_object does (to_jsonb): a varchar title, a numeric or float
-- employee count (NaN as a string, which the size rule cannot read), a
-- char(2) country, a domain over text; the trigger's fit equals fit_score
-- over jsonb_build_object for every row. An integer score column holds the
-- total rounded; a smallint fit column too small for the fit is an error.
CREATE DOMAIN crm_email AS text CHECK (VALUE LIKE '%@%');
CREATE TABLE typed_contacts (id int PRIMARY KEY, stage text, title varchar(40), employees numeric(10, 1),
                             headcount float8, industry text, country char(2), email crm_email,
                             fit smallint, score integer);
SELECT leadscore.attach('typed_contacts', '{"stage_column": "stage", "score_column": "score", "fit_column": "fit",
  "fit_attributes": {"title": "title", "employees": "employees", "industry": "industry", "country": "country",
                     "email": "email"}}') IS NOT NULL AS attached;
INSERT INTO typed_contacts (id, stage, title, employees, industry, country, email) VALUES
  (1, 'lead', 'VP/GM EMEA', 250.5, 'Software', 'de', 'gm@example.de'),
  (2, 'lead', 'Student', 12, NULL, 'fr', 'me@university.edu'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL);
SELECT id, stage, fit, score,
       fit = leadscore.fit_score('default', jsonb_build_object('title', title, 'employees', employees,
                                 'industry', industry, 'country', country, 'email', email)) AS same_as_rescore
FROM typed_contacts ORDER BY id;
SELECT leadscore.rescore('typed_contacts') AS nothing_changed;
-- The same with a float head count, NaN included.
SELECT leadscore.attach('typed_contacts', '{"stage_column": "stage", "score_column": "score", "fit_column": "fit",
  "fit_attributes": {"title": "title", "employees": "headcount", "industry": "industry"}}') IS NOT NULL AS attached;
UPDATE typed_contacts SET headcount = 1e3 WHERE id = 1;
SELECT id, fit, fit = leadscore.fit_score('default', jsonb_build_object('title', title, 'employees', headcount,
                                          'industry', industry)) AS same_as_rescore
FROM typed_contacts WHERE id = 1;
UPDATE typed_contacts SET headcount = 'NaN' WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.fit_score('default', jsonb_build_object('employees', 'NaN'::float8));
\echo :LAST_ERROR_SQLSTATE
-- A fit the fit column cannot hold: nothing written.
SELECT leadscore.define_model('huge_fit', '{"fit": {"rules": [{"name": "everyone", "attribute": "title",
  "in": ["CEO"], "points": 40000}]}}') AS version;
SELECT leadscore.attach('typed_contacts', '{"stage_column": "stage", "score_column": "score", "fit_column": "fit",
  "model": "huge_fit", "fit_attributes": {"title": "title"}}') IS NOT NULL AS attached;
\set SHOW_CONTEXT errors
UPDATE typed_contacts SET title = 'CEO' WHERE id = 1;
\set SHOW_CONTEXT never
SELECT id, title, fit FROM typed_contacts WHERE id = 1;
SELECT leadscore.detach('typed_contacts');
DROP TABLE typed_contacts;
DROP DOMAIN crm_email;
DELETE FROM leadscore.scoring_models WHERE name = 'huge_fit';

-- Where a new lead's engagement comes from decides its total, as rescore
-- decides it: the application's engagement column (NULL counts 0, the
-- column is left alone); once an events table is attached, a lead with no
-- activity yet (the inactivity penalty, written into the column too). A
-- generated attribute column leaves fit to rescore (PostgreSQL computes it
-- after BEFORE triggers). An UPDATE that puts an unreadable attribute right
-- is not refused for the old value; a total the row brings, NaN included,
-- is kept.
CREATE TABLE sourced (id int PRIMARY KEY, stage text, title text, employees text, engagement numeric,
                      score numeric, fit int);
CREATE TABLE sourced_events (lead_id int, event_type text, occurred_at timestamptz);
SELECT leadscore.attach('sourced', '{"stage_column": "stage", "score_column": "score", "fit_column": "fit",
  "engagement_column": "engagement", "fit_attributes": {"title": "title"}}') IS NOT NULL AS attached;
INSERT INTO sourced (id, stage, title) VALUES (1, 'lead', 'CEO');
INSERT INTO sourced (id, stage, title, engagement) VALUES (2, 'lead', 'CEO', 12);
INSERT INTO sourced (id, stage, title, score) VALUES (3, 'lead', 'CEO', 'NaN');
SELECT leadscore.attach_events('sourced_events', '{"leads": "sourced", "lead_column": "lead_id"}') IS NOT NULL AS events_attached;
INSERT INTO sourced (id, stage, title) VALUES (4, 'lead', 'CEO');
SELECT id, fit, engagement, score FROM sourced ORDER BY id;
-- (employees is not an attribute yet: 'n/a' goes in unread)
UPDATE sourced SET employees = 'n/a', fit = NULL WHERE id = 1;
SELECT leadscore.attach('sourced', '{"stage_column": "stage", "score_column": "score", "fit_column": "fit",
  "engagement_column": "engagement", "fit_attributes": {"title": "title", "employees": "employees"}}') IS NOT NULL AS attached;
UPDATE sourced SET employees = 'lots' WHERE id = 1;
UPDATE sourced SET employees = '250' WHERE id = 1;
SELECT id, fit, score FROM sourced WHERE id = 1;
SELECT leadscore.detach('sourced');
ALTER TABLE sourced ADD COLUMN title_lower text GENERATED ALWAYS AS (lower(title)) STORED;
SELECT leadscore.attach('sourced', '{"stage_column": "stage", "score_column": "score", "fit_column": "fit",
  "fit_attributes": {"title": "title_lower"}}') IS NOT NULL AS attached_with_a_generated_attribute;
INSERT INTO sourced (id, stage, title) VALUES (5, 'lead', 'CEO');
SELECT id, fit, score FROM sourced WHERE id = 5;
SELECT leadscore.rescore('sourced') > 0 AS rescored;
SELECT id, fit FROM sourced WHERE id = 5;
SELECT leadscore.detach('sourced');
DROP TABLE sourced, sourced_events;

-- rescore_in_batches: the same rescore, a batch of leads per transaction
-- (here two), all as of one instant; a plain rescore at that instant then
-- finds nothing left to change. Bad arguments, and a call inside a
-- transaction block (it commits), are refused.
CREATE TABLE batched (id int PRIMARY KEY, stage text, title text, engagement numeric, score numeric, fit int);
CREATE TABLE batched_events (lead_id int, event_type text, occurred_at timestamptz);
SELECT leadscore.attach('batched', '{"stage_column": "stage", "score_column": "score", "fit_column": "fit",
  "engagement_column": "engagement", "fit_attributes": {"title": "title"}}') IS NOT NULL AS attached;
SELECT leadscore.attach_events('batched_events', '{"leads": "batched", "lead_column": "lead_id"}') IS NOT NULL AS events_attached;
INSERT INTO batched (id, stage, title) SELECT i, 'lead', CASE WHEN i % 2 = 0 THEN 'CEO' ELSE 'Intern' END
FROM generate_series(1, 5) AS i;
INSERT INTO batched_events SELECT i, 'demo_view', '2025-06-01' FROM generate_series(1, 5) AS i;
CALL leadscore.rescore_in_batches('batched', 2, '2025-06-10');
SELECT leadscore.rescore('batched', '2025-06-10') AS nothing_left;
SELECT id, fit, engagement, score FROM batched ORDER BY id;
CALL leadscore.rescore_in_batches('batched', 2, '2025-08-01');
SELECT leadscore.rescore('batched', '2025-08-01') AS nothing_left;
CALL leadscore.rescore_in_batches('batched', 0);
\echo :LAST_ERROR_SQLSTATE
CALL leadscore.rescore_in_batches(NULL);
\echo :LAST_ERROR_SQLSTATE
CALL leadscore.rescore_in_batches('batched', 10, 'infinity');
\echo :LAST_ERROR_SQLSTATE
CALL leadscore.rescore_in_batches('batched_events');
\echo :LAST_ERROR_SQLSTATE
BEGIN;
CALL leadscore.rescore_in_batches('batched', 2);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- A role with rights on the CRM's tables only (none on leadscore's) can
-- insert events, rescore and rescore in batches (until 0.6 each failed
-- reading leadscore's config tables).
CREATE ROLE batched_crm;
GRANT SELECT, INSERT, UPDATE ON batched, batched_events TO batched_crm;
SET ROLE batched_crm;
INSERT INTO batched_events VALUES (1, 'demo_view', now());
SELECT leadscore.rescore('batched') AS nothing_left;
CALL leadscore.rescore_in_batches('batched', 2, '2025-09-01');
RESET ROLE;
SELECT leadscore.rescore('batched', '2025-09-01') AS nothing_left;
REVOKE ALL ON batched, batched_events FROM batched_crm;
DROP ROLE batched_crm;
SELECT leadscore.detach('batched');
DROP TABLE batched, batched_events;

-- Exact sums and any attribute type: a numeric engagement with three
-- decimals is added as rescore adds it; a json[] attribute (which no rule of
-- the default model reads) is watched as text, so updating it works.
CREATE TABLE exact (id int PRIMARY KEY, stage text, title text, tags json[], engagement numeric,
                    score numeric, fit int);
SELECT leadscore.attach('exact', '{"stage_column": "stage", "score_column": "score", "fit_column": "fit",
  "engagement_column": "engagement", "fit_attributes": {"title": "title", "tags": "tags"}}') IS NOT NULL AS attached;
INSERT INTO exact VALUES (1, 'lead', 'CEO', ARRAY['{"a": 1}'::json], 2.345);
UPDATE exact SET tags = ARRAY['{"a": 2}'::json], title = 'VP Sales' WHERE id = 1;
SELECT id, fit, engagement, score FROM exact;
SELECT leadscore.rescore('exact') AS nothing_changed;
SELECT leadscore.detach('exact');
DROP TABLE exact;

-- More than 50 fit attributes: a function takes at most 100 arguments, so
-- rescore builds the attributes' jsonb 50 pairs at a time and joins the
-- parts; its fit equals the trigger's, for rules on the 1st, 51st and 60th.
SELECT leadscore.define_model('wide_fit', '{"fit": {"rules": [
  {"name": "first", "attribute": "a01", "in": ["yes"], "points": 1},
  {"name": "fifty_first", "attribute": "a51", "in": ["yes"], "points": 10},
  {"name": "last", "attribute": "a60", "in": ["yes"], "points": 100}]}}') AS version;
SELECT format('CREATE TABLE wide (id int PRIMARY KEY, stage text, fit int, score int, %s)',
              string_agg(format('a%s text', lpad(i::text, 2, '0')), ', ' ORDER BY i))
FROM generate_series(1, 60) AS i \gexec
SELECT leadscore.attach('wide', jsonb_build_object('stage_column', 'stage', 'score_column', 'score', 'fit_column', 'fit',
  'model', 'wide_fit', 'fit_attributes', (SELECT jsonb_object_agg(format('a%s', lpad(i::text, 2, '0')),
                                                                  format('a%s', lpad(i::text, 2, '0')))
                                          FROM generate_series(1, 60) AS i))) IS NOT NULL AS attached;
INSERT INTO wide (id, stage, a01, a51, a60) VALUES (1, 'lead', 'yes', 'yes', 'yes'), (2, 'lead', 'no', 'yes', 'no');
SELECT id, fit FROM wide ORDER BY id;
SELECT leadscore.rescore('wide') AS nothing_changed;
-- With the fit wiped behind the trigger's back, rescore alone restores it.
ALTER TABLE wide DISABLE TRIGGER USER;
UPDATE wide SET fit = NULL;
ALTER TABLE wide ENABLE TRIGGER USER;
SELECT leadscore.rescore('wide') AS rescored;
SELECT id, fit FROM wide ORDER BY id;
SELECT leadscore.detach('wide');
DROP TABLE wide;
DELETE FROM leadscore.scoring_models WHERE name = 'wide_fit';

-- The events trigger keeps its statements for the session, and builds them
-- again when what they were built from changes: here the attachment's
-- score column (the table attached again), a second events table attached
-- to the same leads (its events count from then on), and the events table
-- detached (its inserts rescore nothing any more).
CREATE TABLE kept (id int PRIMARY KEY, stage text, score numeric(8,2), total integer);
CREATE TABLE kept_events (lead_id int, event_type text, occurred_at timestamptz DEFAULT now());
CREATE TABLE kept_more_events (lead_id int, event_type text, occurred_at timestamptz DEFAULT now());
SELECT leadscore.attach('kept', '{"stage_column": "stage", "score_column": "score", "notify_channel": null}') IS NOT NULL AS attached;
SELECT leadscore.attach_events('kept_events', '{"leads": "kept", "lead_column": "lead_id"}') IS NOT NULL AS attached;
INSERT INTO kept VALUES (1, 'lead');
INSERT INTO kept_events (lead_id, event_type) VALUES (1, 'demo_view');
SELECT score, total FROM kept;
SELECT leadscore.attach('kept', '{"stage_column": "stage", "score_column": "total", "notify_channel": null}') IS NOT NULL AS attached_again;
INSERT INTO kept_events (lead_id, event_type) VALUES (1, 'pricing_page');
SELECT score, total FROM kept;
SELECT leadscore.attach_events('kept_more_events', '{"leads": "kept", "lead_column": "lead_id"}') IS NOT NULL AS attached;
INSERT INTO kept_more_events (lead_id, event_type) VALUES (1, 'demo_view');
INSERT INTO kept_events (lead_id, event_type) VALUES (1, 'email_open');
SELECT total AS with_both_tables,
       total = (SELECT round(leadscore.engagement_score('default', e.event_type, e.occurred_at, now()))
                FROM (TABLE kept_events UNION ALL TABLE kept_more_events) AS e) AS as_rescore_computes
FROM kept;
SELECT leadscore.detach_events('kept_events');
UPDATE kept SET total = 0;
INSERT INTO kept_events (lead_id, event_type) VALUES (1, 'demo_view');
SELECT total AS after_detach FROM kept;
SELECT leadscore.detach('kept') IS NOT NULL AS detached;
DROP TABLE kept, kept_events, kept_more_events;
