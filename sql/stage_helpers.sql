-- stage_rank, is_funnel_stage, stages() and the label table.

-- lifecycle_stage operators are found through search_path.
SET search_path = public, leadscore;

SELECT s AS stage, leadscore.stage_rank(s) AS rank, leadscore.is_funnel_stage(s) AS in_funnel
FROM leadscore.stages() AS s;

SELECT leadscore.stage_rank(NULL) IS NULL AS rank_of_null,
       leadscore.is_funnel_stage(NULL) IS NULL AS funnel_of_null;

-- stages() returns them in sort order, as an array too.
SELECT array_agg(s) AS all_stages FROM leadscore.stages() AS s;
SELECT bool_and(s = sorted) AS in_sort_order
FROM (SELECT s, row_number() OVER () AS n FROM leadscore.stages() AS s) AS a
JOIN (SELECT s AS sorted, row_number() OVER (ORDER BY s) AS n FROM leadscore.stages() AS s) AS b
USING (n);

-- The label table, as docs/stages.md documents it.
SELECT * FROM leadscore.stage_labels();

-- Every accepted label parses to its stage; every ambiguous one is refused.
CREATE FUNCTION pg_temp.parses_to(label text) RETURNS leadscore.lifecycle_stage
LANGUAGE plpgsql AS $$
BEGIN
    RETURN label::leadscore.lifecycle_stage;
EXCEPTION WHEN invalid_text_representation THEN
    RETURN NULL;
END $$;
SELECT count(*) AS labels,
       count(*) FILTER (WHERE pg_temp.parses_to(label) IS NOT DISTINCT FROM stage) AS as_listed
FROM leadscore.stage_labels();
