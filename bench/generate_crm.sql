-- Generates the trigger benchmark's CRM: the same HubSpot-shaped contacts
-- table four times, one per competitor.
--   psql -v leads=1000000 -v seed=42 -f bench/generate_crm.sql
-- Deterministic: each contact's stage comes from a hash of its id and the seed.
\set ON_ERROR_STOP 1
\if :{?leads}
\else
\set leads 1000000
\endif
\if :{?seed}
\else
\set seed 42
\endif
-- unlogged=1 makes the CRM tables UNLOGGED: no WAL for their rows, which
-- removes the I/O noise and leaves the CPU cost of the triggers to compare.
\if :{?unlogged}
\else
\set unlogged 0
\endif
SELECT CASE WHEN :unlogged = 1 THEN 'UNLOGGED' ELSE '' END AS persistence \gset
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS leadscore;

DROP TABLE IF EXISTS crm_source, crm_plain, crm_suppress, crm_leadscore, crm_plpgsql CASCADE;
CREATE UNLOGGED TABLE crm_source AS
SELECT i AS id,
       'contact' || i || '@example.com' AS email,
       (ARRAY['subscriber', 'lead', 'lead', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead',
              'opportunity', 'customer', 'other_visitor', 'lead'])
           [1 + abs(hashint8(i + :seed)) % 10] AS lifecyclestage,
       (abs(hashint8(i * 7 + :seed)) % 500)::int AS owner_id
FROM generate_series(1, :leads::bigint) AS i;
UPDATE crm_source SET lifecyclestage = 'visitor' WHERE lifecyclestage = 'other_visitor';

-- Columns as a HubSpot export has them: text stage, per-stage dates, a reason.
CREATE :persistence TABLE crm_plain (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    lifecyclestage text,
    owner_id int,
    lead_at timestamptz,
    mql_at timestamptz,
    sql_at timestamptz,
    opportunity_at timestamptz,
    customer_at timestamptz,
    lost_reason text
);
CREATE :persistence TABLE crm_suppress (LIKE crm_plain INCLUDING ALL);
CREATE :persistence TABLE crm_leadscore (LIKE crm_plain INCLUDING ALL);
CREATE :persistence TABLE crm_plpgsql (LIKE crm_plain INCLUDING ALL);
INSERT INTO crm_plain (id, email, lifecyclestage, owner_id) SELECT * FROM crm_source;
INSERT INTO crm_suppress SELECT * FROM crm_plain;
INSERT INTO crm_leadscore SELECT * FROM crm_plain;
INSERT INTO crm_plpgsql SELECT * FROM crm_plain;
DROP TABLE crm_source;

-- PostgreSQL's built-in C trigger: the floor every BEFORE UPDATE row trigger
-- pays (the row is locked and re-fetched before any such trigger is called).
CREATE TRIGGER suppress BEFORE UPDATE ON crm_suppress
    FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();

SELECT leadscore.attach('crm_leadscore', '{
    "stage_column": "lifecyclestage",
    "stamps": {"lead": "lead_at", "mql": "mql_at", "sql": "sql_at",
               "opportunity": "opportunity_at", "customer": "customer_at"},
    "reason_column": "lost_reason",
    "notify_channel": null}') IS NOT NULL AS attached;

\i bench/plpgsql_lifecycle.sql

VACUUM (ANALYZE) crm_plain, crm_suppress, crm_leadscore, crm_plpgsql;
