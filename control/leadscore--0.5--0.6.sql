-- leadscore 0.6: the sweep closes the clocks of leads that went without
-- the deletion trigger seeing them go; rescore takes any number of fit
-- attributes.
\echo Use "ALTER EXTENSION leadscore UPDATE TO '0.6'" to load this file. \quit

-- Since 0.5 a deleted, truncated or dropped lead closes its clocks. Some
-- ways out of a table fire none of those triggers: dropping, detaching or
-- truncating one partition of a partitioned table, a row moved into a
-- foreign-table partition, and writes under session_replication_role =
-- replica (a logical replication subscriber applies its publisher's
-- DELETEs so). Their clocks stayed open, and the sweep breached and
-- announced leads that were no longer there. Now the sweep first asks the
-- table which of the leads whose clocks it is about to warn or breach are
-- still in it, and closes the others' open clocks unannounced, as the
-- deletion trigger would have at as_of: breached when past due, else
-- cancelled. The question costs one probe of the table's key per such
-- lead, and only when something is due.

-- The question is asked as the table's owner (the key's type and equality
-- are the owner's code, not the superuser's). EXECUTE revoked from PUBLIC.
CREATE FUNCTION @extschema@._keys_missing_as_owner(target regclass, statement text, keys text[])
    RETURNS text[] AS 'MODULE_PATHNAME', 'keys_missing_as_owner'
    LANGUAGE C;
REVOKE ALL ON FUNCTION @extschema@._keys_missing_as_owner(regclass, text, text[]) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._keys_missing_as_owner(regclass, text, text[]) IS
    'internal: runs leadscore''s query for the keys no row of a CRM table has any more, as the table''s owner';

-- Closes the open clocks of those of `keys` that no row of `target` has;
-- returns how many it closed. A table whose owner row-level security
-- would filter is not asked (a lead hidden is not a lead gone); a dropped
-- table has no leads left.
CREATE FUNCTION @extschema@._sla_close_vanished(target regclass, keys text[], as_of timestamptz)
    RETURNS integer LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    key_column text;
    missing text[];
    closed integer;
BEGIN
    SELECT a.config ->> 'key_column' INTO key_column
    FROM @extschema@.attachment_configs AS a WHERE a.target = _sla_close_vanished.target;
    IF key_column IS NULL THEN
        RETURN 0;  -- clocks of a table detached by hand: nothing to ask
    END IF;
    missing := @extschema@._keys_missing_as_owner(target, format(
        'SELECT u.lead_key FROM pg_catalog.unnest($1) AS u(lead_key) '
        'WHERE NOT EXISTS (SELECT FROM %s AS l WHERE l.%I = u.lead_key::%s)',
        target, key_column, @extschema@._column_type(target, key_column)::regtype), keys);
    IF cardinality(missing) = 0 THEN
        RETURN 0;
    END IF;
    WITH closing AS (
        UPDATE @extschema@.sla_clocks AS c
        SET status = CASE WHEN c.status = 'breached' OR c.due_at <= as_of THEN 'breached' ELSE 'cancelled' END,
            closed_at = as_of
        WHERE c.id IN (SELECT d.id FROM @extschema@.sla_clocks AS d
                       WHERE d.target = _sla_close_vanished.target AND d.lead_key = ANY (missing)
                         AND d.closed_at IS NULL
                       FOR UPDATE SKIP LOCKED)
          AND c.closed_at IS NULL
        RETURNING c.id)
    SELECT count(*) INTO closed FROM closing;
    DELETE FROM @extschema@.sla_unwritten_rows AS w
    WHERE w.target = _sla_close_vanished.target AND w.lead_key = ANY (missing);
    RETURN closed;
END
$$;
REVOKE ALL ON FUNCTION @extschema@._sla_close_vanished(regclass, text[], timestamptz) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._sla_close_vanished(regclass, text[], timestamptz) IS
    'internal: closes the open SLA clocks of the given leads that are no longer in the table (breached when past due by as_of, else cancelled)';

CREATE OR REPLACE FUNCTION @extschema@.sla_sweep(as_of timestamptz DEFAULT now())
    RETURNS integer LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    changed integer := 0;
    batch record;
BEGIN
    IF as_of IS NULL OR NOT isfinite(as_of) THEN
        RAISE EXCEPTION 'sla_sweep needs a finite as_of, got %', coalesce(as_of::text, 'NULL')
            USING ERRCODE = CASE WHEN as_of IS NULL THEN '22004' ELSE '22008' END,
                  HINT = 'Sweep as of now(), the default.';
    END IF;
    -- First the rows earlier writes had to skip (of leads that still have
    -- open clocks: a lead whose clocks all closed got its columns then).
    FOR batch IN
        WITH taken AS (
            DELETE FROM @extschema@.sla_unwritten_rows AS w
            WHERE (w.target, w.lead_key) IN (SELECT p.target, p.lead_key FROM @extschema@.sla_unwritten_rows AS p
                                             FOR UPDATE SKIP LOCKED)
            RETURNING w.target, w.lead_key)
        SELECT t.target, array_agg(t.lead_key) AS keys
        FROM taken AS t
        WHERE EXISTS (SELECT FROM @extschema@.sla_clocks AS c
                      WHERE c.target = t.target AND c.lead_key = t.lead_key AND c.closed_at IS NULL)
        GROUP BY t.target
    LOOP
        PERFORM @extschema@._sla_write_lead_columns(batch.target, batch.keys);
    END LOOP;
    -- Then the clocks about to warn or breach whose lead is gone without
    -- the deletion trigger seeing it go: they close unannounced.
    FOR batch IN
        SELECT c.target, array_agg(DISTINCT c.lead_key) AS keys
        FROM @extschema@.sla_clocks AS c
        WHERE (c.status IN ('running', 'warned') AND c.due_at <= as_of)
           OR (c.status = 'running' AND c.warn_at <= as_of)
        GROUP BY c.target
    LOOP
        changed := changed + @extschema@._sla_close_vanished(batch.target, batch.keys, as_of);
    END LOOP;
    FOR batch IN
        WITH breached AS (
            UPDATE @extschema@.sla_clocks AS c SET status = 'breached'
            WHERE c.id IN (SELECT d.id FROM @extschema@.sla_clocks AS d
                           WHERE d.status IN ('running', 'warned') AND d.due_at <= as_of
                           FOR UPDATE SKIP LOCKED)
              AND c.status IN ('running', 'warned')
            RETURNING c.*),
        warned AS (
            UPDATE @extschema@.sla_clocks AS c SET status = 'warned'
            WHERE c.id IN (SELECT w.id FROM @extschema@.sla_clocks AS w
                           WHERE w.status = 'running' AND w.warn_at <= as_of AND w.due_at > as_of
                           FOR UPDATE SKIP LOCKED)
              AND c.status = 'running'
            RETURNING c.*),
        changes AS (SELECT 'breached' AS event, * FROM breached UNION ALL SELECT 'warned', * FROM warned)
        SELECT x.target, a.config -> 'sla' ->> 'notify_channel' AS channel,
               array_agg(x.lead_key) FILTER (WHERE x.event = 'breached') AS breached_keys,
               -- (values clipped: NOTIFY refuses payloads of 8000 bytes or more)
               array_agg(json_build_object('event', x.event, 'table', left(x.target::text, 200),
                                           'key', left(x.lead_key, 200), 'policy', x.policy, 'stage', x.stage,
                                           'started_at', x.started_at, 'due_at', x.due_at,
                                           'owner', left(x.owner, 200))::text ORDER BY x.id) AS payloads,
               count(*) AS clocks
        FROM changes AS x
        LEFT JOIN @extschema@.attachment_configs AS a ON a.target = x.target
        GROUP BY x.target, a.config
    LOOP
        changed := changed + batch.clocks;
        IF batch.channel IS NOT NULL THEN
            PERFORM pg_notify(batch.channel, payload) FROM unnest(batch.payloads) AS payload;
        END IF;
        IF batch.breached_keys IS NOT NULL THEN
            PERFORM @extschema@._sla_write_lead_columns(batch.target, batch.breached_keys);
        END IF;
    END LOOP;
    RETURN changed;
END
$$;

COMMENT ON FUNCTION @extschema@.sla_sweep(timestamptz) IS
    'flags SLA clocks due by as_of with no met event as breached and those past their warning point as warned, notifies, closes unannounced the clocks of leads no longer in their table, and returns how many clocks changed; safe to run concurrently (schedule it with pg_cron every minute; EXECUTE is granted, not public)';

-- rescore hands fit_score the attributes as jsonb_build_object(name,
-- column, ...), and a function takes at most 100 arguments: until 0.6 more
-- than 50 fit attributes made rescore fail (54023), while the lifecycle
-- trigger computed their fit. The object is now built 50 pairs at a time
-- and the parts concatenated.
CREATE FUNCTION @extschema@._attributes_object(attributes jsonb, row_alias text)
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(string_agg(format('pg_catalog.jsonb_build_object(%s)', c.pairs),
                               ' OPERATOR(pg_catalog.||) ' ORDER BY c.chunk),
                    'pg_catalog.jsonb_build_object()')
    FROM (SELECT a.chunk, string_agg(format('%L, %I.%I', a.key, row_alias, a.value), ', ' ORDER BY a.key) AS pairs
          FROM (SELECT e.key, e.value, (row_number() OVER (ORDER BY e.key) - 1) / 50 AS chunk
                FROM jsonb_each_text(attributes) AS e) AS a
          GROUP BY a.chunk) AS c
$$;
COMMENT ON FUNCTION @extschema@._attributes_object(jsonb, text) IS
    'internal: the SQL expression building the jsonb of fit attributes from a row''s columns, 50 pairs per jsonb_build_object';

-- The UPDATE that rescores `leads` from all its events tables at `as_of`:
-- only the leads whose key is in `only_keys` (a query), or all of them.
CREATE OR REPLACE FUNCTION @extschema@._rescore_statement(leads regclass, only_keys text)
    RETURNS text LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    config jsonb;
    key text;
    fit text;
    engagement text;
    event_rows text;
    assignments text[] := '{}';
    changed text[] := '{}';
BEGIN
    SELECT a.config INTO config FROM @extschema@.attachment_configs AS a WHERE a.target = leads;
    IF config IS NULL OR config ->> 'model' IS NULL THEN
        RAISE EXCEPTION 'table % is not attached with a scoring model', leads USING
            ERRCODE = '55000',
            HINT = 'Attach it with score columns: leadscore.attach(table, ''{"stage_column": ..., "score_column": "score"}'').';
    END IF;
    key := format('%I', config ->> 'key_column');
    -- Fit: from the attributes when the config names them, else as stored.
    IF config -> 'fit_attributes' <> '{}' THEN
        fit := format('@extschema@.fit_score(%L, %s)', config ->> 'model',
                      @extschema@._attributes_object(config -> 'fit_attributes', 'l'));
    ELSIF config ->> 'fit_column' IS NOT NULL THEN
        fit := format('l.%I', config ->> 'fit_column');
    END IF;
    -- Engagement: the rows of every attached events table, aggregated per
    -- lead; a lead without events gets what no events score (the inactivity
    -- penalty).
    SELECT string_agg(format('SELECT e.%I AS lead, e.%I::text AS type, e.%I AS at FROM %s AS e%s',
                             x.config ->> 'lead_column', x.config ->> 'type_column', x.config ->> 'time_column',
                             x.events,
                             CASE WHEN only_keys IS NULL THEN ''
                                  ELSE format(' WHERE e.%I IN (%s)', x.config ->> 'lead_column', only_keys) END),
                      ' UNION ALL ')
      INTO event_rows
      FROM @extschema@.event_attachments AS x
      JOIN pg_class AS c ON c.oid = x.events  -- an events table dropped since is left out
     WHERE x.leads = _rescore_statement.leads;
    IF event_rows IS NOT NULL THEN
        engagement := format('coalesce(s.engagement, (SELECT @extschema@.engagement_score(%L, NULL, NULL, $1)))',
                             config ->> 'model');
        event_rows := format(' LEFT JOIN (SELECT ev.lead, @extschema@.engagement_score(%L, ev.type, ev.at, $1) AS engagement '
                             'FROM (%s) AS ev GROUP BY ev.lead) AS s ON s.lead = l.%s',
                             config ->> 'model', event_rows, key);
    ELSIF config ->> 'engagement_column' IS NOT NULL THEN
        engagement := format('l.%I', config ->> 'engagement_column');
    END IF;
    -- Each value is cast to its column's type before it is compared, so that
    -- an integer column holding a rounded score is not rewritten every time.
    IF config ->> 'fit_column' IS NOT NULL AND config -> 'fit_attributes' <> '{}' THEN
        assignments := assignments || format('%I = n.fit', config ->> 'fit_column');
        changed := changed || format('l.%I IS DISTINCT FROM (n.fit)::%s', config ->> 'fit_column',
                                     @extschema@._column_type(leads, config ->> 'fit_column'));
    END IF;
    IF config ->> 'engagement_column' IS NOT NULL AND event_rows IS NOT NULL THEN
        assignments := assignments || format('%I = n.engagement', config ->> 'engagement_column');
        changed := changed || format('l.%I IS DISTINCT FROM (n.engagement)::%s', config ->> 'engagement_column',
                                     @extschema@._column_type(leads, config ->> 'engagement_column'));
    END IF;
    -- The total, when its engagement part has a source (events, or the
    -- engagement column): fit + engagement, fit counting 0 when the
    -- attachment has no fit source. Without an engagement source the total
    -- is left alone rather than cut down to its fit.
    IF config ->> 'score_column' IS NOT NULL AND engagement IS NOT NULL THEN
        assignments := assignments || format('%I = coalesce(n.fit, 0) + coalesce(n.engagement, 0)', config ->> 'score_column');
        changed := changed || format('l.%I IS DISTINCT FROM (coalesce(n.fit, 0) + coalesce(n.engagement, 0))::%s',
                                     config ->> 'score_column',
                                     @extschema@._column_type(leads, config ->> 'score_column'));
    END IF;
    IF cardinality(assignments) = 0 THEN
        RETURN NULL;  -- nothing this attachment can recompute
    END IF;
    -- One pass: compute per lead, then write only the rows whose scores change
    -- (so unchanged leads get no new row version, no trigger, no history).
    RETURN format('UPDATE %1$s AS l SET %2$s FROM (SELECT l.%3$s AS lead, %4$s AS fit, %5$s AS engagement '
                  'FROM %1$s AS l%6$s%7$s) AS n WHERE l.%3$s = n.lead AND (%8$s)',
                  leads, array_to_string(assignments, ', '), key, coalesce(fit, 'NULL::integer'),
                  coalesce(engagement, 'NULL::numeric'), coalesce(event_rows, ''),
                  CASE WHEN only_keys IS NULL THEN '' ELSE format(' WHERE l.%s IN (%s)', key, only_keys) END,
                  array_to_string(changed, ' OR '));
END
$$;
COMMENT ON FUNCTION @extschema@._rescore_statement(regclass, text) IS
    'internal: the UPDATE that recomputes an attached table''s scores from its attributes and events';
