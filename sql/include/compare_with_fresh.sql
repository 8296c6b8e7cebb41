-- In a database updated through the chain: every aspect of the extension's
-- members (extension_members.sql) found here and not in the fresh install
-- the test saved in results/extension_members_fresh.tsv, or the other way
-- round. Included with \i by extension_upgrade, once per chain.
\i sql/include/extension_members.sql
CREATE TEMP TABLE fresh (object text, aspect text, value text);
\copy fresh FROM 'results/extension_members_fresh.tsv'
SELECT 'fresh only' AS found, * FROM (TABLE fresh EXCEPT SELECT * FROM pg_temp.extension_members()) AS f
UNION ALL
SELECT 'updated only', * FROM (SELECT * FROM pg_temp.extension_members() EXCEPT TABLE fresh) AS u
ORDER BY 2, 3, 1;
