-- Scores that move stages: attach with score columns; crossing the model's
-- MQL threshold makes an MQL (stamped, history reason score_threshold),
-- crossing the SQL threshold moves to sql_stage (default sal); never backward.

CREATE TABLE scored_contacts (
    id int PRIMARY KEY,
    lifecyclestage text,
    score numeric(8, 2),
    mql_at timestamptz,
    sal_at timestamptz
);
SELECT leadscore.attach('scored_contacts', '{
  "stage_column": "lifecyclestage",
  "labels": {"marketingqualifiedlead": "mql", "salesacceptedlead": "sal"},
  "stamps": {"mql": "mql_at", "sal": "sal_at"},
  "score_column": "score"}') ->> 'model' AS model;
-- The triggers now also watch the score column.
SELECT tgname, pg_get_triggerdef(oid) ~* '(old\.score is distinct from new\.score|new\.score is not null)' AS watches_score
FROM pg_trigger WHERE tgrelid = 'scored_contacts'::regclass ORDER BY tgname;

-- INSERT: a lead arriving with a high score is promoted at once (writing
-- the CRM's own label for the stage).
INSERT INTO scored_contacts (id, lifecyclestage, score) VALUES
  (1, 'lead', 10), (2, 'lead', 95), (3, NULL, 200), (4, 'disqualified', 200),
  (5, 'customer', 500), (6, 'subscriber', 79.99), (7, 'salesacceptedlead', 20);
SELECT id, lifecyclestage, score, mql_at IS NOT NULL AS mql_stamped, sal_at IS NOT NULL AS sal_stamped
FROM scored_contacts ORDER BY id;

-- UPDATE: crossing 80 makes an MQL; crossing 150 moves on to sal.
UPDATE scored_contacts SET score = 85 WHERE id = 1;
UPDATE scored_contacts SET score = 160 WHERE id = 2;
UPDATE scored_contacts SET score = 80 WHERE id = 6;
SELECT id, lifecyclestage, score, mql_at IS NOT NULL AS mql_stamped, sal_at IS NOT NULL AS sal_stamped
FROM scored_contacts ORDER BY id;
SELECT lead_key, from_stage, to_stage, reason, crm_label
FROM leadscore.stage_history WHERE target = 'scored_contacts'::regclass ORDER BY id;

-- Never backward: a falling score leaves the stage alone; a score that was
-- already above the threshold does not re-promote a lead sales recycled.
UPDATE scored_contacts SET score = 5 WHERE id = 2;
SET leadscore.reason = 'bad_timing';
UPDATE scored_contacts SET lifecyclestage = 'recycled' WHERE id = 1;
RESET leadscore.reason;
UPDATE scored_contacts SET score = 95 WHERE id = 1;
SELECT id, lifecyclestage, score FROM scored_contacts WHERE id IN (1, 2) ORDER BY id;
-- ... but crossing again (down, then up) does.
UPDATE scored_contacts SET score = 40 WHERE id = 1;
UPDATE scored_contacts SET score = 81 WHERE id = 1;
SELECT id, lifecyclestage, score FROM scored_contacts WHERE id = 1;
-- An UPDATE that changes neither stage nor score does not fire the trigger.
UPDATE scored_contacts SET mql_at = mql_at WHERE id = 1;
SELECT count(*) AS history_rows FROM leadscore.stage_history WHERE target = 'scored_contacts'::regclass;

-- A lifecycle_stage column, sql_stage sql, and seed 002's fit AND engagement
-- rule (thresholds read the fit and engagement columns).
SELECT leadscore.define_model('fit-and-engagement', '{"thresholds": {"mql": {"fit": 20, "engagement": 40}, "sql": {"score": 150, "fit": 30}}}');
CREATE TABLE typed_leads (id int PRIMARY KEY, stage leadscore.lifecycle_stage, fit integer, engagement numeric);
SELECT leadscore.attach('typed_leads', '{"stage_column": "stage", "model": "fit-and-engagement",
  "fit_column": "fit", "engagement_column": "engagement", "sql_stage": "sql"}') ->> 'sql_stage' AS sql_stage;
INSERT INTO typed_leads VALUES (1, 'lead', 25, 10), (2, 'lead', 10, 100), (3, 'mql', 35, 50);
UPDATE typed_leads SET engagement = 45 WHERE id = 1;     -- fit 25 and engagement 45: mql
UPDATE typed_leads SET engagement = 200 WHERE id = 2;    -- fit 10: never
UPDATE typed_leads SET engagement = 120 WHERE id = 3;    -- 35 + 120 = 155 and fit >= 30: sql
SELECT id, stage, fit, engagement FROM typed_leads ORDER BY id;

-- An ENUM stage column: the promotion writes the ENUM's value for the stage.
CREATE TYPE crm_status AS ENUM ('New', 'Nurturing', 'MQL', 'Accepted', 'Closed');
CREATE TABLE enum_leads (id int PRIMARY KEY, status crm_status, score integer);
SELECT leadscore.attach('enum_leads', '{"stage_column": "status", "score_column": "score",
  "labels": {"New": "lead", "Nurturing": "recycled", "MQL": "mql", "Accepted": "sal", "Closed": "customer"}}') IS NOT NULL AS attached;
INSERT INTO enum_leads VALUES (1, 'New', 100), (2, 'New', 10);
UPDATE enum_leads SET score = 151 WHERE id = 2;
SELECT id, status, score FROM enum_leads ORDER BY id;

-- What the triggers write into the row is coerced as an assignment would
-- be: PostgreSQL checks neither type modifiers nor domains on a row a
-- BEFORE trigger returns. A varchar(10) stage column takes 'mql' but not the
-- CRM's 'salesacceptedlead' (22001); a domain's CHECK is enforced on the
-- promoted stage (23514); a timestamptz(0) stamp is rounded to the second;
-- nothing is written when a coercion fails.
CREATE DOMAIN open_stage AS text CHECK (VALUE IN ('lead', 'mql', 'sql'));
CREATE TABLE narrow_leads (id int PRIMARY KEY, stage varchar(10), kind open_stage, score int,
                           mql_at timestamptz(0));
SELECT leadscore.attach('narrow_leads', '{"stage_column": "stage", "stamps": {"mql": "mql_at"},
  "labels": {"salesacceptedlead": "sal"}, "score_column": "score"}') IS NOT NULL AS attached;
INSERT INTO narrow_leads (id, stage, score) VALUES (1, 'lead', 90);
SELECT id, stage, extract(microseconds FROM mql_at)::int % 1000000 AS stamp_fraction FROM narrow_leads;
UPDATE narrow_leads SET score = 200 WHERE id = 1;
INSERT INTO narrow_leads (id, stage, score) VALUES (2, 'lead', 200);
SELECT id, stage, score FROM narrow_leads ORDER BY id;
SELECT leadscore.attach('narrow_leads', '{"stage_column": "kind", "score_column": "score"}') IS NOT NULL AS attached;
INSERT INTO narrow_leads (id, kind, score) VALUES (3, 'lead', 90);
UPDATE narrow_leads SET score = 200 WHERE id = 3;
SELECT id, kind, score FROM narrow_leads ORDER BY id;
SELECT count(*) AS history_rows FROM leadscore.stage_history WHERE target = 'narrow_leads'::regclass;
SELECT leadscore.detach('narrow_leads');
DROP TABLE narrow_leads;
DROP DOMAIN open_stage;

-- Bad configs: ERROR naming the key, nothing attached.
\set SHOW_CONTEXT never
SELECT leadscore.attach('scored_contacts', '{"stage_column": "lifecyclestage", "score_column": "lifecyclestage"}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.attach('scored_contacts', '{"stage_column": "lifecyclestage", "score_column": "nope"}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.attach('scored_contacts', '{"stage_column": "lifecyclestage", "score_column": "score", "model": "nope"}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.attach('scored_contacts', '{"stage_column": "lifecyclestage", "model": "default"}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.attach('scored_contacts', '{"stage_column": "lifecyclestage", "score_column": "score", "model": "fit-and-engagement"}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.attach('scored_contacts', '{"stage_column": "lifecyclestage", "score_column": "score", "sql_stage": "opportunity"}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.attach('enum_leads', '{"stage_column": "status", "score_column": "score", "labels": {"New": "lead", "Nurturing": "recycled", "MQL": "lead", "Accepted": "sal", "Closed": "customer"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.attach('scored_contacts', '{"stage_column": "lifecyclestage", "score_column": "score", "fit_attributes": 5}');
\echo :LAST_ERROR_SQLSTATE
SELECT config ->> 'model' AS still_attached_with FROM leadscore.attachments WHERE target = 'scored_contacts'::regclass;

SELECT leadscore.detach('scored_contacts'), leadscore.detach('typed_leads'), leadscore.detach('enum_leads');
DROP TABLE scored_contacts, typed_leads, enum_leads;
DROP TYPE crm_status;
