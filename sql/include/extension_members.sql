-- pg_temp.extension_members(): one row per aspect of every member object of
-- the extension leadscore (signature, definition, privileges, comments,
-- columns, defaults, constraints, indexes, triggers, policies, dump config,
-- built-in rows), for comparing databases installed in different ways
-- (extension_upgrade). Included with \i: it is not a test of its own.
CREATE FUNCTION pg_temp.extension_members()
    RETURNS TABLE (object text, aspect text, value text) LANGUAGE sql STABLE AS $$
WITH ext AS (SELECT oid, extconfig, extcondition FROM pg_extension WHERE extname = 'leadscore'),
member AS (
    SELECT d.classid, d.objid, pg_describe_object(d.classid, d.objid, 0) AS object
    FROM pg_depend AS d, ext
    WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'),
proc AS (SELECT m.object, p.* FROM member AS m JOIN pg_proc AS p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid),
rel AS (SELECT m.object, c.* FROM member AS m JOIN pg_class AS c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid),
typ AS (SELECT m.object, t.* FROM member AS m JOIN pg_type AS t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid)
SELECT object, 'member', '' FROM member
UNION ALL
SELECT object, 'comment', obj_description(objid, classid::regclass::name) FROM member
UNION ALL
SELECT m.object, 'initial privileges', i.privtype::text || ' ' || i.initprivs::text
FROM member AS m JOIN pg_init_privs AS i ON i.classoid = m.classid AND i.objoid = m.objid AND i.objsubid = 0
UNION ALL
SELECT object, 'definition', pg_get_functiondef(oid) FROM proc WHERE prokind <> 'a'
UNION ALL
SELECT p.object, 'aggregate', concat_ws(' ', a.aggkind, a.aggnumdirectargs, a.aggtransfn, a.aggfinalfn, a.aggcombinefn,
       a.aggserialfn, a.aggdeserialfn, a.aggmtransfn, a.aggminvtransfn, a.aggmfinalfn, a.aggfinalextra,
       a.aggmfinalextra, a.aggfinalmodify, a.aggmfinalmodify, a.aggsortop::regoperator, a.aggtranstype::regtype,
       a.aggtransspace, a.aggmtranstype, a.aggmtransspace, a.agginitval, a.aggminitval,
       pg_get_function_arguments(p.oid), pg_get_function_result(p.oid), p.proparallel, p.provolatile, p.proisstrict)
FROM proc AS p JOIN pg_aggregate AS a ON a.aggfnoid = p.oid
UNION ALL
SELECT object, 'privileges', proacl::text FROM proc
UNION ALL
SELECT object, 'relation', concat_ws(' ', relkind, relpersistence, relrowsecurity, relforcerowsecurity, relacl::text,
       CASE WHEN relkind = 'v' THEN pg_get_viewdef(oid) END) FROM rel
UNION ALL
SELECT r.object, 'column ' || a.attname, concat_ws(' ', format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,
       a.attgenerated, pg_get_expr(ad.adbin, ad.adrelid), col_description(r.oid, a.attnum), a.attacl::text,
       (SELECT c.collname FROM pg_collation AS c WHERE c.oid = a.attcollation))
FROM rel AS r JOIN pg_attribute AS a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef AS ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
UNION ALL
SELECT r.object, 'constraint ' || c.conname, pg_get_constraintdef(c.oid) FROM rel AS r JOIN pg_constraint AS c ON c.conrelid = r.oid
UNION ALL
SELECT r.object, 'index ' || i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM rel AS r JOIN pg_index AS i ON i.indrelid = r.oid
UNION ALL
SELECT r.object, 'trigger ' || t.tgname, pg_get_triggerdef(t.oid) || ' ' || t.tgenabled::text
FROM rel AS r JOIN pg_trigger AS t ON t.tgrelid = r.oid AND NOT t.tgisinternal
UNION ALL
SELECT r.object, 'policy ' || p.polname, concat_ws(' ', p.polcmd, p.polpermissive, p.polroles::text,
       pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid), obj_description(p.oid, 'pg_policy'))
FROM rel AS r JOIN pg_policy AS p ON p.polrelid = r.oid
UNION ALL
SELECT r.object, 'dumped', coalesce(ext.extcondition[array_position(ext.extconfig, r.oid)], '(not dumped)')
FROM rel AS r, ext WHERE r.relkind IN ('r', 'S')
UNION ALL
SELECT t.object, 'type', concat_ws(' ', t.typtype, t.typlen, t.typbyval, t.typalign, t.typstorage, t.typcategory,
       t.typispreferred, t.typinput, t.typoutput, t.typreceive, t.typsend, t.typcollation, t.typacl::text,
       (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
        FROM pg_attribute AS a WHERE a.attrelid = t.typrelid AND a.attnum > 0))
FROM typ AS t
UNION ALL
SELECT m.object, 'cast', concat_ws(' ', c.castfunc::regprocedure, c.castcontext, c.castmethod)
FROM member AS m JOIN pg_cast AS c ON m.classid = 'pg_cast'::regclass AND c.oid = m.objid
UNION ALL
SELECT m.object, 'operator', concat_ws(' ', o.oprcode, o.oprcom::regoperator, o.oprnegate::regoperator, o.oprrest,
       o.oprjoin, o.oprcanhash, o.oprcanmerge)
FROM member AS m JOIN pg_operator AS o ON m.classid = 'pg_operator'::regclass AND o.oid = m.objid
UNION ALL
SELECT m.object, 'operator class', concat_ws(' ', c.opcdefault, c.opcintype::regtype,
       (SELECT string_agg(a.amopstrategy || ' ' || a.amopopr::regoperator, ', ' ORDER BY a.amopstrategy)
        FROM pg_amop AS a WHERE a.amopfamily = c.opcfamily),
       (SELECT string_agg(p.amprocnum || ' ' || p.amproc::regprocedure, ', ' ORDER BY p.amprocnum)
        FROM pg_amproc AS p WHERE p.amprocfamily = c.opcfamily))
FROM member AS m JOIN pg_opclass AS c ON m.classid = 'pg_opclass'::regclass AND c.oid = m.objid
UNION ALL
SELECT m.object, 'event trigger', concat_ws(' ', e.evtevent, e.evtfoid::regprocedure, e.evtenabled, e.evttags::text)
FROM member AS m JOIN pg_event_trigger AS e ON m.classid = 'pg_event_trigger'::regclass AND e.oid = m.objid
UNION ALL
SELECT 'schema leadscore', 'schema', concat_ws(' ', n.nspacl::text, obj_description(n.oid, 'pg_namespace'))
FROM pg_namespace AS n WHERE n.nspname = 'leadscore'
UNION ALL
SELECT 'table leadscore.scoring_models', 'row ' || name || ' ' || version, definition::text FROM leadscore.scoring_models
UNION ALL
SELECT 'table leadscore.benchmark_bands', 'row ' || metric || ' ' || verdict,
       concat_ws(' ', lower_bound, upper_bound, builtin) FROM leadscore.benchmark_bands
$$;
