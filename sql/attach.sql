-- leadscore.attach / detach / attachments: validation of every config key,
-- tables in any schema and with quoted names, partitioned tables,
-- re-attaching, detaching.

CREATE SCHEMA "CRM Data";
CREATE TYPE "CRM Data".lead_status AS ENUM ('New', 'Working - Contacted', 'Nurturing', 'Qualified');
CREATE TABLE "CRM Data"."Leads" (
    "Lead Id" bigint PRIMARY KEY,
    status "CRM Data".lead_status,
    stage_text text,
    stage_varchar varchar(40),
    stage_typed leadscore.lifecycle_stage,
    mql_at timestamptz,
    sql_at timestamp,       -- without time zone: not accepted as a stamp
    reason text,
    score integer
);
CREATE TABLE no_key (id int, stage text);
CREATE TABLE two_keys (a int, b int, stage text, PRIMARY KEY (a, b));
CREATE VIEW leads_view AS SELECT * FROM "CRM Data"."Leads";

\set VERBOSITY default
\set SHOW_CONTEXT never

-- Every config key, validated; the error names the key and the column.
SELECT leadscore.attach('"CRM Data"."Leads"', '{}');
SELECT leadscore.attach('"CRM Data"."Leads"', '{"stage_column": "stage_text", "stage_colum": "x"}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.attach('"CRM Data"."Leads"', '{"stage_column": "Stage_Text"}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.attach('"CRM Data"."Leads"', '{"stage_column": "score"}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.attach('"CRM Data"."Leads"', '{"stage_column": 42}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.attach('"CRM Data"."Leads"', '{"stage_column": "stage_text", "stamps": {"mql": "sql_at"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.attach('"CRM Data"."Leads"', '{"stage_column": "stage_text", "stamps": {"hot": "mql_at"}}');
SELECT leadscore.attach('"CRM Data"."Leads"', '{"stage_column": "stage_text", "stamps": {"mql": "missing_at"}}');
SELECT leadscore.attach('"CRM Data"."Leads"', '{"stage_column": "stage_text", "stamps": ["mql_at"]}');
SELECT leadscore.attach('"CRM Data"."Leads"', '{"stage_column": "stage_text", "labels": {"Working": "warm"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.attach('"CRM Data"."Leads"', '{"stage_column": "stage_text", "labels": {"Working": 3}}');
SELECT leadscore.attach('"CRM Data"."Leads"',
    jsonb_build_object('stage_column', 'stage_text', 'labels', jsonb_build_object(repeat('x', 65), 'mql')));
SELECT leadscore.attach('"CRM Data"."Leads"', '{"stage_column": "stage_text", "mode": "strict"}');
SELECT leadscore.attach('"CRM Data"."Leads"', '{"stage_column": "stage_text", "reason_column": "score"}');
SELECT leadscore.attach('"CRM Data"."Leads"', '{"stage_column": "stage_text", "reasons": []}');
SELECT leadscore.attach('"CRM Data"."Leads"', '{"stage_column": "stage_text", "reasons": ["ok", 1]}');
SELECT leadscore.attach('"CRM Data"."Leads"', '{"stage_column": "stage_text", "key_column": "nope"}');
SELECT leadscore.attach('"CRM Data"."Leads"',
    format('{"stage_column": "stage_text", "notify_channel": "%s"}', repeat('c', 64))::jsonb);
SELECT leadscore.attach('"CRM Data"."Leads"', '"stage_text"');
SELECT leadscore.attach('"CRM Data"."Leads"', '[]');
-- An ENUM stage column: every label must mean a stage ('New' and 'Qualified' do not).
SELECT leadscore.attach('"CRM Data"."Leads"', '{"stage_column": "status"}');
SELECT leadscore.attach('"CRM Data"."Leads"', '{"stage_column": "status", "labels": {"New": "lead"}}');
-- No usable primary key to default the lead key to.
SELECT leadscore.attach('no_key', '{"stage_column": "stage"}');
SELECT leadscore.attach('two_keys', '{"stage_column": "stage"}');
-- Not a table, not there, NULLs.
SELECT leadscore.attach('leads_view', '{"stage_column": "stage_text"}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.attach('no_such_table', '{"stage_column": "stage_text"}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.attach(NULL, '{"stage_column": "stage_text"}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.attach('"CRM Data"."Leads"', NULL);
\echo :LAST_ERROR_SQLSTATE
-- None of these left anything behind.
SELECT count(*) AS attachments FROM leadscore.attachments;
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = '"CRM Data"."Leads"'::regclass;

-- A valid config comes back normalised, every default filled in.
SELECT jsonb_pretty(leadscore.attach('"CRM Data"."Leads"',
    '{"stage_column": "status",
      "labels": {"New": "lead", "Working - Contacted": "sal", "Qualified": "sql"},
      "stamps": {"MQL": "mql_at"}, "reason_column": "reason", "mode": "audit"}'));
SELECT target, stage_column, key_column, mode, triggers_present FROM leadscore.attachments;
SELECT tgname, tgenabled, pg_get_triggerdef(oid) LIKE '%WHEN%' AS has_when
FROM pg_trigger WHERE tgrelid = '"CRM Data"."Leads"'::regclass ORDER BY tgname;

-- The ENUM column at work: labels mapped or read as aliases; history keeps
-- the CRM's label. A value added to the type after attach is read by name:
-- an alias works, an unmapped label is refused.
INSERT INTO "CRM Data"."Leads" ("Lead Id", status) VALUES (10, 'New');
UPDATE "CRM Data"."Leads" SET status = 'Working - Contacted' WHERE "Lead Id" = 10;
ALTER TYPE "CRM Data".lead_status ADD VALUE 'Closed Won';
ALTER TYPE "CRM Data".lead_status ADD VALUE 'Hot';
UPDATE "CRM Data"."Leads" SET status = 'Closed Won' WHERE "Lead Id" = 10;
UPDATE "CRM Data"."Leads" SET status = 'Hot' WHERE "Lead Id" = 10;
SELECT lead_key, from_stage, to_stage, crm_label FROM leadscore.stage_history
WHERE target = '"CRM Data"."Leads"'::regclass ORDER BY id;
DELETE FROM "CRM Data"."Leads";

-- Attaching again replaces the config (and the triggers).
SELECT leadscore.attach('"CRM Data"."Leads"', '{"stage_column": "stage_varchar"}') ->> 'stage_column' AS replaced;
SELECT target, stage_column, mode, triggers_present FROM leadscore.attachments;
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = '"CRM Data"."Leads"'::regclass;

-- Column names are quoted wherever attach writes them into DDL.
ALTER TABLE "CRM Data"."Leads" ADD COLUMN "Stage""; DROP TABLE no_key; --" text;
SELECT leadscore.attach('"CRM Data"."Leads"', '{"stage_column": "Stage\"; DROP TABLE no_key; --"}') ->> 'stage_column' AS odd_name;
INSERT INTO "CRM Data"."Leads" ("Lead Id", "Stage""; DROP TABLE no_key; --") VALUES (20, 'lead');
UPDATE "CRM Data"."Leads" SET "Stage""; DROP TABLE no_key; --" = 'mql' WHERE "Lead Id" = 20;
SELECT to_regclass('no_key') IS NOT NULL AS no_key_still_there,
       (SELECT to_stage FROM leadscore.stage_history
        WHERE target = '"CRM Data"."Leads"'::regclass AND lead_key = '20' ORDER BY id DESC LIMIT 1) AS recorded;
DELETE FROM "CRM Data"."Leads" WHERE "Lead Id" = 20;

-- The lifecycle_stage type itself as the stage column.
SELECT leadscore.attach('"CRM Data"."Leads"', '{"stage_column": "stage_typed"}') ->> 'stage_column' AS typed;
INSERT INTO "CRM Data"."Leads" ("Lead Id", stage_typed) VALUES (1, 'mql');
UPDATE "CRM Data"."Leads" SET stage_typed = 'lead' WHERE "Lead Id" = 1;
\echo :LAST_ERROR_SQLSTATE

-- Detach removes the triggers and keeps the data and the history.
SELECT count(*) AS history_before FROM leadscore.stage_history WHERE target = '"CRM Data"."Leads"'::regclass;
SELECT leadscore.detach('"CRM Data"."Leads"');
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = '"CRM Data"."Leads"'::regclass;
UPDATE "CRM Data"."Leads" SET stage_typed = 'lead' WHERE "Lead Id" = 1;
SELECT "Lead Id", stage_typed FROM "CRM Data"."Leads";
SELECT count(*) AS history_after FROM leadscore.stage_history WHERE target = '"CRM Data"."Leads"'::regclass;
SELECT leadscore.detach('"CRM Data"."Leads"');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.detach(NULL);
\echo :LAST_ERROR_SQLSTATE

-- Partitioned tables: attach to the parent; rows in any partition are
-- validated and stamped, and history names the parent.
CREATE TABLE crm_parted (id int, region text, stage text, mql_at timestamptz,
                         PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE crm_parted_emea PARTITION OF crm_parted FOR VALUES IN ('emea');
CREATE TABLE crm_parted_amer PARTITION OF crm_parted FOR VALUES IN ('amer');
SELECT leadscore.attach('crm_parted', '{"stage_column": "stage", "key_column": "id", "stamps": {"mql": "mql_at"}}') ->> 'key_column' AS key;
INSERT INTO crm_parted VALUES (1, 'emea', 'lead'), (2, 'amer', 'lead');
UPDATE crm_parted SET stage = 'mql' WHERE id = 1;
UPDATE crm_parted SET stage = 'visitor' WHERE id = 2;
SELECT id, region, stage, mql_at IS NOT NULL AS stamped FROM crm_parted ORDER BY id;
SELECT target, lead_key, from_stage, to_stage FROM leadscore.stage_history
WHERE target = 'crm_parted'::regclass ORDER BY id;
-- Moving a row to another partition (PostgreSQL: DELETE + INSERT) records
-- only a real stage change, not a new lead; so does a delete and re-insert.
UPDATE crm_parted SET region = 'amer' WHERE id = 1;
UPDATE crm_parted SET region = 'emea', stage = 'sql' WHERE id = 1;
DELETE FROM crm_parted WHERE id = 2;
INSERT INTO crm_parted VALUES (2, 'amer', 'lead');
SELECT id, region, stage, mql_at IS NOT NULL AS stamped FROM crm_parted ORDER BY id;
SELECT target, lead_key, from_stage, to_stage FROM leadscore.stage_history
WHERE target = 'crm_parted'::regclass ORDER BY id;
-- A partition attached later gets the triggers too.
CREATE TABLE crm_parted_apac PARTITION OF crm_parted FOR VALUES IN ('apac');
INSERT INTO crm_parted VALUES (3, 'apac', 'sql');
SELECT id, mql_at IS NOT NULL AS stamped FROM crm_parted WHERE id = 3;
SELECT leadscore.detach('crm_parted');
SELECT count(*) AS triggers_left FROM pg_trigger WHERE tgrelid IN
    ('crm_parted'::regclass, 'crm_parted_emea'::regclass, 'crm_parted_apac'::regclass);

DROP TABLE "CRM Data"."Leads", no_key, two_keys, crm_parted CASCADE;
DROP SCHEMA "CRM Data" CASCADE;
