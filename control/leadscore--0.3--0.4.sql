-- leadscore 0.4: SLA clocks written by the C++ triggers.
\echo Use "ALTER EXTENSION leadscore UPDATE TO '0.4'" to load this file. \quit

-- The lifecycle trigger closes and starts a lead's SLA clocks itself, with
-- prepared statements run as the extension's owner: the PL/pgSQL it called
-- per stage change (and its jsonb timestamp helper) is gone.
DROP FUNCTION @extschema@._sla_stage_changed(regclass, text, @extschema@.lifecycle_stage,
                                             @extschema@.lifecycle_stage, boolean, jsonb, timestamptz);

-- The met-column trigger function, now in C++. Triggers created by earlier
-- attach calls call it by OID and keep working; it reads the attachment's
-- config from the table's lifecycle trigger, not from its own arguments.
-- Not SECURITY DEFINER: it writes sla_clocks as the extension's owner
-- itself, and reads the row as the invoking user. EXECUTE stays revoked
-- from PUBLIC, so no role can put it on a table of its own.
CREATE OR REPLACE FUNCTION @extschema@._sla_column_set()
    RETURNS trigger AS 'MODULE_PATHNAME', 'sla_column_set'
    LANGUAGE C;
COMMENT ON FUNCTION @extschema@._sla_column_set() IS
    'internal: trigger closing SLA clocks met by a column being set, and refreshing the row''s SLA columns';

DROP FUNCTION @extschema@._json_timestamp(jsonb);

-- The CRM rows whose SLA columns a write had to skip (another transaction
-- held the row: waiting could deadlock). Until 0.4 such a row kept a stale
-- breached flag until its own next stage or met-column change; now the next
-- sweep writes it again (and queues it again if it is still held).
CREATE TABLE @extschema@.sla_unwritten_rows (
    target regclass NOT NULL,
    lead_key text NOT NULL,
    since timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (target, lead_key)
);
COMMENT ON TABLE @extschema@.sla_unwritten_rows IS
    'CRM rows whose SLA columns leadscore could not write (the row was locked); the next sla_sweep writes them';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sla_unwritten_rows', '');

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
    -- The key compares in its own type, so the table's key index is used.
    written := @extschema@._update_as_owner(target, format(
        'WITH locked AS (SELECT l.ctid AS row_id, u.next_due, u.breached '
        '                FROM %1$s AS l JOIN unnest($1, $2, $3) AS u(lead_key, next_due, breached) '
        '                  ON l.%2$I = u.lead_key::%3$s FOR UPDATE OF l SKIP LOCKED) '
        'UPDATE %1$s AS t SET %4$s FROM locked WHERE t.ctid = locked.row_id',
        target, config ->> 'key_column', @extschema@._column_type(target, config ->> 'key_column')::regtype,
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
COMMENT ON FUNCTION @extschema@._sla_write_lead_columns(regclass, text[]) IS
    'internal: writes the due and breached columns of the given leads from their open SLA clocks; queues rows held by another transaction for the next sweep';

CREATE OR REPLACE FUNCTION @extschema@.sla_sweep(as_of timestamptz DEFAULT now())
    RETURNS integer LANGUAGE plpgsql
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
