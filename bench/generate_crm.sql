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

-- SLA clocks (section 3 of bench/triggers.py): sla_leads contacts three
-- times, attached by leadscore without SLAs (the base), with two SLA
-- policies, and without SLAs but with the PL/pgSQL clocks of
-- bench/plpgsql_sla.sql. Both clock tables start with a history of closed
-- clocks (of other tables), as a CRM in production has.
\if :{?sla_leads}
\else
\set sla_leads 100000
\endif
DROP TABLE IF EXISTS crm_sla_base, crm_sla_leadscore, crm_sla_plpgsql, crm_sla_history CASCADE;
DELETE FROM leadscore.sla_clocks WHERE NOT EXISTS (SELECT FROM pg_class WHERE oid = target);
SELECT leadscore.define_calendar('bench_sales', '{"time_zone": "America/New_York",
  "week": {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]], "wed": [["09:00", "17:00"]],
           "thu": [["09:00", "17:00"]], "fri": [["09:00", "17:00"]]}}') IS NOT NULL AS defined;
CREATE :persistence TABLE crm_sla_base (LIKE crm_plain INCLUDING ALL);
ALTER TABLE crm_sla_base ADD COLUMN first_contacted_at timestamptz, ADD COLUMN sla_due_at timestamptz,
    ADD COLUMN sla_breached boolean;
INSERT INTO crm_sla_base (id, email, lifecyclestage, owner_id)
SELECT id, email, lifecyclestage, owner_id FROM crm_plain WHERE id <= :sla_leads;
CREATE :persistence TABLE crm_sla_leadscore (LIKE crm_sla_base INCLUDING ALL);
CREATE :persistence TABLE crm_sla_plpgsql (LIKE crm_sla_base INCLUDING ALL);
INSERT INTO crm_sla_leadscore SELECT * FROM crm_sla_base;
INSERT INTO crm_sla_plpgsql SELECT * FROM crm_sla_base;
SELECT leadscore.attach(t, '{"stage_column": "lifecyclestage",
    "stamps": {"lead": "lead_at", "mql": "mql_at", "sql": "sql_at",
               "opportunity": "opportunity_at", "customer": "customer_at"},
    "reason_column": "lost_reason", "notify_channel": null}') IS NOT NULL AS attached
FROM unnest(ARRAY['crm_sla_base', 'crm_sla_plpgsql']::regclass[]) AS t;
SELECT leadscore.attach('crm_sla_leadscore', '{"stage_column": "lifecyclestage",
    "stamps": {"lead": "lead_at", "mql": "mql_at", "sql": "sql_at",
               "opportunity": "opportunity_at", "customer": "customer_at"},
    "reason_column": "lost_reason", "notify_channel": null,
    "sla": {"calendar": "bench_sales", "notify_channel": null, "due_column": "sla_due_at",
            "breached_column": "sla_breached", "owner_column": "owner_id",
            "policies": [{"name": "first_response", "within": "2 hours",
                          "met_by": {"column": "first_contacted_at"}},
                         {"name": "disposition", "within": "16 hours",
                          "met_by": {"leaves_for": ["sql", "recycled", "disqualified"]}}]}}') IS NOT NULL AS attached;
\i bench/plpgsql_sla.sql
CREATE TRIGGER sla_plpgsql BEFORE UPDATE OF lifecyclestage, first_contacted_at ON crm_sla_plpgsql
    FOR EACH ROW EXECUTE FUNCTION plpgsql_sla_trigger();
-- The history: 200,000 closed clocks of another table in each clocks table.
CREATE TABLE crm_sla_history (id int);
INSERT INTO leadscore.sla_clocks (target, lead_key, policy, stage, calendar, started_at, warn_at, due_at,
                                  met_at, closed_at, status)
SELECT 'crm_sla_history'::regclass, (i / 2)::text, CASE WHEN i % 2 = 0 THEN 'first_response' ELSE 'disposition' END,
       'mql', 'bench_sales', t, t + interval '90 minutes', t + interval '2 hours', t + interval '1 hour',
       t + interval '1 hour', 'met'
FROM generate_series(1, 200000) AS i, LATERAL (SELECT timestamptz '2025-01-01' + i * interval '5 minutes' AS t) AS s;
INSERT INTO plpgsql_sla_clocks (target, lead_key, policy, stage, calendar, started_at, warn_at, due_at,
                                met_at, closed_at, status)
SELECT target, lead_key, policy, stage, calendar, started_at, warn_at, due_at, met_at, closed_at, status
FROM leadscore.sla_clocks WHERE target = 'crm_sla_history'::regclass;
VACUUM (ANALYZE) crm_sla_base, crm_sla_leadscore, crm_sla_plpgsql, leadscore.sla_clocks, plpgsql_sla_clocks;
