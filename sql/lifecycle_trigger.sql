-- The trigger at work on a HubSpot-shaped table with text stages: a lead's
-- journey, first-reach stamps, refused changes, reasons, audit mode, COPY,
-- upserts, rollbacks, and a CRM role without rights on leadscore's tables.

SET search_path = public, leadscore;
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE TABLE contacts (
    id int PRIMARY KEY,
    email text NOT NULL,
    lifecyclestage text,
    lead_at timestamptz,
    mql_at timestamptz,
    sql_at timestamptz,
    opportunity_at timestamptz,
    customer_at timestamptz,
    recycled_at timestamptz,
    lost_reason text,
    note text
);
SELECT attach('contacts', '{
    "stage_column": "lifecyclestage",
    "labels": {"Working - Contacted": "sal", "Hot": "mql"},
    "stamps": {"lead": "lead_at", "mql": "mql_at", "sql": "sql_at",
               "opportunity": "opportunity_at", "customer": "customer_at",
               "recycled": "recycled_at"},
    "reason_column": "lost_reason"}') IS NOT NULL AS attached;

-- Stamps are shown as "stamped or not" and as equal to the transaction's
-- start (now()): every stamp of one transaction is the same instant.
CREATE VIEW contact_stamps AS
SELECT id, lifecyclestage,
       lead_at = now() AS lead_now, mql_at = now() AS mql_now, sql_at = now() AS sql_now,
       opportunity_at = now() AS opp_now, customer_at = now() AS customer_now,
       recycled_at = now() AS recycled_now
FROM contacts;

-- A lead's journey. Jumping from lead to sql fills mql_at too.
BEGIN;
INSERT INTO contacts (id, email, lifecyclestage) VALUES (1, 'ana@acme.io', 'subscriber');
UPDATE contacts SET lifecyclestage = 'salesqualifiedlead' WHERE id = 1;
SELECT * FROM contact_stamps WHERE id = 1;
COMMIT;

-- An UPDATE that does not touch the stage does nothing else.
UPDATE contacts SET note = 'called' WHERE id = 1;
SELECT count(*) AS history_rows FROM stage_history WHERE target = 'contacts'::regclass AND lead_key = '1';

-- A stamp is never overwritten: moving on later keeps the first ones.
BEGIN;
UPDATE contacts SET lifecyclestage = 'opportunity' WHERE id = 1;
SELECT * FROM contact_stamps WHERE id = 1;
COMMIT;

-- A backward move is refused, with the table, key, stages and reason; the
-- statement writes nothing.
UPDATE contacts SET lifecyclestage = 'mql', note = 'should not be written' WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
SELECT lifecyclestage, note FROM contacts WHERE id = 1;

-- Into recycled: needs a reason from the list.
UPDATE contacts SET lifecyclestage = 'recycled' WHERE id = 1;
UPDATE contacts SET lifecyclestage = 'recycled', lost_reason = 'too expensive' WHERE id = 1;
BEGIN;
UPDATE contacts SET lifecyclestage = 'recycled', lost_reason = 'No_Budget ' WHERE id = 1;
SELECT * FROM contact_stamps WHERE id = 1;
COMMIT;

-- Re-qualified: recycled -> mql keeps the first stamps, adds a history row.
UPDATE contacts SET lifecyclestage = 'Hot', lost_reason = NULL WHERE id = 1;
SELECT lifecyclestage, mql_at < now() AS kept_first_mql_at FROM contacts WHERE id = 1;

-- Applications that cannot fill a reason column use SET LOCAL leadscore.reason.
INSERT INTO contacts (id, email, lifecyclestage) VALUES (2, 'ben@globex.com', 'lead');
BEGIN;
SET LOCAL leadscore.reason = 'not_icp';
UPDATE contacts SET lifecyclestage = 'disqualified' WHERE id = 2;
COMMIT;
BEGIN;
SET LOCAL leadscore.reason = 'gone fishing';
UPDATE contacts SET lifecyclestage = 'lead' WHERE id = 2;
COMMIT;
SHOW leadscore.reason;

-- A label the attachment cannot read: the statement fails naming label and key.
INSERT INTO contacts (id, email, lifecyclestage) VALUES (3, 'chen@initech.com', 'warm');
\echo :LAST_ERROR_SQLSTATE
UPDATE contacts SET lifecyclestage = 'other' WHERE id = 2;
-- NULL: inserting without a stage is fine; clearing a stage is refused.
INSERT INTO contacts (id, email, lifecyclestage) VALUES (3, 'chen@initech.com', NULL);
UPDATE contacts SET lifecyclestage = NULL WHERE id = 2;
\echo :LAST_ERROR_SQLSTATE
-- The CRM's own label map: 'Working - Contacted' means sal.
UPDATE contacts SET lifecyclestage = 'Working - Contacted' WHERE id = 3;

-- An import with historical dates keeps them; an INSERT already at customer
-- stamps every mapped funnel stage it has not been given.
BEGIN;
INSERT INTO contacts (id, email, lifecyclestage, mql_at) VALUES
    (4, 'dora@umbrella.com', 'customer', '2024-03-01 10:00+00');
SELECT id, mql_at = '2024-03-01 10:00+00' AS kept_import_date, lead_now, sql_now, opp_now, customer_now, recycled_now
FROM contacts JOIN contact_stamps USING (id) WHERE id = 4;
COMMIT;

-- COPY goes through the same triggers.
COPY contacts (id, email, lifecyclestage) FROM STDIN;
5	eli@hooli.com	MQL
6	fay@stark.com	Sales Accepted Lead
\.
COPY contacts (id, email, lifecyclestage) FROM STDIN;
7	gus@wayne.com	lead
8	hal@tyrell.com	lukewarm
\.
SELECT id, lifecyclestage, mql_at IS NOT NULL AS mql_stamped FROM contacts WHERE id >= 5 ORDER BY id;

-- Upserts: history records what really happened. DO NOTHING on a conflict
-- records nothing; DO UPDATE records the update, not an insert.
INSERT INTO contacts (id, email, lifecyclestage) VALUES (5, 'eli@hooli.com', 'customer')
ON CONFLICT (id) DO NOTHING;
INSERT INTO contacts (id, email, lifecyclestage) VALUES (6, 'fay@stark.com', 'sql')
ON CONFLICT (id) DO UPDATE SET lifecyclestage = excluded.lifecyclestage;

-- A rolled-back change leaves no history (nor did the failed COPY above).
BEGIN;
UPDATE contacts SET lifecyclestage = 'customer' WHERE id = 5;
ROLLBACK;

-- The whole history of this test, in order.
SELECT lead_key, from_stage, to_stage, reason, violation, crm_label, changed_by = current_user AS by_me,
       changed_at <= now() AS in_the_past
FROM stage_history WHERE target = 'contacts'::regclass ORDER BY id;

-- Audit mode lets refused changes through and records them as violations.
SELECT attach('contacts', '{"stage_column": "lifecyclestage", "mode": "audit",
                            "stamps": {"mql": "mql_at"}}') ->> 'mode' AS mode;
UPDATE contacts SET lifecyclestage = 'lead' WHERE id = 6;
UPDATE contacts SET lifecyclestage = 'disqualified' WHERE id = 5;
UPDATE contacts SET lifecyclestage = 'sql' WHERE id = 4;
SELECT lead_key, from_stage, to_stage, violation, violation_detail
FROM stage_history WHERE target = 'contacts'::regclass AND violation ORDER BY id;

-- A CRM role with rights on its table only: its statements still get
-- validated, stamped and recorded, and it cannot write history itself. It
-- reads the history of the tables it may read, and only theirs (row-level
-- security, since 0.7).
SELECT attach('contacts', '{"stage_column": "lifecyclestage", "stamps": {"mql": "mql_at"}}') IS NOT NULL AS reattached;
CREATE ROLE crm_app;
GRANT SELECT, INSERT, UPDATE ON contacts TO crm_app;
SET ROLE crm_app;
INSERT INTO public.contacts (id, email, lifecyclestage) VALUES (9, 'ivy@cyberdyne.com', 'lead');
UPDATE public.contacts SET lifecyclestage = 'mql' WHERE id = 9;
UPDATE public.contacts SET lifecyclestage = 'lead' WHERE id = 9;
INSERT INTO leadscore.stage_history (target, lead_key, to_stage) VALUES ('contacts', '9', 'customer');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) > 0 AS reads_its_history, bool_and(target = 'contacts'::regclass) AS only_its_tables
FROM leadscore.stage_history;
-- The type and the functions are there for any role.
SELECT 'Marketing Qualified Lead'::leadscore.lifecycle_stage AS stage,
       leadscore.can_transition('lead', 'sql') AS can_move,
       leadscore.title_seniority('VP Sales') AS seniority;
RESET ROLE;
SELECT lead_key, from_stage, to_stage, changed_by FROM stage_history
WHERE target = 'contacts'::regclass AND lead_key = '9' ORDER BY id;

-- History is insert-only.
UPDATE stage_history SET reason = 'x' WHERE lead_key = '9';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM stage_history WHERE lead_key = '9';
TRUNCATE stage_history;

-- Misuse of the trigger function.
SELECT lifecycle_trigger();
CREATE TABLE other_table (id int PRIMARY KEY, stage text);
CREATE TRIGGER by_hand BEFORE INSERT ON other_table FOR EACH ROW EXECUTE FUNCTION lifecycle_trigger();
INSERT INTO other_table VALUES (1, 'lead');
CREATE TRIGGER by_hand_statement AFTER INSERT ON contacts FOR EACH STATEMENT EXECUTE FUNCTION lifecycle_trigger();
DROP TRIGGER by_hand ON other_table;
INSERT INTO contacts (id, email, lifecyclestage) VALUES (10, 'jon@soylent.com', 'lead');
DROP TRIGGER by_hand_statement ON contacts;

-- The config keys leadscore reserves.
SET leadscore.reasons = 'x';
\echo :LAST_ERROR_SQLSTATE

SELECT detach('contacts');
DROP TABLE contacts, other_table CASCADE;
DROP ROLE crm_app;
