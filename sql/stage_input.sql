-- lifecycle_stage input and output: canonical labels, aliases, case, blanks,
-- casts, NULLs, and every kind of bad label.

-- Canonical labels come back as they went in, in sort order.
SELECT s AS stage, s::text AS label
FROM unnest(ARRAY['customer', 'disqualified', 'lead', 'mql', 'opportunity', 'pql',
                  'recycled', 'sal', 'sql', 'visitor']::leadscore.lifecycle_stage[]) AS s
ORDER BY s;

-- Case, surrounding blanks and separators do not matter.
SELECT label, label::leadscore.lifecycle_stage AS stage
FROM (VALUES ('MQL'), ('  mql  '), (E'\tSql\n'), ('Marketing Qualified Lead'),
             ('marketing_qualified_lead'), ('MARKETING-QUALIFIED-LEAD'),
             ('Sales Accepted Lead'), ('Product Qualified Lead')) AS v(label);

-- HubSpot's internal lifecycle values.
SELECT label, label::leadscore.lifecycle_stage AS stage
FROM (VALUES ('subscriber'), ('lead'), ('marketingqualifiedlead'), ('salesqualifiedlead'),
             ('opportunity'), ('customer'), ('evangelist')) AS v(label);

-- Salesforce and Marketo spellings that map unambiguously.
SELECT label, label::leadscore.lifecycle_stage AS stage
FROM (VALUES ('Nurture'), ('Nurturing'), ('Unqualified'), ('Known'), ('Anonymous'),
             ('Closed Won'), ('Opp')) AS v(label);

-- Casts: text and varchar in both directions; assignment casts let a CRM
-- insert text parameters into a lifecycle_stage column.
SELECT 'SQL'::text::leadscore.lifecycle_stage AS from_text,
       'customer'::varchar::leadscore.lifecycle_stage AS from_varchar,
       'mql'::leadscore.lifecycle_stage::text AS to_text,
       'mql'::leadscore.lifecycle_stage::varchar AS to_varchar,
       leadscore.lifecycle_stage('Opp') AS function_call;
CREATE TABLE crm_contacts (id int PRIMARY KEY, stage leadscore.lifecycle_stage, label text);
PREPARE insert_contact(int, text) AS INSERT INTO crm_contacts (id, stage) VALUES ($1, $2);
EXECUTE insert_contact(1, 'Marketing Qualified Lead');
PREPARE insert_contact_varchar(int, varchar) AS INSERT INTO crm_contacts (id, stage) VALUES ($1, $2);
EXECUTE insert_contact_varchar(2, 'salesqualifiedlead');
UPDATE crm_contacts SET label = stage WHERE id = 1;
SELECT * FROM crm_contacts ORDER BY id;

-- NULL in, NULL out.
SELECT NULL::leadscore.lifecycle_stage IS NULL AS null_stage,
       NULL::text::leadscore.lifecycle_stage IS NULL AS null_text,
       leadscore.lifecycle_stage_in(NULL) IS NULL AS null_cstring;

-- Bad labels: every one is a 22P02 that names the label.
\set VERBOSITY default
SELECT 'hot lead'::leadscore.lifecycle_stage;
\echo :LAST_ERROR_SQLSTATE
SELECT ''::leadscore.lifecycle_stage;
\echo :LAST_ERROR_SQLSTATE
SELECT 'other'::leadscore.lifecycle_stage;
\echo :LAST_ERROR_SQLSTATE
SELECT 'Closed - Not Converted'::text::leadscore.lifecycle_stage;
\echo :LAST_ERROR_SQLSTATE
-- A very long label: the message quotes its start and gives its length.
SELECT repeat('mql', 100000)::leadscore.lifecycle_stage;
\echo :LAST_ERROR_SQLSTATE
-- Control characters are escaped in the message.
SELECT E'm\x01ql'::leadscore.lifecycle_stage;
\echo :LAST_ERROR_SQLSTATE
-- Non-ASCII letters are not folded: 'ＭＱＬ' (full width) is not 'MQL'.
SELECT 'ＭＱＬ'::leadscore.lifecycle_stage;
\echo :LAST_ERROR_SQLSTATE
-- Calling the input function directly gives the same error.
SELECT leadscore.lifecycle_stage_in('nope');
\echo :LAST_ERROR_SQLSTATE

-- A failing row fails the statement and writes nothing.
INSERT INTO crm_contacts (id, stage) VALUES (3, 'lead'), (4, 'warm');
SELECT count(*) AS rows_after_failed_insert FROM crm_contacts;

-- Many bad labels at once, with their SQLSTATEs.
CREATE FUNCTION pg_temp.parse_error(label text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM label::leadscore.lifecycle_stage;
    RETURN 'accepted';
EXCEPTION WHEN others THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT label, pg_temp.parse_error(label)
FROM (VALUES ('mqll'), ('m ql x'), ('Qualified'), ('Rejected'), ('Prospect'), ('Closed'),
             ('   '), ('0'), ('customer!'), ('sql;drop table x')) AS v(label);

DROP TABLE crm_contacts;
