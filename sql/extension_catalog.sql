-- The extension as a catalog citizen: every object lives in schema leadscore,
-- carries a comment, and has exact volatility and parallel labels.

-- What the extension owns, by kind. From PostgreSQL 17 the implicit types
-- (each table's row type, each type's array type) are members as well;
-- they are left out, so that every major shows the same objects.
CREATE VIEW pg_temp.members AS
SELECT d.classid, d.objid
FROM pg_depend AS d
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'leadscore')
  AND NOT (d.classid = 'pg_type'::regclass AND EXISTS (
      SELECT FROM pg_type AS t LEFT JOIN pg_class AS c ON c.oid = t.typrelid
      WHERE t.oid = d.objid AND (t.typcategory = 'A' OR c.relkind IN ('r', 'p', 'v', 'm'))));
SELECT classid::regclass AS catalog, count(*) AS objects
FROM pg_temp.members
GROUP BY classid ORDER BY classid::regclass::text COLLATE "C";

-- Objects without a comment (none expected). Array types and operator
-- families are implicit companions of the type and operator classes.
SELECT pg_describe_object(d.classid, d.objid, 0) AS uncommented
FROM pg_temp.members AS d
WHERE d.classid <> 'pg_opfamily'::regclass
  AND obj_description(d.objid, d.classid::regclass::name) IS NULL
ORDER BY 1;

-- Every function lives in leadscore. The stage functions are IMMUTABLE
-- PARALLEL SAFE; listed here are the exceptions: the triggers and the
-- functions that run DDL are VOLATILE and PARALLEL UNSAFE,
-- _attachment_config reads the catalogs, the scoring functions and
-- aggregates read leadscore.scoring_models, the business-time functions
-- leadscore.calendars (STABLE, PARALLEL SAFE); define_model, define_calendar
-- and the SLA functions write (VOLATILE, PARALLEL UNSAFE). Only two are
-- SECURITY DEFINER: the SLA trigger functions _sla_column_set and
-- _sla_events_inserted, which write leadscore.sla_clocks while the CRM's role
-- (which has no rights on it) updates its own tables; PostgreSQL refuses to
-- call a trigger function other than as a trigger (sql/sla.sql tests the
-- CRM's role).
SELECT p.oid::regprocedure AS function, p.provolatile, p.proparallel, p.prosecdef
FROM pg_proc AS p
JOIN pg_depend AS d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'leadscore')
  AND (p.pronamespace <> 'leadscore'::regnamespace OR p.provolatile <> 'i'
       OR p.proparallel <> 's' OR p.prosecdef)
ORDER BY p.oid::regprocedure::text COLLATE "C";

-- The comparison functions are LEAKPROOF, the rest is not.
SELECT p.proname, p.proleakproof
FROM pg_proc AS p WHERE p.pronamespace = 'leadscore'::regnamespace AND p.proleakproof
ORDER BY 1;

-- The aggregates have combine functions (parallel aggregation), but for
-- time_in_stage: rows at one instant count in the order given (ORDER BY id),
-- and an aggregate called with ORDER BY runs in one process anyway.
SELECT a.aggfnoid::regprocedure AS aggregate, a.aggcombinefn::regproc AS combine,
       a.aggsortop::regoperator AS sort_operator
FROM pg_aggregate AS a
WHERE a.aggfnoid IN (SELECT oid FROM pg_proc WHERE pronamespace = 'leadscore'::regnamespace)
ORDER BY a.aggfnoid::regprocedure::text COLLATE "C";

-- The operators: commutators, negators, estimators, hash and merge support.
SELECT o.oprname, o.oprcom::regoperator IS NOT NULL AS has_commutator,
       o.oprnegate::regoperator IS NOT NULL AS has_negator,
       o.oprrest::regproc AS restrict, o.oprjoin::regproc AS join_estimator,
       o.oprcanhash, o.oprcanmerge
FROM pg_operator AS o WHERE o.oprnamespace = 'leadscore'::regnamespace
ORDER BY o.oprname;

-- History is never lost by DROP EXTENSION without CASCADE.
CREATE TABLE catalog_contacts (id int PRIMARY KEY, stage text);
SELECT leadscore.attach('catalog_contacts', '{"stage_column": "stage"}') IS NOT NULL AS attached;
INSERT INTO catalog_contacts VALUES (1, 'lead');
SELECT leadscore.detach('catalog_contacts');
DROP TABLE catalog_contacts;
-- (The row count in the message depends on the tests before this one.)
DO $$
BEGIN
    DROP EXTENSION leadscore;
EXCEPTION WHEN dependent_objects_still_exist THEN
    RAISE NOTICE '%: %', SQLSTATE, regexp_replace(SQLERRM, '\d+ rows', 'N rows');
END
$$;
SELECT count(*) > 0 AS history_still_there FROM leadscore.stage_history;

-- With CASCADE it goes, history included. The schema stays: PostgreSQL
-- creates it for the extension but does not make it a member.
DROP EXTENSION leadscore CASCADE;
SELECT count(*) AS leadscore_schemas FROM pg_namespace WHERE nspname = 'leadscore';
SELECT count(*) AS event_triggers_left FROM pg_event_trigger WHERE evtname LIKE 'leadscore%';
CREATE EXTENSION leadscore;
SELECT extversion, extrelocatable, extnamespace::regnamespace
FROM pg_extension WHERE extname = 'leadscore';
-- With no history, a plain DROP EXTENSION works.
DROP EXTENSION leadscore;
CREATE EXTENSION leadscore;
-- Other DROPs are not disturbed by the event trigger.
CREATE TABLE unrelated (id int);
DROP TABLE unrelated;

-- A table still using the type keeps DROP EXTENSION from silently removing it.
CREATE TABLE keeps_type (stage leadscore.lifecycle_stage);
\set VERBOSITY terse
DROP EXTENSION leadscore;
\set VERBOSITY default
DROP TABLE keeps_type;
