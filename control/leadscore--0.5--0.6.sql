-- leadscore 0.6: the sweep closes the clocks of leads that went without
-- the deletion trigger seeing them go; rescore takes any number of fit
-- attributes; rows inserted straight into a partition of an attached events
-- table rescore their leads and meet SLA clocks.
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

-- How leadscore compares a key column (of the row `row_alias`) with a key
-- it stored as text (the SQL expression `stored_key`): `<row>.<key>
-- <operator> (<stored_key>)::<type>`, the type written in full (a
-- char(8) key must not be read as char(1)) and the operator taken from the
-- type's default btree operator class and named with its schema (a citext
-- or isbn key's "=" is not in pg_catalog, the only schema on leadscore's
-- search_path). NULL when the column is gone or its type has no such
-- equality (arrays, ranges, composites: such a key is then compared as
-- text, or, by the sweep's question, not looked up).
CREATE FUNCTION @extschema@._key_comparison(target regclass, key_column text, row_alias text, stored_key text)
    RETURNS text LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    written text;
    base oid;
    kind "char";
    class_type oid;
    equality text;
BEGIN
    -- (Step by step, each step an index probe or a scan of a small
    -- catalog: every INSERT into an events table with an activity policy
    -- asks, and one joined query took over a millisecond.)
    SELECT format_type(a.atttypid, a.atttypmod), a.atttypid INTO written, base
    FROM pg_attribute AS a
    WHERE a.attrelid = target AND a.attname = key_column AND a.attnum > 0 AND NOT a.attisdropped;
    IF written IS NULL THEN
        RETURN NULL;
    END IF;
    LOOP  -- a domain's base type, through domains over domains
        SELECT t.typtype INTO kind FROM pg_type AS t WHERE t.oid = base;
        EXIT WHEN kind <> 'd';
        SELECT t.typbasetype INTO base FROM pg_type AS t WHERE t.oid = base;
    END LOOP;
    -- The class is declared on the type itself, on the polymorphic type it
    -- belongs to (enums), or on a type it converts to implicitly without a
    -- function (varchar to text, cidr to inet).
    FOR class_type IN
        SELECT base
        UNION ALL SELECT 'anyenum'::regtype WHERE kind = 'e'
        UNION ALL SELECT x.casttarget FROM pg_cast AS x
                  WHERE x.castsource = base AND x.castmethod = 'b' AND x.castcontext = 'i'
    LOOP
        SELECT format('OPERATOR(%I.%s)', n.nspname, o.oprname) INTO equality
        FROM pg_opclass AS k
        JOIN pg_amop AS e ON e.amopfamily = k.opcfamily AND e.amoplefttype = k.opcintype
                         AND e.amoprighttype = k.opcintype AND e.amopstrategy = 3
        JOIN pg_operator AS o ON o.oid = e.amopopr
        JOIN pg_namespace AS n ON n.oid = o.oprnamespace
        WHERE k.opcmethod = (SELECT m.oid FROM pg_am AS m WHERE m.amname = 'btree') AND k.opcdefault
          AND k.opcintype = class_type
        ORDER BY k.oid LIMIT 1;
        IF equality IS NOT NULL THEN
            RETURN format('%I.%I %s (%s)::%s', row_alias, key_column, equality, stored_key, written);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@._key_comparison(regclass, text, text, text) IS
    'internal: the SQL comparing a CRM table''s key column with a key stored as text, in the key''s own type and equality';

-- The same, falling back for a key type without btree equality to the
-- text the key's output function writes (as the clocks store keys): for
-- the writers, which must find the row; the sweep's question does not
-- look such keys up at all.
CREATE FUNCTION @extschema@._key_match(target regclass, key_column text, row_alias text, stored_key text)
    RETURNS text LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(@extschema@._key_comparison(target, key_column, row_alias, stored_key),
                    format('pg_catalog.format(''%%s'', %I.%I) OPERATOR(pg_catalog.=) (%s)',
                           row_alias, key_column, stored_key))
$$;
COMMENT ON FUNCTION @extschema@._key_match(regclass, text, text, text) IS
    'internal: _key_comparison, or for a key type without btree equality a comparison of its text';

CREATE OR REPLACE FUNCTION @extschema@._sla_write_lead_columns(target regclass, keys text[])
    RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    config jsonb;
    assignments text[] := '{}';
    dues timestamptz[];
    breaches boolean[];
    written bigint;
BEGIN
    SELECT a.config INTO config FROM @extschema@.attachment_configs AS a WHERE a.target = _sla_write_lead_columns.target;
    IF config IS NULL OR cardinality(keys) = 0 OR NOT EXISTS (SELECT FROM pg_class WHERE oid = target) THEN
        RETURN;  -- detached, nothing to write, or dropped
    END IF;
    IF config -> 'sla' ->> 'due_column' IS NOT NULL THEN
        assignments := assignments || format('%I = locked.next_due', config -> 'sla' ->> 'due_column');
    END IF;
    IF config -> 'sla' ->> 'breached_column' IS NOT NULL THEN
        assignments := assignments || format('%I = locked.breached', config -> 'sla' ->> 'breached_column');
    END IF;
    IF cardinality(assignments) = 0 THEN
        RETURN;
    END IF;
    SELECT array_agg(s.next_due ORDER BY k.n), array_agg(s.breached ORDER BY k.n), array_agg(k.lead_key ORDER BY k.n)
      INTO dues, breaches, keys
      FROM (SELECT DISTINCT ON (u.lead_key) u.lead_key, u.n
            FROM unnest(keys) WITH ORDINALITY AS u(lead_key, n) ORDER BY u.lead_key, u.n) AS k,
           LATERAL @extschema@._sla_lead_columns(target, k.lead_key) AS s;
    -- The key compares in its own type (typmod and equality operator
    -- included, since 0.6: a char(8) key was read as char(1), a citext key
    -- found no "=" in pg_catalog), so the table's key index is used.
    written := @extschema@._update_as_owner(target, format(
        'WITH locked AS (SELECT l.ctid AS row_id, u.next_due, u.breached '
        '                FROM %1$s AS l JOIN unnest($1, $2, $3) AS u(lead_key, next_due, breached) '
        '                  ON %2$s FOR UPDATE OF l SKIP LOCKED) '
        'UPDATE %1$s AS t SET %3$s FROM locked WHERE t.ctid OPERATOR(pg_catalog.=) locked.row_id',
        target, @extschema@._key_match(target, config ->> 'key_column', 'l', 'u.lead_key'),
        array_to_string(assignments, ', ')), keys, dues, breaches);
    -- Rows skipped (held by another transaction) are written by the next
    -- sweep. Which ones is not known here, so all of this call's keys are
    -- queued; writing a row again is harmless.
    IF written < cardinality(keys) THEN
        INSERT INTO @extschema@.sla_unwritten_rows AS w (target, lead_key)
        SELECT _sla_write_lead_columns.target, k FROM unnest(keys) AS k
        ON CONFLICT DO NOTHING;
    END IF;
END
$$;

-- Which of `keys` no row of `target` has any more, asked as the table's
-- owner. A key is declared gone only when it reads back as the text stored
-- (a key written under another DateStyle, say, is not). A table that
-- cannot answer (its key column renamed, a type without btree equality, no
-- SELECT for its owner, an unreachable foreign partition) answers none,
-- with a WARNING: one table must not stop the sweep of all. A table whose
-- owner row-level security would filter is not asked (a lead hidden is not
-- a lead gone); a dropped table has no leads left.
CREATE FUNCTION @extschema@._sla_keys_gone(target regclass, key_column text, keys text[])
    RETURNS text[] LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    comparison text;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_class WHERE oid = target) THEN
        RETURN keys;
    END IF;
    comparison := @extschema@._key_comparison(target, key_column, 'l', 'u.lead_key');
    IF comparison IS NULL THEN
        RAISE WARNING 'leadscore cannot look up the leads of % by their key column %', target, to_json(key_column)
            USING HINT = 'Its SLA clocks are swept as before; attach the table again if its key column was renamed.';
        RETURN '{}';
    END IF;
    RETURN @extschema@._keys_missing_as_owner(target, format(
        'SELECT u.lead_key FROM pg_catalog.unnest($1) AS u(lead_key) '
        'WHERE pg_catalog.format(''%%s'', u.lead_key::%2$s) OPERATOR(pg_catalog.=) u.lead_key '
        '  AND NOT EXISTS (SELECT FROM %1$s AS l WHERE %3$s)',
        target, (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute AS a
                 WHERE a.attrelid = target AND a.attname = key_column),
        comparison), keys);
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'leadscore could not ask % which leads are still there: %', target, SQLERRM
        USING HINT = 'Its SLA clocks are swept as before, gone leads included.';
    RETURN '{}';
END
$$;
REVOKE ALL ON FUNCTION @extschema@._sla_keys_gone(regclass, text, text[]) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._sla_keys_gone(regclass, text, text[]) IS
    'internal: which of the given lead keys no row of an attached table has any more (asked as the table''s owner)';

-- Closes the open clocks of those of `keys` that no row of `target` has;
-- returns how many it closed. The table is asked twice: for all the keys,
-- then, once the gone leads' open clocks are known, for those leads again,
-- and only those clocks close: a lead back in the meantime keeps the clock
-- its return started (which was not among them), and one back before the
-- second answer keeps all of its clocks.
CREATE FUNCTION @extschema@._sla_close_vanished(target regclass, keys text[], as_of timestamptz)
    RETURNS integer LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    key_column text;
    missing text[];
    clock_ids bigint[];
    closed integer;
BEGIN
    SELECT a.config ->> 'key_column' INTO key_column
    FROM @extschema@.attachment_configs AS a WHERE a.target = _sla_close_vanished.target;
    IF key_column IS NULL THEN
        RETURN 0;  -- clocks of a table detached by hand: nothing to ask
    END IF;
    missing := @extschema@._sla_keys_gone(target, key_column, keys);
    IF cardinality(missing) = 0 THEN
        RETURN 0;
    END IF;
    SELECT array_agg(d.id) INTO clock_ids FROM @extschema@.sla_clocks AS d
    WHERE d.target = _sla_close_vanished.target AND d.lead_key = ANY (missing) AND d.closed_at IS NULL;
    missing := @extschema@._sla_keys_gone(target, key_column, missing);
    IF clock_ids IS NULL OR cardinality(missing) = 0 THEN
        RETURN 0;
    END IF;
    WITH closing AS (
        UPDATE @extschema@.sla_clocks AS c
        SET status = CASE WHEN c.status = 'breached' OR c.due_at <= as_of THEN 'breached' ELSE 'cancelled' END,
            closed_at = as_of
        WHERE c.id IN (SELECT d.id FROM @extschema@.sla_clocks AS d
                       WHERE d.target = _sla_close_vanished.target AND d.lead_key = ANY (missing)
                         AND d.id = ANY (clock_ids) AND d.closed_at IS NULL
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

-- _rescore_statement reads leadscore's config tables, which roles other
-- than the extension's owner cannot read: until 0.6 rescore, and the
-- events trigger rescoring the leads of inserted events, failed for them
-- ("permission denied for table attachment_configs"). It now runs as the
-- owner; it only builds the statement (from the catalog and the configs),
-- which the caller runs with its own rights.
--
-- The UPDATE that rescores `leads` from all its events tables at `as_of`:
-- only the leads whose key is in `only_keys` (a query), or all of them.
CREATE OR REPLACE FUNCTION @extschema@._rescore_statement(leads regclass, only_keys text)
    RETURNS text LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
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

-- Partitioned events tables. leadscore's events triggers are statement
-- triggers (they read the statement's rows as a transition table), and
-- PostgreSQL clones row triggers onto partitions but not statement
-- triggers: until 0.6 rows inserted straight into a partition of an
-- attached events table (a loader writing to this month's partition)
-- rescored no lead and met no SLA clock until the next rescore. Now every
-- partition, present and future, carries a clone of each such trigger,
-- made as PostgreSQL makes its own clones (same name, tgparentid set): it
-- goes with the parent trigger and when the partition is detached, and
-- pg_dump leaves it out. The clone works
-- for the attached ancestor. Rows inserted through the parent fire only
-- the parent's trigger, as before.

-- The table whose trigger a (possibly cloned) trigger is: the relation
-- itself for an original, the table of the original trigger for a clone.
CREATE FUNCTION @extschema@._events_trigger_table(relation regclass, trigger_name name)
    RETURNS regclass LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- (PL/pgSQL keeps its plans for the session; a SQL function with a
    -- SET clause is planned at every call, and every INSERT into an
    -- events table calls this)
    RETURN (
        WITH RECURSIVE chain AS (
            SELECT t.tgrelid, t.tgparentid FROM pg_trigger AS t
            WHERE t.tgrelid = relation AND t.tgname = trigger_name
            UNION ALL
            SELECT p.tgrelid, p.tgparentid FROM chain AS c JOIN pg_trigger AS p ON p.oid = c.tgparentid)
        SELECT c.tgrelid::regclass FROM chain AS c WHERE c.tgparentid = 0);
END
$$;
COMMENT ON FUNCTION @extschema@._events_trigger_table(regclass, name) IS
    'internal: the attached events table an events trigger (or its clone on a partition) works for';

-- The leads table and lead column of an attached events table, for the
-- events trigger, which runs as the role inserting the events: that role
-- cannot read event_attachments (until 0.6 its INSERT failed on it).
CREATE FUNCTION @extschema@._events_attachment(events regclass, OUT leads regclass, OUT lead_column text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    SELECT x.leads, x.config ->> 'lead_column' INTO leads, lead_column FROM @extschema@.event_attachments AS x
    WHERE x.events = _events_attachment.events;
END
$$;
COMMENT ON FUNCTION @extschema@._events_attachment(regclass) IS
    'internal: the leads table and lead column of an attached events table, for its trigger';

CREATE FUNCTION @extschema@._clone_events_trigger(parent_trigger oid, partition regclass)
    RETURNS void AS 'MODULE_PATHNAME', 'clone_events_trigger'
    LANGUAGE C;
REVOKE ALL ON FUNCTION @extschema@._clone_events_trigger(oid, regclass) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._clone_events_trigger(oid, regclass) IS
    'internal: clones a statement trigger of a partitioned table onto one of its partitions, as PostgreSQL clones row triggers';

-- Clones the events triggers of `relation` and of its ancestors onto
-- `relation` (when it is a partition) and its partitions, where they lack
-- them; returns how many clones it made. Only leadscore's originals count,
-- whatever their name: the rescoring trigger of an attached events table,
-- and the SLA trigger (which only leadscore can create: EXECUTE on its
-- function is not granted). A partition's clone hangs from its parent's
-- clone (or the original), found through tgparentid, never by name, so a
-- trigger of the same name the application put on a partition is neither
-- cloned nor replaced (that partition, and its own partitions, get none).
-- Nothing else is looked at, so a DDL command on another tree costs a
-- catalog probe and takes no lock. SECURITY DEFINER: a role creating a
-- partition may not execute the SLA function. Foreign-table partitions
-- cannot have transition tables and get no clone. A clone starts with its
-- parent's enabled state; PostgreSQL 15 does not pass a later ALTER TABLE
-- ... ENABLE/DISABLE TRIGGER of the parent on to statement-trigger clones.
CREATE FUNCTION @extschema@._copy_events_triggers(relation regclass)
    RETURNS integer LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    original record;
    part record;
    parent_trigger oid;
    parent_name name;
    made integer := 0;
BEGIN
    FOR original IN
        SELECT t.oid, t.tgrelid FROM pg_trigger AS t
        WHERE t.tgrelid IN (SELECT relation UNION ALL SELECT a.relid FROM pg_partition_ancestors(relation) AS a)
          AND t.tgparentid = 0 AND NOT t.tgisinternal
          AND ((t.tgfoid = '@extschema@._events_inserted()'::regprocedure
                AND EXISTS (SELECT FROM @extschema@.event_attachments AS x WHERE x.events = t.tgrelid))
               OR t.tgfoid = '@extschema@._sla_events_inserted()'::regprocedure)
    LOOP
        FOR part IN
            SELECT d.relid, d.parentrelid FROM pg_partition_tree(relation) AS d
            JOIN pg_class AS c ON c.oid = d.relid
            WHERE d.parentrelid IS NOT NULL AND c.relkind IN ('r', 'p')
              AND d.relid <> original.tgrelid
            ORDER BY d.level
        LOOP
            -- the original, or its clone, on the partition's parent
            WITH RECURSIVE family AS (
                SELECT t.oid, t.tgrelid, t.tgname FROM pg_trigger AS t WHERE t.oid = original.oid
                UNION ALL
                SELECT t.oid, t.tgrelid, t.tgname FROM pg_trigger AS t JOIN family AS f ON t.tgparentid = f.oid)
            SELECT f.oid, f.tgname INTO parent_trigger, parent_name FROM family AS f WHERE f.tgrelid = part.parentrelid;
            CONTINUE WHEN parent_trigger IS NULL                   -- under a partition that got none
                OR EXISTS (SELECT FROM pg_trigger AS t             -- cloned already, or a name taken
                           WHERE t.tgrelid = part.relid AND (t.tgparentid = parent_trigger OR t.tgname = parent_name));
            PERFORM @extschema@._clone_events_trigger(parent_trigger, part.relid);
            made := made + 1;
        END LOOP;
    END LOOP;
    RETURN made;
END
$$;
REVOKE ALL ON FUNCTION @extschema@._copy_events_triggers(regclass) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._copy_events_triggers(regclass) IS
    'internal: clones leadscore''s events triggers of a table and its ancestors onto its partitions that lack them';

-- pg_upgrade (pg_dump --binary-upgrade) restores the extension's event
-- trigger after the tables' triggers, so the clones, which pg_dump leaves
-- out, are not made again: run this after pg_upgrade. (ALTER EXTENSION
-- UPDATE, attach and attach_events make them too.)
CREATE FUNCTION @extschema@.repair_partition_triggers()
    RETURNS integer LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(sum(@extschema@._copy_events_triggers(t.tgrelid)), 0)::integer
    FROM pg_trigger AS t
    WHERE t.tgparentid = 0 AND t.tgfoid IN ('@extschema@._events_inserted()'::regprocedure,
                                           '@extschema@._sla_events_inserted()'::regprocedure)
$$;
REVOKE ALL ON FUNCTION @extschema@.repair_partition_triggers() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.repair_partition_triggers() IS
    'clones leadscore''s events triggers onto every partition of partitioned events tables that lacks them (run after pg_upgrade); returns how many it made';

-- A partition created or attached, or an events trigger created (which
-- pg_restore does after the partitions exist, since pg_dump leaves the
-- clones out): the clones follow. (A detached partition loses its clones
-- to PostgreSQL itself.)
CREATE FUNCTION @extschema@._partitions_changed()
    RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    changed regclass;
BEGIN
    FOR changed IN
        SELECT DISTINCT r.oid FROM pg_event_trigger_ddl_commands() AS d
        JOIN pg_class AS r ON r.oid = CASE WHEN d.classid = 'pg_trigger'::regclass
                                           THEN (SELECT t.tgrelid FROM pg_trigger AS t WHERE t.oid = d.objid)
                                           ELSE d.objid END
        WHERE d.classid IN ('pg_class'::regclass, 'pg_trigger'::regclass) AND (r.relispartition OR r.relkind = 'p')
    LOOP
        PERFORM @extschema@._copy_events_triggers(changed);
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION @extschema@._partitions_changed() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._partitions_changed() IS
    'event trigger: clones leadscore''s events triggers onto new partitions of attached events tables';
CREATE EVENT TRIGGER leadscore_partitions_changed ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE', 'CREATE TRIGGER')
    EXECUTE FUNCTION @extschema@._partitions_changed();
COMMENT ON EVENT TRIGGER leadscore_partitions_changed IS
    'clones leadscore''s events triggers onto new partitions of attached events tables';

CREATE OR REPLACE FUNCTION @extschema@._events_inserted()
    RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    leads regclass;
    lead_column text;
    statement text;
BEGIN
    SELECT a.leads, a.lead_column INTO leads, lead_column
    FROM @extschema@._events_attachment(@extschema@._events_trigger_table(TG_RELID, TG_NAME)) AS a;
    IF leads IS NULL THEN
        RETURN NULL;  -- detached within this transaction
    END IF;
    statement := @extschema@._rescore_statement(
        leads, format('SELECT DISTINCT n.%I FROM leadscore_new_events AS n', lead_column));
    IF statement IS NOT NULL THEN
        EXECUTE statement USING pg_catalog.now();
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@._events_inserted() IS
    'internal: statement trigger on attached events tables (and cloned onto their partitions): rescores the leads of the inserted events';

-- Since 0.6 the events table's values are compared and counted as the
-- events table's owner (_query_as_owner): the key's input function, a
-- domain's CHECK and a cast of the type column are that owner's code, and
-- until 0.6 they ran here as the extension's owner, a superuser. What runs
-- here as the extension's owner reads the new rows' keys only through
-- their type's output function, as the clocks store them.
CREATE FUNCTION @extschema@._query_as_owner(target regclass, statement text, arguments jsonb)
    RETURNS jsonb AS 'MODULE_PATHNAME', 'query_as_owner'
    LANGUAGE C;
REVOKE ALL ON FUNCTION @extschema@._query_as_owner(regclass, text, jsonb) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._query_as_owner(regclass, text, jsonb) IS
    'internal: runs leadscore''s query of a CRM table as the table''s owner, arguments and answer as jsonb';

-- The attached table an SLA events trigger works for. The trigger records
-- the table's OID, which a dump and restore changes (the trigger then
-- named a table that did not exist, or another one, and no activity met a
-- clock after a restore). It is now the table attached with SLA policies
-- of these names met by these events: the recorded one when it is such a
-- table, else the only one.
CREATE FUNCTION @extschema@._sla_events_target(recorded oid, events regclass, policies jsonb)
    RETURNS regclass LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (
        SELECT CASE WHEN bool_or(c.target = recorded) THEN recorded::regclass
                    WHEN count(*) = 1 THEN min(c.target::oid)::regclass END
        FROM (SELECT a.target FROM @extschema@.attachment_configs AS a
              WHERE NOT EXISTS (
                  SELECT FROM jsonb_array_elements(policies) AS p
                  WHERE NOT EXISTS (
                      SELECT FROM jsonb_array_elements(a.config -> 'sla' -> 'policies') AS q
                      WHERE q ->> 'name' = p ->> 'name' AND to_regclass(q -> 'met_by' ->> 'events') = events))) AS c);
END
$$;
COMMENT ON FUNCTION @extschema@._sla_events_target(oid, regclass, jsonb) IS
    'internal: the attached table an SLA events trigger works for (found again by its policies after a restore)';

CREATE OR REPLACE FUNCTION @extschema@._sla_events_inserted()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    events regclass := @extschema@._events_trigger_table(TG_RELID, TG_NAME);
    leads_table regclass := @extschema@._sla_events_target(TG_ARGV[0]::oid, events, TG_ARGV[1]::jsonb);
    rule jsonb;
    met_by jsonb;
    lead_keys text[];
    clocks jsonb;
    met jsonb;
    met_keys text[];
    all_keys text[] := '{}';
BEGIN
    IF events IS NULL OR leads_table IS NULL THEN
        RETURN NULL;  -- (a trigger renamed by hand, or left by a table detached since)
    END IF;
    FOR rule IN SELECT p FROM jsonb_array_elements(TG_ARGV[1]::jsonb) AS p LOOP
        met_by := rule -> 'met_by';
        -- The policy's open clocks of the new rows' leads (a char(n) lead
        -- column's value also without its padding, as a text key has it;
        -- the count below compares keys exactly). They are locked: another
        -- transaction adding activity for the same lead waits, and then
        -- counts this one's rows too (a fresh snapshot, READ COMMITTED).
        -- (The keys first, as an array: the clocks are then found through
        -- their (target, lead_key) index, never by reading every open
        -- clock of the table.)
        EXECUTE format('SELECT array_agg(DISTINCT k.lead_key) '
                       'FROM leadscore_new_events AS n, '
                       '     LATERAL (VALUES (format(''%%s'', n.%1$I)), (rtrim(format(''%%s'', n.%1$I)))) AS k(lead_key)',
                       met_by ->> 'lead_column')
            INTO lead_keys;
        SELECT jsonb_agg(jsonb_build_array(o.id, o.lead_key, o.started_at)) INTO clocks
        FROM (SELECT c.id, c.lead_key, c.started_at FROM @extschema@.sla_clocks AS c
              WHERE c.target = leads_table AND c.policy = rule ->> 'name'
                AND c.closed_at IS NULL AND c.lead_key = ANY (lead_keys)
              ORDER BY c.id FOR NO KEY UPDATE) AS o;
        CONTINUE WHEN clocks IS NULL;
        -- Each one's at_least-th qualifying row since it started, if any.
        -- An events table its owner cannot read leaves the clocks open
        -- (the INSERT goes through) and says so. (Checked first rather
        -- than caught: a subtransaction per INSERT cost more than the count.)
        IF NOT EXISTS (SELECT FROM pg_class AS r
                       WHERE r.oid = events AND has_table_privilege(r.relowner, r.oid, 'SELECT')
                         AND has_schema_privilege(r.relowner, r.relnamespace, 'USAGE')) THEN
            RAISE WARNING 'leadscore cannot count the activity in % for SLA policy %: its owner cannot read it',
                events, to_json(rule ->> 'name')
                USING HINT = 'The clocks stay open until the owner can read the table and activity is added again.';
            CONTINUE;
        END IF;
        met := @extschema@._query_as_owner(events, format(
            'SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(c.id, c.met)) '
            'FROM (SELECT x OPERATOR(pg_catalog.->>) 0 AS id, '
            '             (SELECT e.%2$I FROM %1$s AS e '
            '              WHERE %3$s AND e.%2$I OPERATOR(pg_catalog.>=) (x OPERATOR(pg_catalog.->>) 2)::pg_catalog.timestamptz %4$s '
            '              ORDER BY e.%2$I OFFSET ($1 OPERATOR(pg_catalog.->>) ''at_least'')::pg_catalog.int8 OPERATOR(pg_catalog.-) 1 '
            '              LIMIT 1) AS met '
            '      FROM pg_catalog.jsonb_array_elements($1 OPERATOR(pg_catalog.->) ''clocks'') AS x) AS c '
            'WHERE c.met IS NOT NULL',
            events, met_by ->> 'time_column',
            @extschema@._key_match(events, met_by ->> 'lead_column', 'e', 'x OPERATOR(pg_catalog.->>) 1'),
            CASE WHEN met_by -> 'types' <> 'null'::jsonb
                 THEN format('AND e.%I::pg_catalog.text IN (SELECT pg_catalog.jsonb_array_elements_text($1 OPERATOR(pg_catalog.->) ''types''))',
                             met_by ->> 'type_column')
                 ELSE '' END),
            jsonb_build_object('clocks', clocks, 'at_least', (met_by ->> 'at_least')::int, 'types', met_by -> 'types'));
        CONTINUE WHEN met IS NULL;
        WITH closing AS (
            UPDATE @extschema@.sla_clocks AS c
            SET met_at = m.met, status = CASE WHEN m.met <= c.due_at THEN 'met' ELSE 'met_late' END, closed_at = now()
            FROM (SELECT (x ->> 0)::bigint AS id, (x ->> 1)::timestamptz AS met FROM jsonb_array_elements(met) AS x) AS m
            WHERE c.id = m.id AND c.closed_at IS NULL
            RETURNING c.lead_key)
        SELECT coalesce(array_agg(DISTINCT lead_key), '{}') INTO met_keys FROM closing;
        all_keys := all_keys || met_keys;
    END LOOP;
    PERFORM @extschema@._sla_write_lead_columns(leads_table, all_keys);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@._sla_events_inserted() IS
    'internal: statement trigger closing SLA clocks met by activity rows (cloned onto the partitions of a partitioned events table; SECURITY DEFINER: the CRM''s role needs no rights on sla_clocks)';

CREATE OR REPLACE FUNCTION @extschema@._attach_sla(target regclass, normalised jsonb)
    RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- (drops the table's SLA triggers first, these included)
    PERFORM @extschema@._attach_sla_policies(target, normalised);
    IF normalised ? 'sla' THEN
        PERFORM @extschema@._create_sla_deletion_triggers(target);
    END IF;
    -- (onto the partitions of partitioned events tables)
    PERFORM @extschema@._copy_events_triggers(t.tgrelid) FROM pg_trigger AS t
    WHERE t.tgname = format('zz_leadscore_sla_events_%s', target::oid) AND t.tgparentid = 0;
END
$$;
COMMENT ON FUNCTION @extschema@._attach_sla(regclass, jsonb) IS
    'internal: checks an attach config''s SLA calendars and events tables, and creates the SLA triggers (cloned onto partitions)';

-- attach_events clones the new trigger onto the partitions. (plpgsql
-- without SET search_path, as the SQL function was: the leads table's name
-- is resolved in the caller's search_path; every other name is qualified.)
CREATE OR REPLACE FUNCTION @extschema@.attach_events(events regclass, config jsonb)
    RETURNS jsonb LANGUAGE plpgsql
AS $$
DECLARE
    normalised jsonb;
BEGIN
    normalised := @extschema@._attach_events(
        events,
        CASE WHEN pg_catalog.jsonb_typeof(config OPERATOR(pg_catalog.->) 'leads') OPERATOR(pg_catalog.=) 'string'
             THEN (config OPERATOR(pg_catalog.->>) 'leads')::pg_catalog.regclass END,
        config);
    PERFORM @extschema@._copy_events_triggers(events);
    RETURN normalised;
END
$$;

-- Existing partitioned events tables get their clones now.
SELECT @extschema@.repair_partition_triggers() AS clones_made;

-- rescore_in_batches read the key column from attachment_configs, which
-- only the extension's owner can read: it failed for every other role.
CREATE FUNCTION @extschema@._key_column(target regclass)
    RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT a.config ->> 'key_column' FROM @extschema@.attachment_configs AS a WHERE a.target = _key_column.target
$$;
COMMENT ON FUNCTION @extschema@._key_column(regclass) IS
    'internal: the key column of an attached table, for roles that cannot read attachment_configs';
CREATE OR REPLACE PROCEDURE @extschema@.rescore_in_batches(target regclass, batch_size integer DEFAULT 10000,
                                                as_of timestamptz DEFAULT pg_catalog.now(),
                                                INOUT rescored bigint DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
    key text;
    key_type text;
    low text;
    high text;
    statement text;
    updated bigint;
BEGIN
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    IF target IS NULL THEN
        RAISE EXCEPTION 'leadscore.rescore_in_batches needs a table, got NULL'
            USING ERRCODE = '22004', HINT = 'Example: CALL leadscore.rescore_in_batches(''crm.contacts'');';
    END IF;
    IF batch_size IS NULL OR batch_size < 1 THEN
        RAISE EXCEPTION 'leadscore.rescore_in_batches needs a positive batch size, got %', coalesce(batch_size::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'Rescore some thousands of leads per transaction, e.g. 10000 (the default).';
    END IF;
    IF as_of IS NULL OR NOT isfinite(as_of) THEN
        RAISE EXCEPTION 'leadscore.rescore_in_batches needs a finite as_of, got %', coalesce(as_of::text, 'NULL')
            USING ERRCODE = CASE WHEN as_of IS NULL THEN '22004' ELSE '22008' END,
                  HINT = 'Score at a point in time, e.g. now() (the default).';
    END IF;
    -- (raises 55000 for a table not attached with a model)
    IF @extschema@._rescore_statement(target, NULL) IS NULL THEN
        rescored := 0;
        RETURN;
    END IF;
    SELECT format('%I', k.key_column), @extschema@._column_type(rescore_in_batches.target, k.key_column)
      INTO key, key_type
      FROM @extschema@._key_column(rescore_in_batches.target) AS k(key_column);
    rescored := 0;
    LOOP
        -- The next batch's last key (keys compare in their own type).
        -- (EXECUTE plans with the values known, so "$1 IS NULL" folds away)
        EXECUTE format('SELECT max(b.k)::text FROM (SELECT l.%1$s AS k FROM %2$s AS l '
                       'WHERE l.%1$s IS NOT NULL AND ($1 IS NULL OR l.%1$s > $1::%3$s) '
                       'ORDER BY l.%1$s LIMIT $2) AS b', key, target, key_type)
            INTO high USING low, batch_size;
        EXIT WHEN high IS NULL;
        statement := @extschema@._rescore_statement(target, format(
            'SELECT b.%1$s FROM %2$s AS b WHERE %3$sb.%1$s <= %4$L::%5$s', key, target,
            CASE WHEN low IS NULL THEN '' ELSE format('b.%s > %L::%s AND ', key, low, key_type) END,
            high, key_type));
        EXECUTE statement USING as_of;
        GET DIAGNOSTICS updated = ROW_COUNT;
        rescored := rescored + updated;
        low := high;
        COMMIT;
        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    END LOOP;
END
$$;

-- attachments.triggers_present counted the table's zz_leadscore_ triggers
-- and expected 3: a table attached with SLA policies (which adds the SLA
-- triggers) always showed false. It now checks the three lifecycle
-- triggers, and with SLA policies the two that close deleted leads' clocks.
CREATE OR REPLACE VIEW @extschema@.attachments AS
SELECT a.target,
       a.config ->> 'stage_column' AS stage_column,
       a.config ->> 'key_column' AS key_column,
       a.config ->> 'mode' AS mode,
       a.config,
       a.attached_at,
       a.attached_by,
       (SELECT count(*) FROM pg_catalog.pg_trigger AS t
        WHERE t.tgrelid = a.target
          AND t.tgname OPERATOR(pg_catalog.=) ANY (CASE WHEN a.config ? 'sla'
              THEN '{zz_leadscore_before_insert, zz_leadscore_before_update, zz_leadscore_after_insert,
                     zz_leadscore_sla_deleted, zz_leadscore_sla_truncated}'::pg_catalog.name[]
              ELSE '{zz_leadscore_before_insert, zz_leadscore_before_update, zz_leadscore_after_insert}'::pg_catalog.name[] END))
       OPERATOR(pg_catalog.=) CASE WHEN a.config ? 'sla' THEN 5 ELSE 3 END AS triggers_present
FROM @extschema@.attachment_configs AS a;
