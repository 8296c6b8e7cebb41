-- The default transition policy: the whole matrix, the reasons, and NULLs.

-- lifecycle_stage operators are found through search_path.
SET search_path = public, leadscore;

-- The matrix as docs/stages.md prints it: rows are "from", columns "to";
-- '·' same stage, '✓' allowed, '✗' refused.
SELECT f AS "from",
       string_agg(CASE WHEN f = t THEN '·'
                       WHEN leadscore.can_transition(f, t) THEN '✓'
                       ELSE '✗' END, ' ' ORDER BY t) AS "dq rc vi le mq pq sa sq op cu"
FROM leadscore.stages() AS f, leadscore.stages() AS t
GROUP BY f ORDER BY f;

-- transition_error is NULL exactly where can_transition is true.
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE leadscore.can_transition(f, t)
                              = (leadscore.transition_error(f, t) IS NULL)) AS consistent
FROM leadscore.stages() AS f, leadscore.stages() AS t;

-- Every distinct reason, with one example each.
SELECT DISTINCT ON (regexp_replace(reason, '^.*: ', ''))
       f AS "from", t AS "to", reason
FROM leadscore.stages() AS f, leadscore.stages() AS t,
     LATERAL leadscore.transition_error(f, t) AS reason
WHERE reason IS NOT NULL
ORDER BY regexp_replace(reason, '^.*: ', ''), f, t;

-- The cases the policy was written for.
SELECT "from", "to", leadscore.can_transition("from", "to") AS allowed,
       leadscore.transition_error("from", "to") AS error
FROM (VALUES ('lead'::leadscore.lifecycle_stage, 'sql'::leadscore.lifecycle_stage),
             ('visitor', 'customer'), ('sql', 'mql'), ('sql', 'recycled'),
             ('opportunity', 'disqualified'), ('recycled', 'mql'), ('recycled', 'sal'),
             ('disqualified', 'lead'), ('disqualified', 'recycled'), ('customer', 'recycled'),
             ('customer', 'customer')) AS v("from", "to");

-- NULL -> anything is a first assignment; clearing a stage is refused.
SELECT leadscore.can_transition(NULL, 'customer') AS first_assignment,
       leadscore.transition_error(NULL, 'customer') IS NULL AS no_error,
       leadscore.can_transition('mql', NULL) AS clear_allowed,
       leadscore.transition_error('mql', NULL) AS clear_error,
       leadscore.can_transition(NULL, NULL) AS null_to_null;

-- Aliases work as arguments, as for any lifecycle_stage.
SELECT leadscore.can_transition('Marketing Qualified Lead', 'salesqualifiedlead') AS mql_to_sql;
