-- leadscore: Window funnels, time in stage, benchmark bands and the funnel report.
-- Concatenated into leadscore--<version>.sql by the Makefile (SQL_SOURCES), after
-- the files whose objects it uses.

------------------------------------------------------------------------------
-- Window funnels (ClickHouse's windowFunnel, and the times of each step)
------------------------------------------------------------------------------
CREATE FUNCTION @extschema@._window_funnel_transition(internal, interval, timestamptz, boolean[])
    RETURNS internal AS 'MODULE_PATHNAME', 'window_funnel_transition'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._window_funnel_transition(internal, interval, timestamptz, boolean[]) IS
    'internal: window_funnel''s transition function (collects the rows that match a step)';

CREATE FUNCTION @extschema@._window_funnel_transition(internal, interval, text, timestamptz, boolean[])
    RETURNS internal AS 'MODULE_PATHNAME', 'window_funnel_transition'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._window_funnel_transition(internal, interval, text, timestamptz, boolean[]) IS
    'internal: window_funnel''s transition function with modes';

CREATE FUNCTION @extschema@._window_funnel_combine(internal, internal)
    RETURNS internal AS 'MODULE_PATHNAME', 'window_funnel_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._window_funnel_combine(internal, internal) IS
    'internal: merges two window_funnel states (parallel aggregation)';

CREATE FUNCTION @extschema@._window_funnel_serialize(internal)
    RETURNS bytea AS 'MODULE_PATHNAME', 'window_funnel_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._window_funnel_serialize(internal) IS
    'internal: a window_funnel state as bytes';

CREATE FUNCTION @extschema@._window_funnel_deserialize(bytea, internal)
    RETURNS internal AS 'MODULE_PATHNAME', 'window_funnel_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._window_funnel_deserialize(bytea, internal) IS
    'internal: a window_funnel state from bytes, every byte checked';

CREATE FUNCTION @extschema@._window_funnel_final(internal)
    RETURNS integer AS 'MODULE_PATHNAME', 'window_funnel_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._window_funnel_final(internal) IS
    'internal: the deepest step a group reached';

CREATE FUNCTION @extschema@._window_funnel_times_final(internal)
    RETURNS timestamptz[] AS 'MODULE_PATHNAME', 'window_funnel_times_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._window_funnel_times_final(internal) IS
    'internal: the step times of the first chain to reach the deepest step';

CREATE AGGREGATE @extschema@.window_funnel("window" interval, ts timestamptz, VARIADIC steps boolean[]) (
    SFUNC = @extschema@._window_funnel_transition, STYPE = internal,
    FINALFUNC = @extschema@._window_funnel_final,
    COMBINEFUNC = @extschema@._window_funnel_combine,
    SERIALFUNC = @extschema@._window_funnel_serialize,
    DESERIALFUNC = @extschema@._window_funnel_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(interval, timestamptz, VARIADIC boolean[]) IS
    'the deepest step (0 to the number of steps) reached by a chain of rows whose steps come in order within window of its first step (ClickHouse windowFunnel)';

CREATE AGGREGATE @extschema@.window_funnel("window" interval, modes text, ts timestamptz, VARIADIC steps boolean[]) (
    SFUNC = @extschema@._window_funnel_transition, STYPE = internal,
    FINALFUNC = @extschema@._window_funnel_final,
    COMBINEFUNC = @extschema@._window_funnel_combine,
    SERIALFUNC = @extschema@._window_funnel_serialize,
    DESERIALFUNC = @extschema@._window_funnel_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(interval, text, timestamptz, VARIADIC boolean[]) IS
    'window_funnel with modes, comma-separated: strict_deduplication, strict_order, strict_increase, strict_once, allow_reentry';

CREATE AGGREGATE @extschema@.window_funnel_times("window" interval, ts timestamptz, VARIADIC steps boolean[]) (
    SFUNC = @extschema@._window_funnel_transition, STYPE = internal,
    FINALFUNC = @extschema@._window_funnel_times_final,
    COMBINEFUNC = @extschema@._window_funnel_combine,
    SERIALFUNC = @extschema@._window_funnel_serialize,
    DESERIALFUNC = @extschema@._window_funnel_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel_times(interval, timestamptz, VARIADIC boolean[]) IS
    'the time of each step of the first chain (in time) that reached window_funnel''s deepest step; empty when no row matched step 1';

CREATE AGGREGATE @extschema@.window_funnel_times("window" interval, modes text, ts timestamptz, VARIADIC steps boolean[]) (
    SFUNC = @extschema@._window_funnel_transition, STYPE = internal,
    FINALFUNC = @extschema@._window_funnel_times_final,
    COMBINEFUNC = @extschema@._window_funnel_combine,
    SERIALFUNC = @extschema@._window_funnel_serialize,
    DESERIALFUNC = @extschema@._window_funnel_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel_times(interval, text, timestamptz, VARIADIC boolean[]) IS
    'window_funnel_times with modes';

-- For tests of the deserialisation checks: a group's serialised state, and
-- the level of a state given as bytes.
CREATE AGGREGATE @extschema@._window_funnel_state("window" interval, modes text, ts timestamptz, VARIADIC steps boolean[]) (
    SFUNC = @extschema@._window_funnel_transition, STYPE = internal,
    FINALFUNC = @extschema@._window_funnel_serialize,
    COMBINEFUNC = @extschema@._window_funnel_combine,
    SERIALFUNC = @extschema@._window_funnel_serialize,
    DESERIALFUNC = @extschema@._window_funnel_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@._window_funnel_state(interval, text, timestamptz, VARIADIC boolean[]) IS
    'internal: window_funnel''s state as the bytes parallel workers exchange';

CREATE FUNCTION @extschema@._window_funnel_level_of_state(state bytea)
    RETURNS integer AS 'MODULE_PATHNAME', 'window_funnel_level_of_state'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._window_funnel_level_of_state(bytea) IS
    'internal: checks serialised window_funnel state bytes as deserialisation does, and evaluates them';

------------------------------------------------------------------------------
-- Time in stage, from the stage history
------------------------------------------------------------------------------
CREATE TYPE @extschema@.stage_time AS (
    stage @extschema@.lifecycle_stage,
    entries integer,
    latest interval,
    cumulative interval,
    current boolean
);
COMMENT ON TYPE @extschema@.stage_time IS
    'time a lead spent in one stage: how often it entered, its latest stay, all its stays together, and whether it is there at as_of';

CREATE FUNCTION @extschema@._time_in_stage_transition(internal, @extschema@.lifecycle_stage, timestamptz, timestamptz)
    RETURNS internal AS 'MODULE_PATHNAME', 'time_in_stage_transition'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._time_in_stage_transition(internal, @extschema@.lifecycle_stage, timestamptz, timestamptz) IS
    'internal: collects a lead''s stage entries';

CREATE FUNCTION @extschema@._time_in_stage_final(internal)
    RETURNS @extschema@.stage_time[] AS 'MODULE_PATHNAME', 'time_in_stage_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._time_in_stage_final(internal) IS
    'internal: the stays per stage of the collected entries';

CREATE AGGREGATE @extschema@.time_in_stage(stage @extschema@.lifecycle_stage, changed_at timestamptz, as_of timestamptz) (
    SFUNC = @extschema@._time_in_stage_transition, STYPE = internal,
    FINALFUNC = @extschema@._time_in_stage_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.time_in_stage(@extschema@.lifecycle_stage, timestamptz, timestamptz) IS
    'over a lead''s history rows (to_stage, changed_at): per stage, entries, latest and cumulative time in it up to as_of (HubSpot''s time in stage); rows at one instant count in the order given, so call it with ORDER BY id';

------------------------------------------------------------------------------
-- Funnel report, graded against benchmark bands
------------------------------------------------------------------------------
CREATE TABLE @extschema@.benchmark_bands (
    metric text NOT NULL,
    lower_bound numeric,   -- inclusive; NULL: no lower bound
    upper_bound numeric,   -- exclusive; NULL: no upper bound
    verdict text NOT NULL,
    builtin boolean NOT NULL DEFAULT false,
    CHECK (lower_bound IS NULL OR upper_bound IS NULL OR lower_bound < upper_bound)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.benchmark_bands', 'WHERE NOT builtin');
GRANT SELECT ON @extschema@.benchmark_bands TO PUBLIC;
INSERT INTO @extschema@.benchmark_bands (metric, lower_bound, upper_bound, verdict, builtin) VALUES
    -- seed 000: "25-40% for aligned teams; below 15% signals a qualification or
    -- follow-up problem"; seed 000 FAQ: "above 50% may indicate the MQL
    -- definition is too strict"
    ('mql_to_sql', NULL, 0.15, 'low: loose MQL criteria or slow follow-up', true),
    ('mql_to_sql', 0.15, 0.25, 'below benchmark (25-40%)', true),
    ('mql_to_sql', 0.25, 0.40, 'healthy', true),
    ('mql_to_sql', 0.40, 0.50, 'above benchmark (25-40%)', true),
    ('mql_to_sql', 0.50, NULL, 'high: threshold may be too strict', true),
    -- seed 000: "50-70% benchmark; below 40% signals qualification issue"
    ('sql_to_opportunity', NULL, 0.40, 'low: qualification issue', true),
    ('sql_to_opportunity', 0.40, 0.50, 'below benchmark (50-70%)', true),
    ('sql_to_opportunity', 0.50, 0.70, 'healthy', true),
    ('sql_to_opportunity', 0.70, NULL, 'above benchmark (50-70%)', true),
    -- seed 000: "20-35% benchmark for B2B"
    ('opportunity_to_customer', NULL, 0.20, 'low: below the 20-35% B2B benchmark', true),
    ('opportunity_to_customer', 0.20, 0.35, 'healthy', true),
    ('opportunity_to_customer', 0.35, NULL, 'above benchmark (20-35%)', true),
    -- MQL to SQL in 1-3 days, SQL to opportunity in 7-14 days
    ('mql_to_sql_days', NULL, 1, 'fast', true),
    ('mql_to_sql_days', 1, 3, 'healthy', true),
    ('mql_to_sql_days', 3, NULL, 'slow: sales follow-up lags (1-3 days)', true),
    ('sql_to_opportunity_days', NULL, 7, 'fast', true),
    ('sql_to_opportunity_days', 7, 14, 'healthy', true),
    ('sql_to_opportunity_days', 14, NULL, 'slow: deals take long to open (7-14 days)', true),
    -- seed 000: "under 20% healthy; above 30% means the scoring model needs
    -- recalibration"
    ('mql_rejection_rate', NULL, 0.20, 'healthy', true),
    ('mql_rejection_rate', 0.20, 0.30, 'watch: rejections rising (healthy under 20%)', true),
    ('mql_rejection_rate', 0.30, NULL, 'high: recalibrate the scoring model', true);
COMMENT ON TABLE @extschema@.benchmark_bands IS
    'the bands funnel_report grades its metrics against (value in [lower_bound, upper_bound)); the built-in rows come from the seeds; insert your own rows for a metric and they replace the built-in ones for it';
COMMENT ON COLUMN @extschema@.benchmark_bands.metric IS
    'mql_to_sql, sql_to_opportunity, opportunity_to_customer (rates 0 to 1), mql_to_sql_days, sql_to_opportunity_days (median days), mql_rejection_rate (0 to 1)';

-- Only known metrics; the built-in rows stay as they are (yours replace them).
CREATE FUNCTION @extschema@._check_benchmark_band()
    RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.builtin THEN
        RAISE EXCEPTION 'the built-in benchmark band for % is not changed in place', OLD.metric
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Insert your own bands for the metric: they replace the built-in ones.';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF NEW.lower_bound >= NEW.upper_bound THEN
        RAISE EXCEPTION 'a benchmark band from % to % is empty', NEW.lower_bound, NEW.upper_bound
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'A band covers lower_bound (inclusive) up to upper_bound (exclusive); NULL leaves a side open.';
    END IF;
    IF NEW.metric NOT IN ('mql_to_sql', 'sql_to_opportunity', 'opportunity_to_customer', 'mql_to_sql_days',
                          'sql_to_opportunity_days', 'mql_rejection_rate') THEN
        RAISE EXCEPTION 'unknown benchmark metric %', to_json(NEW.metric)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Metrics: mql_to_sql, sql_to_opportunity, opportunity_to_customer, mql_to_sql_days, '
                         'sql_to_opportunity_days, mql_rejection_rate.';
    END IF;
    -- Only the rows this script inserted (before the trigger existed) are built in.
    NEW.builtin := false;
    RETURN NEW;
END
$$;
CREATE TRIGGER check_band BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.benchmark_bands
    FOR EACH ROW EXECUTE FUNCTION @extschema@._check_benchmark_band();
COMMENT ON FUNCTION @extschema@._check_benchmark_band() IS
    'internal: checks rows written to leadscore.benchmark_bands';

-- The verdict for a metric's value: the user's bands for it if any, else
-- the built-in ones.
CREATE FUNCTION @extschema@.band_verdict(metric text, value numeric)
    RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT b.verdict FROM @extschema@.benchmark_bands AS b
    WHERE b.metric = band_verdict.metric AND value IS NOT NULL
      AND (b.lower_bound IS NULL OR value >= b.lower_bound) AND (b.upper_bound IS NULL OR value < b.upper_bound)
      AND b.builtin = NOT EXISTS (SELECT FROM @extschema@.benchmark_bands AS u
                                  WHERE u.metric = band_verdict.metric AND NOT u.builtin)
    ORDER BY b.lower_bound NULLS FIRST
    LIMIT 1
$$;
COMMENT ON FUNCTION @extschema@.band_verdict(text, numeric) IS
    'the verdict of leadscore.benchmark_bands for a metric''s value (NULL when no band covers it)';

CREATE FUNCTION @extschema@.funnel_report(target regclass, period text DEFAULT 'month',
                                          since timestamptz DEFAULT NULL, group_by text DEFAULT NULL)
    RETURNS TABLE (period_start timestamptz, group_value text,
                   entered_mql bigint, entered_sql bigint, entered_opportunity bigint, entered_customer bigint,
                   cohort_mqls bigint,
                   mql_to_sql numeric, sql_to_opportunity numeric, opportunity_to_customer numeric,
                   mql_to_customer numeric,
                   median_mql_to_sql interval, median_sql_to_opportunity interval,
                   mql_rejection_rate numeric, top_rejection_reasons text,
                   sla_compliance numeric, lead_velocity_rate numeric,
                   mql_to_sql_verdict text, sql_to_opportunity_verdict text, opportunity_to_customer_verdict text,
                   mql_to_sql_time_verdict text, sql_to_opportunity_time_verdict text, rejection_verdict text)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    config jsonb;
    grouping_expression text := 'NULL::text';
BEGIN
    IF target IS NULL THEN
        RAISE EXCEPTION 'funnel_report needs a table, got NULL'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass an attached table, e.g. ''crm.contacts''.';
    END IF;
    IF period IS NULL OR period NOT IN ('day', 'week', 'month', 'quarter', 'year') THEN
        RAISE EXCEPTION 'funnel_report: unknown period %', coalesce(to_json(period)::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use day, week, month, quarter or year.';
    END IF;
    SELECT a.config INTO config FROM @extschema@.attachment_configs AS a WHERE a.target = funnel_report.target;
    IF config IS NULL THEN
        RAISE EXCEPTION 'table % is not attached to leadscore', target
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'The report reads the stage history leadscore.attach records; attach the table first.';
    END IF;
    IF group_by IS NOT NULL THEN
        IF @extschema@._column_type(target, group_by) IS NULL THEN
            RAISE EXCEPTION 'funnel_report: column % does not exist in %', to_json(group_by), target
                USING ERRCODE = 'undefined_column',
                      HINT = 'Name a column of the attached table, e.g. the lead source (inbound/outbound).';
        END IF;
        grouping_expression := format('t.%I::text', group_by);
    END IF;
    RETURN QUERY EXECUTE format($report$
    WITH history AS (
        SELECT h.lead_key, h.from_stage, h.to_stage, h.changed_at, h.reason
        FROM @extschema@.stage_history AS h WHERE h.target = $1),
    -- When each lead first reached each milestone (or a later stage: leads
    -- skip stages), whether sales rejected it as an MQL, and why.
    leads AS (
        SELECT h.lead_key,
               min(h.changed_at) FILTER (WHERE h.to_stage OPERATOR(@extschema@.>=) 'mql') AS mql_at,
               min(h.changed_at) FILTER (WHERE h.to_stage OPERATOR(@extschema@.>=) 'sql') AS sql_at,
               min(h.changed_at) FILTER (WHERE h.to_stage OPERATOR(@extschema@.>=) 'opportunity') AS opportunity_at,
               min(h.changed_at) FILTER (WHERE h.to_stage OPERATOR(@extschema@.=) 'customer') AS customer_at,
               (array_agg(coalesce(h.reason, 'no reason') ORDER BY h.changed_at)
                   FILTER (WHERE h.from_stage OPERATOR(@extschema@.>=) 'mql'
                             AND h.from_stage OPERATOR(@extschema@.<) 'sql'
                             AND h.to_stage OPERATOR(@extschema@.<=) 'recycled'))[1] AS rejection
        FROM history AS h GROUP BY h.lead_key),
    grouped AS (
        SELECT l.*, %1$s AS group_value
        FROM leads AS l LEFT JOIN %2$s AS t ON t.%3$I::text = l.lead_key),
    milestones AS (
        SELECT g.group_value, date_trunc($2, m.at) AS bucket, m.milestone
        FROM grouped AS g,
             LATERAL (VALUES ('mql', g.mql_at), ('sql', g.sql_at), ('opportunity', g.opportunity_at),
                             ('customer', g.customer_at)) AS m(milestone, at)
        WHERE m.at IS NOT NULL),
    entered AS (
        SELECT m.bucket, m.group_value,
               count(*) FILTER (WHERE m.milestone = 'mql') AS mql, count(*) FILTER (WHERE m.milestone = 'sql') AS sql,
               count(*) FILTER (WHERE m.milestone = 'opportunity') AS opportunity,
               count(*) FILTER (WHERE m.milestone = 'customer') AS customer
        FROM milestones AS m GROUP BY m.bucket, m.group_value),
    -- Cohorts by the period of their MQL date: what became of them since.
    cohorts AS (
        SELECT date_trunc($2, g.mql_at) AS bucket, g.group_value, count(*) AS mqls,
               count(g.sql_at) AS sqls, count(g.opportunity_at) AS opportunities,
               count(g.opportunity_at) FILTER (WHERE g.sql_at IS NOT NULL) AS sql_opportunities,
               count(g.customer_at) FILTER (WHERE g.opportunity_at IS NOT NULL) AS opportunity_customers,
               count(g.customer_at) AS customers,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY g.sql_at - g.mql_at) AS mql_to_sql,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY g.opportunity_at - g.sql_at)
                   FILTER (WHERE g.sql_at IS NOT NULL) AS sql_to_opportunity,
               count(g.rejection) AS rejected
        FROM grouped AS g WHERE g.mql_at IS NOT NULL
        GROUP BY 1, 2),
    reasons AS (
        SELECT r.bucket, r.group_value,
               string_agg(format('%%s (%%s)', r.rejection, r.n), ', ' ORDER BY r.n DESC, r.rejection) AS top
        FROM (SELECT date_trunc($2, g.mql_at) AS bucket, g.group_value, g.rejection, count(*) AS n,
                     row_number() OVER (PARTITION BY date_trunc($2, g.mql_at), g.group_value
                                        ORDER BY count(*) DESC, g.rejection) AS place
              FROM grouped AS g WHERE g.rejection IS NOT NULL AND g.mql_at IS NOT NULL GROUP BY 1, 2, 3) AS r
        WHERE r.place <= 3 GROUP BY 1, 2),
    sla AS (
        SELECT date_trunc($2, c.started_at) AS bucket, %1$s AS group_value,
               count(*) FILTER (WHERE c.status = 'met')::numeric
                   / nullif(count(*) FILTER (WHERE c.status IN ('met', 'met_late', 'breached')), 0) AS compliance
        FROM @extschema@.sla_clocks AS c LEFT JOIN %2$s AS t ON t.%3$I::text = c.lead_key
        WHERE c.target = $1 GROUP BY 1, 2),
    report AS (
        SELECT coalesce(e.bucket, c.bucket) AS bucket, coalesce(e.group_value, c.group_value) AS group_value,
               coalesce(e.mql, 0) AS mql, coalesce(e.sql, 0) AS sql, coalesce(e.opportunity, 0) AS opportunity,
               coalesce(e.customer, 0) AS customer, coalesce(c.mqls, 0) AS cohort_mqls,
               round(c.sqls::numeric / nullif(c.mqls, 0), 4) AS mql_to_sql,
               round(c.sql_opportunities::numeric / nullif(c.sqls, 0), 4) AS sql_to_opportunity,
               round(c.opportunity_customers::numeric / nullif(c.opportunities, 0), 4) AS opportunity_to_customer,
               round(c.customers::numeric / nullif(c.mqls, 0), 4) AS mql_to_customer,
               c.mql_to_sql AS median_mql_to_sql, c.sql_to_opportunity AS median_sql_to_opportunity,
               round(c.rejected::numeric / nullif(c.mqls, 0), 4) AS rejection_rate
        FROM entered AS e FULL JOIN cohorts AS c ON c.bucket = e.bucket AND c.group_value IS NOT DISTINCT FROM e.group_value)
    SELECT * FROM (
    SELECT r.bucket, r.group_value, r.mql, r.sql, r.opportunity, r.customer, r.cohort_mqls,
           r.mql_to_sql, r.sql_to_opportunity, r.opportunity_to_customer, r.mql_to_customer,
           r.median_mql_to_sql, r.median_sql_to_opportunity, r.rejection_rate, rs.top,
           round(s.compliance, 4),
           -- lead velocity: growth of new MQLs over the previous period of the
           -- group (computed before `since` cuts the earlier periods off)
           CASE WHEN lag(r.bucket) OVER w = r.bucket - CASE $2 WHEN 'quarter' THEN interval '3 months'
                                                               ELSE ('1 ' || $2)::interval END
                THEN round((r.mql - lag(r.mql) OVER w)::numeric / nullif(lag(r.mql) OVER w, 0), 4) END,
           @extschema@.band_verdict('mql_to_sql', r.mql_to_sql),
           @extschema@.band_verdict('sql_to_opportunity', r.sql_to_opportunity),
           @extschema@.band_verdict('opportunity_to_customer', r.opportunity_to_customer),
           @extschema@.band_verdict('mql_to_sql_days', extract(epoch FROM r.median_mql_to_sql) / 86400),
           @extschema@.band_verdict('sql_to_opportunity_days', extract(epoch FROM r.median_sql_to_opportunity) / 86400),
           @extschema@.band_verdict('mql_rejection_rate', r.rejection_rate)
    FROM report AS r
    LEFT JOIN reasons AS rs ON rs.bucket = r.bucket AND rs.group_value IS NOT DISTINCT FROM r.group_value
    LEFT JOIN sla AS s ON s.bucket = r.bucket AND s.group_value IS NOT DISTINCT FROM r.group_value
    WINDOW w AS (PARTITION BY r.group_value ORDER BY r.bucket)) AS graded
    WHERE $3 IS NULL OR graded.bucket >= date_trunc($2, $3)
    ORDER BY graded.bucket, graded.group_value
    $report$, grouping_expression, target, config ->> 'key_column')
    USING target, period, since;
END
$$;
COMMENT ON FUNCTION @extschema@.funnel_report(regclass, text, timestamptz, text) IS
    'per period (and group): leads entering mql, sql, opportunity and customer; for the cohort of MQLs of the period, conversion MQL->SQL, SQL->opportunity, opportunity->customer and MQL->customer, median times, rejection rate and top reasons; SLA compliance; lead velocity; verdicts from leadscore.benchmark_bands';
