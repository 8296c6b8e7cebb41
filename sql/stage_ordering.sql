-- Comparison operators and what the planner does with them: ORDER BY,
-- DISTINCT, hashed GROUP BY, merge and hash joins, btree range scans,
-- min/max, selectivity estimates, hash indexes and hash partitioning.

-- Operators are found through search_path: without leadscore on it, write
-- OPERATOR(leadscore.>=); with it, plain >=.
SELECT 'sql'::leadscore.lifecycle_stage OPERATOR(leadscore.>=) 'mql' AS qualified_operator;
SET search_path = public, leadscore;

-- Side stages sort first, then the funnel; stage >= 'mql' means "reached MQL".
SELECT 'disqualified' < 'recycled'::leadscore.lifecycle_stage AS dq_before_recycled,
       'recycled' < 'visitor'::leadscore.lifecycle_stage AS recycled_before_visitor,
       'mql' < 'pql'::leadscore.lifecycle_stage AS mql_before_pql,
       'opportunity' < 'customer'::leadscore.lifecycle_stage AS opp_before_customer,
       'MQL' = 'marketingqualifiedlead'::leadscore.lifecycle_stage AS alias_equal,
       'sql' <> 'sal'::leadscore.lifecycle_stage AS sql_not_sal,
       'sql' >= 'mql'::leadscore.lifecycle_stage AS sql_reached_mql,
       'recycled' >= 'mql'::leadscore.lifecycle_stage AS recycled_reached_mql,
       'lead' <= 'lead'::leadscore.lifecycle_stage AS lead_le_lead,
       'customer' > 'opportunity'::leadscore.lifecycle_stage AS customer_gt_opp,
       leadscore.lifecycle_stage_cmp('sql', 'mql') AS cmp_sql_mql;

-- Every operator agrees with stage_rank on every pair.
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE (a < b) = (leadscore.stage_rank(a) < leadscore.stage_rank(b))
                          AND (a <= b) = (leadscore.stage_rank(a) <= leadscore.stage_rank(b))
                          AND (a = b) = (leadscore.stage_rank(a) = leadscore.stage_rank(b))
                          AND (a <> b) = (leadscore.stage_rank(a) <> leadscore.stage_rank(b))
                          AND (a >= b) = (leadscore.stage_rank(a) >= leadscore.stage_rank(b))
                          AND (a > b) = (leadscore.stage_rank(a) > leadscore.stage_rank(b))
                          AND sign(leadscore.lifecycle_stage_cmp(a, b))
                              = sign(leadscore.stage_rank(a) - leadscore.stage_rank(b)))
           AS consistent
FROM leadscore.stages() AS a, leadscore.stages() AS b;

-- A small CRM: 10 000 leads spread over the stages, deterministically.
CREATE TABLE leads (id int PRIMARY KEY, stage leadscore.lifecycle_stage NOT NULL, owner int);
INSERT INTO leads
SELECT i, (ARRAY['visitor', 'lead', 'lead', 'pql', 'mql', 'mql', 'sal', 'sql', 'opportunity',
                 'customer', 'recycled', 'disqualified'])[1 + (i * 7) % 12]::leadscore.lifecycle_stage,
       i % 50
FROM generate_series(1, 10000) AS i;
ANALYZE leads;

-- ORDER BY uses the btree sort order.
EXPLAIN (COSTS OFF) SELECT id, stage FROM leads ORDER BY stage, id;
SELECT stage, min(id) AS first_id FROM (SELECT id, stage FROM leads ORDER BY stage, id) AS t
GROUP BY stage ORDER BY stage DESC;

-- DISTINCT and GROUP BY, hashed.
SET enable_sort = off;
EXPLAIN (COSTS OFF) SELECT DISTINCT stage FROM leads;
EXPLAIN (COSTS OFF) SELECT stage, count(*) FROM leads GROUP BY stage;
SELECT stage, count(*) FROM leads GROUP BY stage ORDER BY stage;
RESET enable_sort;

-- Merge join and hash join on stage.
CREATE TABLE stage_owners (stage leadscore.lifecycle_stage, team text);
INSERT INTO stage_owners VALUES ('lead', 'marketing'), ('mql', 'marketing'), ('sal', 'sdr'),
    ('sql', 'sales'), ('opportunity', 'sales'), ('customer', 'success');
ANALYZE stage_owners;
SET enable_hashjoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF)
SELECT o.team, count(*) FROM leads AS l JOIN stage_owners AS o ON o.stage = l.stage GROUP BY o.team;
SELECT o.team, count(*) FROM leads AS l JOIN stage_owners AS o ON o.stage = l.stage
GROUP BY o.team ORDER BY o.team;
RESET enable_hashjoin;
SET enable_mergejoin = off;
EXPLAIN (COSTS OFF)
SELECT o.team, count(*) FROM leads AS l JOIN stage_owners AS o ON o.stage = l.stage GROUP BY o.team;
SELECT o.team, count(*) FROM leads AS l JOIN stage_owners AS o ON o.stage = l.stage
GROUP BY o.team ORDER BY o.team;
RESET enable_mergejoin;
RESET enable_nestloop;

-- Btree index range scans.
CREATE INDEX leads_stage ON leads (stage);
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM leads WHERE stage BETWEEN 'mql' AND 'sql';
SELECT count(*) FROM leads WHERE stage BETWEEN 'mql' AND 'sql';
SELECT count(*) FROM leads WHERE stage >= 'Marketing Qualified Lead';
EXPLAIN (COSTS OFF) SELECT id FROM leads WHERE stage > 'opportunity' ORDER BY stage LIMIT 3;
RESET enable_bitmapscan;
RESET enable_seqscan;

-- min and max, also answered from the index. The plan's text differs
-- between majors (17 prints InitPlans differently and drops the implied
-- IS NOT NULL), so its shape is checked: a backward index-only scan, no
-- sequential scan.
CREATE FUNCTION pg_temp.plan_lines(query text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        RETURN NEXT line;
    END LOOP;
END $$;
SELECT bool_or(line ~ 'Index Only Scan Backward using leads_stage') AS max_from_index,
       bool_or(line ~ 'Seq Scan') AS seq_scan
FROM pg_temp.plan_lines('SELECT leadscore.max(stage) FROM leads') AS line;
SELECT leadscore.min(stage), leadscore.max(stage) FROM leads;
SELECT owner, leadscore.max(stage) AS furthest, leadscore.min(stage) AS earliest
FROM leads WHERE owner < 3 GROUP BY owner ORDER BY owner;
SELECT leadscore.max(stage) IS NULL AS empty_is_null FROM leads WHERE false;

-- The selectivity estimators use the column statistics: estimated rows
-- stay within 10% of the real counts.
CREATE FUNCTION pg_temp.estimated_rows(query text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
    RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::bigint;
END $$;
SELECT condition, actual,
       abs(pg_temp.estimated_rows('SELECT * FROM leads WHERE ' || condition) - actual)
           <= actual * 0.1 AS estimate_within_10_percent
FROM (VALUES ('stage = ''mql''', (SELECT count(*) FROM leads WHERE stage = 'mql')),
             ('stage <> ''lead''', (SELECT count(*) FROM leads WHERE stage <> 'lead')),
             ('stage < ''lead''', (SELECT count(*) FROM leads WHERE stage < 'lead')),
             ('stage <= ''mql''', (SELECT count(*) FROM leads WHERE stage <= 'mql')),
             ('stage > ''sal''', (SELECT count(*) FROM leads WHERE stage > 'sal')),
             ('stage >= ''sql''', (SELECT count(*) FROM leads WHERE stage >= 'sql')))
    AS v(condition, actual);

-- Hash index and hash partitioning (which uses the extended hash function).
DROP INDEX leads_stage;
CREATE INDEX leads_stage_hash ON leads USING hash (stage);
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM leads WHERE stage = 'customer';
SELECT count(*) FROM leads WHERE stage = 'customer';
RESET enable_bitmapscan;
RESET enable_seqscan;
CREATE TABLE leads_by_stage (id int, stage leadscore.lifecycle_stage) PARTITION BY HASH (stage);
CREATE TABLE leads_by_stage_0 PARTITION OF leads_by_stage FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE leads_by_stage_1 PARTITION OF leads_by_stage FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO leads_by_stage SELECT id, stage FROM leads;
-- Each stage lands in exactly one partition, both partitions get stages, and
-- a query for one stage is pruned to its partition.
SELECT count(*) AS stages, bool_and(partitions = 1) AS one_partition_each
FROM (SELECT stage, count(DISTINCT tableoid) AS partitions FROM leads_by_stage GROUP BY stage) AS t;
SELECT tableoid::regclass AS partition, count(DISTINCT stage) > 0 AS has_stages
FROM leads_by_stage GROUP BY 1 ORDER BY 1;
SELECT count(*) AS partitions_scanned
FROM (SELECT 1 FROM leads_by_stage WHERE stage = 'sql' GROUP BY tableoid) AS t;
EXPLAIN (COSTS OFF) SELECT * FROM leads_by_stage WHERE stage = 'sql';

-- The same answers with JIT compilation and inlining forced (a no-op where
-- the server has no JIT provider).
SET jit = on;
SET jit_above_cost = 0;
SET jit_inline_above_cost = 0;
SET jit_optimize_above_cost = 0;
SELECT count(*) FILTER (WHERE stage >= 'mql') AS reached_mql,
       count(*) FILTER (WHERE stage = 'customer') AS customers,
       leadscore.max(stage) AS furthest
FROM leads;
RESET jit;
RESET jit_above_cost;
RESET jit_inline_above_cost;
RESET jit_optimize_above_cost;

DROP TABLE leads, stage_owners, leads_by_stage;
