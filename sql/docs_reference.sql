-- docs/reference.md lists every public object of the extension, and only
-- objects that exist: functions, aggregates and procedures by their
-- signature as regprocedure prints it, types, tables and views by their
-- qualified name, settings by name. psql reads the page (client side) from
-- the source tree that pg_regress runs in.
\set reference `cat docs/reference.md`
-- The library defines its settings when it loads.
SELECT leadscore.stage_rank('lead') AS library_loaded;

CREATE TEMP VIEW public_objects AS
SELECT 'function' AS kind, p.oid::regprocedure::text AS name
FROM pg_proc AS p
WHERE p.pronamespace = 'leadscore'::regnamespace AND p.proname !~ '^_'
UNION ALL
SELECT 'type', t.oid::regtype::text
FROM pg_type AS t LEFT JOIN pg_class AS c ON c.oid = t.typrelid
WHERE t.typnamespace = 'leadscore'::regnamespace AND t.typname !~ '^_'
  AND t.typcategory <> 'A' AND (c.oid IS NULL OR c.relkind = 'c')
UNION ALL
SELECT 'relation', c.oid::regclass::text
FROM pg_class AS c
WHERE c.relnamespace = 'leadscore'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
  AND c.relname !~ '^_'
UNION ALL
SELECT 'setting', s.name FROM pg_settings AS s WHERE s.name LIKE 'leadscore.%';

-- Every public object is listed (with search_path = pg_catalog, every
-- name prints qualified, as the page writes it).
SET search_path = pg_catalog;
SELECT kind, name AS not_in_reference
FROM public_objects
WHERE strpos(:'reference', '`' || name || '`') = 0
ORDER BY kind, name COLLATE "C";
-- The check has something to check.
SELECT kind, count(*) AS objects FROM public_objects GROUP BY kind ORDER BY kind;

-- Every heading of the page names an object that exists.
SELECT heading AS listed_but_missing
FROM (SELECT m[1] AS heading
      FROM regexp_matches(:'reference', '\n### `([^`]+)`', 'g') AS m) AS h
WHERE heading NOT IN (SELECT name FROM public_objects)
ORDER BY 1;
SELECT count(*) AS headings FROM regexp_matches(:'reference', '\n### `([^`]+)`', 'g');
RESET search_path;
