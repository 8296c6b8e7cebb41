-- ALTER EXTENSION leadscore UPDATE from 0.1 works on a database that has
-- 0.1, and gives what a fresh install of the current version gives: same
-- objects, definitions and comments, same default model. (Today a fresh
-- install runs the same scripts, 0.1 then 0.1--0.2; the comparison guards the
-- day a full leadscore--0.2.sql or a later version is written.)

CREATE DATABASE leadscore_upgraded;
CREATE DATABASE leadscore_fresh;

\c leadscore_upgraded
CREATE EXTENSION leadscore VERSION '0.1';
SELECT extversion FROM pg_extension WHERE extname = 'leadscore';
ALTER EXTENSION leadscore UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'leadscore';
-- Every member object with its definition where it has one, as one digest.
SELECT md5(string_agg(line, E'\n' ORDER BY line)) AS upgraded_objects, count(*) AS upgraded_count
FROM (SELECT pg_describe_object(d.classid, d.objid, d.objsubid) || ' ' ||
             coalesce(CASE WHEN d.classid = 'pg_proc'::regclass
                                AND (SELECT prokind FROM pg_proc WHERE oid = d.objid) <> 'a'
                           THEN pg_get_functiondef(d.objid) END, '') ||
             coalesce(CASE WHEN d.classid = 'pg_class'::regclass
                           THEN (SELECT string_agg(attname || ':' || format_type(atttypid, atttypmod), ',' ORDER BY attnum)
                                 FROM pg_attribute WHERE attrelid = d.objid AND attnum > 0 AND NOT attisdropped) END, '') ||
             coalesce(obj_description(d.objid, d.classid::regclass::name), '') AS line
      FROM pg_depend AS d
      WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
        AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'leadscore')) AS o
\gset
SELECT name, version, md5(definition::text) AS default_model FROM leadscore.scoring_models \gset upgraded_

\c leadscore_fresh
CREATE EXTENSION leadscore;
SELECT md5(string_agg(line, E'\n' ORDER BY line)) AS fresh_objects, count(*) AS fresh_count
FROM (SELECT pg_describe_object(d.classid, d.objid, d.objsubid) || ' ' ||
             coalesce(CASE WHEN d.classid = 'pg_proc'::regclass
                                AND (SELECT prokind FROM pg_proc WHERE oid = d.objid) <> 'a'
                           THEN pg_get_functiondef(d.objid) END, '') ||
             coalesce(CASE WHEN d.classid = 'pg_class'::regclass
                           THEN (SELECT string_agg(attname || ':' || format_type(atttypid, atttypmod), ',' ORDER BY attnum)
                                 FROM pg_attribute WHERE attrelid = d.objid AND attnum > 0 AND NOT attisdropped) END, '') ||
             coalesce(obj_description(d.objid, d.classid::regclass::name), '') AS line
      FROM pg_depend AS d
      WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
        AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'leadscore')) AS o
\gset
SELECT :'upgraded_objects' = :'fresh_objects' AS same_objects, :upgraded_count = :fresh_count AS same_count,
       :'upgraded_count' AS objects;
SELECT :'upgraded_default_model' = md5(definition::text) AS same_default_model
FROM leadscore.scoring_models WHERE name = 'default';

\c contrib_regression
DROP DATABASE leadscore_upgraded;
DROP DATABASE leadscore_fresh;
