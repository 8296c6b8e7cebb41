-- leadscore: SLA policies, their clocks, the sweep and the compliance report.
-- Concatenated into leadscore--<version>.sql by the Makefile (SQL_SOURCES), after
-- the files whose objects it uses.

------------------------------------------------------------------------------
-- SLA clocks: attach's "sla" key (policies on stage entries, measured in a
-- calendar's business time), the clocks, the sweep and the report.
------------------------------------------------------------------------------
CREATE TABLE @extschema@.sla_clocks (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target regclass NOT NULL,
    lead_key text NOT NULL,
    policy text NOT NULL,
    stage @extschema@.lifecycle_stage NOT NULL,
    calendar text NOT NULL,
    started_at timestamptz NOT NULL,
    warn_at timestamptz NOT NULL,
    due_at timestamptz NOT NULL,
    met_at timestamptz,
    closed_at timestamptz,
    status text NOT NULL DEFAULT 'running'
        CHECK (status IN ('running', 'warned', 'met', 'met_late', 'breached', 'cancelled')),
    owner text,
    source text,
    CHECK (warn_at <= due_at AND started_at <= due_at)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sla_clocks', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sla_clocks_id_seq', '');
-- The sweep reads only what is due (or warns) by as_of: with nothing due it
-- is one empty index probe.
CREATE INDEX sla_clocks_due ON @extschema@.sla_clocks (due_at) WHERE status IN ('running', 'warned');
CREATE INDEX sla_clocks_warn ON @extschema@.sla_clocks (warn_at) WHERE status = 'running';
CREATE INDEX sla_clocks_open ON @extschema@.sla_clocks (target, lead_key) WHERE closed_at IS NULL;
CREATE INDEX sla_clocks_started ON @extschema@.sla_clocks USING brin (started_at);
ALTER TABLE @extschema@.sla_clocks ENABLE ROW LEVEL SECURITY;
CREATE POLICY readers_of_the_table ON @extschema@.sla_clocks FOR SELECT
    USING (pg_catalog.has_table_privilege(target, 'SELECT'));
GRANT SELECT ON @extschema@.sla_clocks TO PUBLIC;
COMMENT ON TABLE @extschema@.sla_clocks IS
    'one row per lead, SLA policy and stage entry: when the clock started, warns and is due, when it was met, and its status (running, warned, met, met_late, breached, cancelled)';
COMMENT ON SEQUENCE @extschema@.sla_clocks_id_seq IS 'identity of leadscore.sla_clocks rows';
COMMENT ON POLICY readers_of_the_table ON @extschema@.sla_clocks IS
    'a role sees the SLA clocks of the tables it may read';

-- The lead's SLA columns (due_column, breached_column) from its open clocks.
CREATE FUNCTION @extschema@._sla_lead_columns(target regclass, lead_key text)
    RETURNS TABLE (next_due timestamptz, breached boolean)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT min(c.due_at) FILTER (WHERE c.status IN ('running', 'warned')),
           coalesce(bool_or(c.status = 'breached'), false)
    FROM @extschema@.sla_clocks AS c
    WHERE c.target = _sla_lead_columns.target AND c.lead_key = _sla_lead_columns.lead_key
      AND c.closed_at IS NULL
$$;
COMMENT ON FUNCTION @extschema@._sla_lead_columns(regclass, text) IS
    'internal: the earliest due time of a lead''s running clocks and whether an open clock breached';

-- The CRM table is written as its owner, in a security-restricted operation
-- (its triggers are its owner's code, not the superuser's).
CREATE FUNCTION @extschema@._update_as_owner(target regclass, statement text, keys text[],
                                             dues timestamptz[], breaches boolean[])
    RETURNS bigint AS 'MODULE_PATHNAME', 'update_as_owner'
    LANGUAGE C;
REVOKE ALL ON FUNCTION @extschema@._update_as_owner(regclass, text, text[], timestamptz[], boolean[]) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._update_as_owner(regclass, text, text[], timestamptz[], boolean[]) IS
    'internal: runs leadscore''s UPDATE of a CRM table''s SLA columns as the table''s owner';

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
REVOKE ALL ON FUNCTION @extschema@._sla_write_lead_columns(regclass, text[]) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._sla_write_lead_columns(regclass, text[]) IS
    'internal: writes the due and breached columns of the given leads from their open SLA clocks; queues rows held by another transaction for the next sweep';

-- The met-column trigger function (C++). Triggers created by earlier
-- versions' attach call it by OID and keep working; it reads the attachment's
-- config from the table's lifecycle trigger, not from its own arguments.
-- Not SECURITY DEFINER: it writes sla_clocks as the extension's owner
-- itself, and reads the row as the invoking user. EXECUTE stays revoked
-- from PUBLIC, so no role can put it on a table of its own.
CREATE OR REPLACE FUNCTION @extschema@._sla_column_set()
    RETURNS trigger AS 'MODULE_PATHNAME', 'sla_column_set'
    LANGUAGE C;
REVOKE ALL ON FUNCTION @extschema@._sla_column_set() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._sla_column_set() IS
    'internal: trigger closing SLA clocks met by a column being set, and refreshing the row''s SLA columns';

-- The SLA activity trigger, in C++ (src/pg/sla/sla_activity.cpp): the open
-- clocks of the new rows' leads locked, their activity counted as the
-- events table's owner with a statement prepared once per backend, the
-- clocks met closed, the leads' SLA columns written.
CREATE OR REPLACE FUNCTION @extschema@._sla_events_inserted()
    RETURNS trigger AS 'MODULE_PATHNAME', 'sla_events_inserted'
    LANGUAGE C;
REVOKE ALL ON FUNCTION @extschema@._sla_events_inserted() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._sla_events_inserted() IS
    'internal: statement trigger closing SLA clocks met by activity rows (cloned onto the partitions of a partitioned events table); it writes sla_clocks as their owner itself, so the CRM''s role needs no rights on them';

CREATE OR REPLACE FUNCTION @extschema@._drop_sla_triggers(target regclass)
    RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    found record;
BEGIN
    FOR found IN
        SELECT t.tgname, t.tgrelid::regclass AS relation FROM pg_trigger AS t
        WHERE NOT t.tgisinternal AND t.tgparentid = 0
          AND (t.tgname = format('zz_leadscore_sla_events_%s', target::oid)
               OR (t.tgrelid = target AND t.tgname IN ('zz_leadscore_sla_met', 'zz_leadscore_sla_deleted',
                                                       'zz_leadscore_sla_truncated')))
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', found.tgname, found.relation);
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@._drop_sla_triggers(regclass) IS
    'internal: drops the SLA triggers leadscore.attach created for a table';

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
REVOKE ALL ON FUNCTION @extschema@.sla_sweep(timestamptz) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.sla_sweep(timestamptz) IS
    'flags SLA clocks due by as_of with no met event as breached and those past their warning point as warned, notifies, closes unannounced the clocks of leads no longer in their table, and returns how many clocks changed; safe to run concurrently (schedule it with pg_cron every minute; EXECUTE is granted, not public)';

-- Compliance per period of clock start, table and policy, overall and by
-- owner and by source: response times in business time, speed-to-lead
-- bands (seed 000: within 5 minutes, 30 minutes, 1 hour, 2 business hours).
CREATE FUNCTION @extschema@.sla_compliance(target regclass DEFAULT NULL, since timestamptz DEFAULT NULL,
                                           period text DEFAULT 'month')
    RETURNS TABLE (period_start timestamptz, target_table regclass, policy text, dimension text, value text,
                   clocks bigint, met bigint, met_late bigint, breached bigint, cancelled bigint, open bigint,
                   compliance numeric, median_response interval, mean_response interval,
                   within_5_minutes numeric, within_30_minutes numeric, within_1_hour numeric,
                   within_2_business_hours numeric)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF period IS NULL OR period NOT IN ('day', 'week', 'month', 'quarter', 'year') THEN
        RAISE EXCEPTION 'sla_compliance: unknown period %', coalesce(to_json(period)::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use day, week, month, quarter or year.';
    END IF;
    IF target IS NOT NULL AND NOT EXISTS (SELECT FROM @extschema@.attachment_configs AS a
                                          WHERE a.target = sla_compliance.target AND a.config ? 'sla') THEN
        RAISE EXCEPTION 'table % is not attached with SLA policies', target
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Attach it with an "sla" key, e.g. {"sla": {"calendar": ..., "policies": [...]}}.';
    END IF;
    RETURN QUERY
    WITH clocks AS (
        SELECT c.*, date_trunc(period, c.started_at) AS bucket,
               -- (no response time for clocks of a calendar dropped since)
               CASE WHEN c.met_at IS NOT NULL AND EXISTS (SELECT FROM @extschema@.calendars AS k WHERE k.name = c.calendar)
                    THEN @extschema@.business_diff(c.calendar, c.started_at, c.met_at) END AS response
        FROM @extschema@.sla_clocks AS c
        WHERE (sla_compliance.target IS NULL OR c.target = sla_compliance.target)
          AND (since IS NULL OR c.started_at >= since))
    SELECT c.bucket, c.target, c.policy,
           CASE WHEN GROUPING(c.owner) = 0 THEN 'owner' WHEN GROUPING(c.source) = 0 THEN 'source' ELSE 'all' END,
           CASE WHEN GROUPING(c.owner) = 0 THEN c.owner WHEN GROUPING(c.source) = 0 THEN c.source END,
           count(*), count(*) FILTER (WHERE c.status = 'met'), count(*) FILTER (WHERE c.status = 'met_late'),
           count(*) FILTER (WHERE c.status = 'breached'), count(*) FILTER (WHERE c.status = 'cancelled'),
           count(*) FILTER (WHERE c.status IN ('running', 'warned')),
           round(count(*) FILTER (WHERE c.status = 'met')::numeric
                 / nullif(count(*) FILTER (WHERE c.status IN ('met', 'met_late', 'breached')), 0), 4),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY c.response),
           avg(c.response),
           round(avg((c.met_at - c.started_at <= interval '5 minutes')::int) FILTER (WHERE c.met_at IS NOT NULL), 4),
           round(avg((c.met_at - c.started_at <= interval '30 minutes')::int) FILTER (WHERE c.met_at IS NOT NULL), 4),
           round(avg((c.met_at - c.started_at <= interval '1 hour')::int) FILTER (WHERE c.met_at IS NOT NULL), 4),
           round(avg((c.response <= interval '2 hours')::int) FILTER (WHERE c.met_at IS NOT NULL), 4)
    FROM clocks AS c
    GROUP BY GROUPING SETS ((c.bucket, c.target, c.policy), (c.bucket, c.target, c.policy, c.owner),
                            (c.bucket, c.target, c.policy, c.source))
    ORDER BY 1, 2, 3, 4, 5;
END
$$;
COMMENT ON FUNCTION @extschema@.sla_compliance(regclass, timestamptz, text) IS
    'SLA compliance per period (of clock start), table and policy, overall (dimension all) and by owner and source: clock counts by status, share met in time among decided clocks, median and mean response in business time, and speed-to-lead bands';

-- The CRM rows whose SLA columns a write had to skip (another transaction
-- held the row: waiting could deadlock). The next sweep writes them again
-- (and queues them again if still held), so that no row keeps a stale
-- breached flag until its own next change.
CREATE TABLE @extschema@.sla_unwritten_rows (
    target regclass NOT NULL,
    lead_key text NOT NULL,
    since timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (target, lead_key)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sla_unwritten_rows', '');
ALTER TABLE @extschema@.sla_unwritten_rows ENABLE ROW LEVEL SECURITY;
CREATE POLICY readers_of_the_table ON @extschema@.sla_unwritten_rows FOR SELECT
    USING (pg_catalog.has_table_privilege(target, 'SELECT'));
GRANT SELECT ON @extschema@.sla_unwritten_rows TO PUBLIC;
COMMENT ON TABLE @extschema@.sla_unwritten_rows IS
    'CRM rows whose SLA columns leadscore could not write (the row was locked); the next sla_sweep writes them';
COMMENT ON POLICY readers_of_the_table ON @extschema@.sla_unwritten_rows IS
    'a role sees the queued SLA column writes of the tables it may read';

-- A lead deleted from an attached table closes its open clocks, as if it
-- had left its stage unmet: breached when they already were or are past
-- due, else cancelled (else the sweep would breach them later and notify
-- sales about a lead that no longer exists).

-- Row by row, in C++ (the key read as the invoking user, the clocks written
-- as the extension's owner). EXECUTE revoked from PUBLIC, so no role can
-- put it on a table of its own.
CREATE FUNCTION @extschema@._sla_lead_deleted()
    RETURNS trigger AS 'MODULE_PATHNAME', 'sla_lead_deleted'
    LANGUAGE C;
REVOKE ALL ON FUNCTION @extschema@._sla_lead_deleted() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._sla_lead_deleted() IS
    'internal: trigger closing a deleted lead''s open SLA clocks (breached when past due, else cancelled)';

-- A TRUNCATE removes every lead of the table at once (no row triggers
-- fire): all its open clocks close, and its queued row writes go.
CREATE FUNCTION @extschema@._sla_table_truncated()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    UPDATE @extschema@.sla_clocks AS c
    SET status = CASE WHEN c.status = 'breached' OR c.due_at < now() THEN 'breached' ELSE 'cancelled' END,
        closed_at = now()
    WHERE c.target = TG_RELID AND c.closed_at IS NULL;
    DELETE FROM @extschema@.sla_unwritten_rows AS w WHERE w.target = TG_RELID;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION @extschema@._sla_table_truncated() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._sla_table_truncated() IS
    'internal: statement trigger closing all open SLA clocks of a truncated table (SECURITY DEFINER: the CRM''s role needs no rights on sla_clocks)';

-- The two triggers, on a table attached with SLA policies. (A row trigger
-- on a partitioned table is cloned onto its partitions; a TRUNCATE of one
-- partition alone fires no trigger of the parent, so its clocks stay open.)
CREATE FUNCTION @extschema@._create_sla_deletion_triggers(target regclass)
    RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER zz_leadscore_sla_deleted AFTER DELETE ON %s FOR EACH ROW '
                   'EXECUTE FUNCTION @extschema@._sla_lead_deleted()', target);
    EXECUTE format('CREATE TRIGGER zz_leadscore_sla_truncated AFTER TRUNCATE ON %s FOR EACH STATEMENT '
                   'EXECUTE FUNCTION @extschema@._sla_table_truncated()', target);
END
$$;
COMMENT ON FUNCTION @extschema@._create_sla_deletion_triggers(regclass) IS
    'internal: creates the triggers that close the SLA clocks of deleted leads and truncated tables';

-- Checks what the core cannot see (calendars, events tables and their
-- columns) and creates the SLA triggers.
CREATE FUNCTION @extschema@._attach_sla_policies(target regclass, normalised jsonb)
    RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    sla jsonb := normalised -> 'sla';
    policy jsonb;
    i integer := 0;
    events regclass;
    met_columns text[] := '{}';
    events_tables jsonb := '{}';
    table_name text;
    column_key text;
BEGIN
    PERFORM @extschema@._drop_sla_triggers(target);
    IF sla IS NULL THEN
        RETURN;
    END IF;
    FOR policy IN SELECT p FROM jsonb_array_elements(sla -> 'policies') AS p LOOP
        IF NOT EXISTS (SELECT FROM @extschema@.calendars AS c WHERE c.name = policy ->> 'calendar') THEN
            RAISE EXCEPTION 'invalid leadscore.attach config at sla.policies[%].calendar: calendar % does not exist',
                    i, to_json(policy ->> 'calendar')
                USING ERRCODE = 'undefined_object',
                      HINT = 'Defined calendars: ' || coalesce((SELECT string_agg(to_json(c.name)::text, ', ' ORDER BY c.name)
                                                                FROM @extschema@.calendars AS c), 'none')
                             || '. Define one with leadscore.define_calendar(name, definition).';
        END IF;
        IF policy -> 'met_by' ? 'column' THEN
            met_columns := met_columns || (policy -> 'met_by' ->> 'column');
        ELSIF policy -> 'met_by' ? 'events' THEN
            events := to_regclass(policy -> 'met_by' ->> 'events');
            IF events IS NULL THEN
                RAISE EXCEPTION 'invalid leadscore.attach config at sla.policies[%].met_by.events: table % does not exist',
                        i, to_json(policy -> 'met_by' ->> 'events')
                    USING ERRCODE = 'undefined_table',
                          HINT = 'Name the events table with its schema, e.g. "crm.activities".';
            END IF;
            FOREACH column_key IN ARRAY ARRAY['lead_column', 'time_column', 'type_column'] LOOP
                IF policy -> 'met_by' ->> column_key IS NOT NULL
                   AND @extschema@._column_type(events, policy -> 'met_by' ->> column_key) IS NULL THEN
                    RAISE EXCEPTION 'invalid leadscore.attach config at sla.policies[%].met_by.%: column % does not exist in %',
                            i, column_key, to_json(policy -> 'met_by' ->> column_key), events
                        USING ERRCODE = 'undefined_column',
                              HINT = 'Column names are case-sensitive, as in quoted SQL identifiers.';
                END IF;
            END LOOP;
            -- (with the type the lead's key is compared in, so the events
            -- table's index on its lead column serves the count)
            events_tables := jsonb_set(events_tables, ARRAY[events::oid::text],
                                       coalesce(events_tables -> (events::oid::text), '[]')
                                       || jsonb_build_array(policy || jsonb_build_object(
                                              'lead_type', @extschema@._column_type(events, policy -> 'met_by' ->> 'lead_column'))));
        END IF;
        i := i + 1;
    END LOOP;
    IF cardinality(met_columns) > 0 THEN
        EXECUTE format('CREATE TRIGGER zz_leadscore_sla_met BEFORE UPDATE OF %s ON %s FOR EACH ROW '
                       'WHEN (%s) EXECUTE FUNCTION @extschema@._sla_column_set(%L, %L, %L)',
                       (SELECT string_agg(DISTINCT format('%I', c), ', ') FROM unnest(met_columns) AS c),
                       target,
                       (SELECT string_agg(DISTINCT format('OLD.%1$I IS DISTINCT FROM NEW.%1$I', c), ' OR ')
                        FROM unnest(met_columns) AS c),
                       target::oid, normalised ->> 'key_column', sla);
    END IF;
    FOR table_name IN SELECT jsonb_object_keys(events_tables) LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %s REFERENCING NEW TABLE AS leadscore_new_events '
                       'FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._sla_events_inserted(%L, %L)',
                       format('zz_leadscore_sla_events_%s', target::oid), table_name::oid::regclass,
                       target::oid, events_tables -> table_name);
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@._attach_sla_policies(regclass, jsonb) IS
    'internal: checks an attach config''s SLA calendars and events tables, and creates the triggers that meet SLA clocks';

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

-- A deleted, truncated or dropped lead closes its clocks. Some ways out of
-- a table fire none of those triggers: dropping, detaching or
-- truncating one partition of a partitioned table, a row moved into a
-- foreign-table partition, and writes under session_replication_role =
-- replica (a logical replication subscriber applies its publisher's
-- DELETEs so). Their clocks would stay open, and the sweep would breach and
-- announce leads that are no longer there. So the sweep first asks the
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

CREATE OR REPLACE FUNCTION @extschema@._key_comparison(target regclass, key_column text, row_alias text, stored_key text)
    RETURNS text LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    equality text := @extschema@._key_operator(target, key_column, 3);
BEGIN
    IF equality IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN format('%I.%I %s (%s)::%s', row_alias, key_column, equality, stored_key,
                  @extschema@._column_type(target, key_column));
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

-- The attached table an SLA events trigger works for. The trigger records
-- the table's OID, which a dump and restore changes (the trigger would
-- name a table that does not exist, or another one, and no activity would
-- meet a clock after a restore). So it is the table attached with SLA policies
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
