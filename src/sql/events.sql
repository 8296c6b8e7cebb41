-- leadscore: Events tables: rescoring on insert, rescore, partitions of events tables.
-- Concatenated into leadscore--<version>.sql by the Makefile (SQL_SOURCES), after
-- the files whose objects it uses.

------------------------------------------------------------------------------
-- Events tables: every insert rescores its leads at once; rescore() does the
-- whole table (decay, caps and inactivity move with time: run it nightly).
------------------------------------------------------------------------------
CREATE TABLE @extschema@.event_attachments (
    events regclass PRIMARY KEY,
    leads regclass NOT NULL REFERENCES @extschema@.attachment_configs (target) ON DELETE CASCADE,
    config jsonb NOT NULL,
    attached_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    attached_by name NOT NULL DEFAULT CURRENT_USER
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.event_attachments', '');
ALTER TABLE @extschema@.event_attachments ENABLE ROW LEVEL SECURITY;
CREATE POLICY readers_of_the_table ON @extschema@.event_attachments FOR SELECT
    USING (pg_catalog.has_table_privilege(events, 'SELECT') AND pg_catalog.has_table_privilege(leads, 'SELECT'));
GRANT SELECT ON @extschema@.event_attachments TO PUBLIC;
-- Whether a table has events tables is compiled into its attachment (a new
-- lead's engagement then starts as rescore computes it): a change of
-- event_attachments makes the compiled attachments stale.
CREATE TRIGGER event_attachments_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.event_attachments
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._config_changed();
COMMENT ON TABLE @extschema@.event_attachments IS
    'events tables attached with leadscore.attach_events: whose leads they score, and how their columns map';
COMMENT ON POLICY readers_of_the_table ON @extschema@.event_attachments IS
    'a role sees the events attachments of the tables it may read';

-- A column's type as SQL writes it, e.g. 'numeric(8,2)'.
CREATE FUNCTION @extschema@._column_type(target regclass, column_name text)
    RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute AS a
    WHERE a.attrelid = target AND a.attname = column_name AND a.attnum > 0 AND NOT a.attisdropped
$$;
COMMENT ON FUNCTION @extschema@._column_type(regclass, text) IS
    'internal: the SQL type of a column, for the casts in rescore''s UPDATE';

-- The statement that rescores `leads` from its fit attributes and all its
-- events tables at $1 (as_of): only the leads whose key is in `only_keys` (a
-- query of key values), or all of them; it runs as the table's owner
-- (_rescore_as_owner) and answers {"written": n, "skipped": [keys]}. Built
-- by the core (src/core/events/rescore_statement.cpp says what it does);
-- 55000 when the table is not attached with a model, NULL when the
-- attachment has nothing to recompute.
CREATE OR REPLACE FUNCTION @extschema@._rescore_statement(leads regclass, only_keys text)
    RETURNS text AS 'MODULE_PATHNAME', 'rescore_statement'
    LANGUAGE C STABLE;
REVOKE ALL ON FUNCTION @extschema@._rescore_statement(regclass, text) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._rescore_statement(regclass, text) IS
    'internal: the statement that recomputes an attached table''s scores from its attributes and events (run as the table''s owner)';

CREATE OR REPLACE FUNCTION @extschema@.rescore(target regclass, as_of timestamptz DEFAULT pg_catalog.now())
    RETURNS bigint AS 'MODULE_PATHNAME', 'call_privileged'
    LANGUAGE C;
COMMENT ON FUNCTION @extschema@.rescore(regclass, timestamptz) IS
    'recomputes every score of an attached table exactly at as_of (fit from fit_attributes, engagement from the attached events tables: decay, caps, frequency, inactivity) in one set-based UPDATE; returns the number of leads whose scores changed, which may promote them';

-- The events trigger, in C++ (src/pg/events/events_trigger.cpp): the
-- inserted events' leads, rescored locked first, as the leads table's
-- owner, with statements prepared once per backend. It reads leadscore's
-- config tables as their owner itself, so the role inserting events needs
-- no rights on them (nor on the leads table).
CREATE OR REPLACE FUNCTION @extschema@._events_inserted()
    RETURNS trigger AS 'MODULE_PATHNAME', 'events_inserted'
    LANGUAGE C;
REVOKE ALL ON FUNCTION @extschema@._events_inserted() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._events_inserted() IS
    'internal: statement trigger on attached events tables (and cloned onto their partitions): rescores the leads of the inserted events';

CREATE OR REPLACE FUNCTION @extschema@._attach_events(events regclass, leads regclass, config jsonb)
    RETURNS jsonb AS 'MODULE_PATHNAME', 'call_privileged'
    LANGUAGE C;
COMMENT ON FUNCTION @extschema@._attach_events(regclass, regclass, jsonb) IS
    'internal: attach_events, with the leads table resolved in the caller''s search_path (the gate of _attach_events_privileged)';

CREATE OR REPLACE FUNCTION @extschema@.attach_events(events regclass, config jsonb)
    RETURNS jsonb LANGUAGE plpgsql
AS $$
BEGIN
    RETURN @extschema@._attach_events(
        events,
        CASE WHEN pg_catalog.jsonb_typeof(config OPERATOR(pg_catalog.->) 'leads') OPERATOR(pg_catalog.=) 'string'
             THEN (config OPERATOR(pg_catalog.->>) 'leads')::pg_catalog.regclass END,
        config);
END
$$;
COMMENT ON FUNCTION @extschema@.attach_events(regclass, jsonb) IS
    'attaches an events table to an attached leads table: each INSERT rescores the leads of its events at once (which may promote them); config keys leads, lead_column, type_column, time_column';

CREATE OR REPLACE FUNCTION @extschema@.detach_events(events regclass)
    RETURNS void AS 'MODULE_PATHNAME', 'call_privileged'
    LANGUAGE C;
COMMENT ON FUNCTION @extschema@.detach_events(regclass) IS
    'removes the rescoring trigger from an events table';

CREATE OR REPLACE PROCEDURE @extschema@.rescore_in_batches(target regclass, batch_size integer DEFAULT 10000,
                                                as_of timestamptz DEFAULT pg_catalog.now(),
                                                INOUT rescored bigint DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
    low text;
    high text;
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
    rescored := 0;
    LOOP
        SELECT b.last_key, b.rescored INTO high, updated
        FROM @extschema@._rescore_batch(target, as_of, low, batch_size) AS b;
        EXIT WHEN high IS NULL;
        rescored := rescored + updated;
        low := high;
        COMMIT;
        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    END LOOP;
END
$$;
COMMENT ON PROCEDURE @extschema@.rescore_in_batches(regclass, integer, timestamptz, bigint) IS
    'rescore in batches of batch_size leads (in key order), each committed, all as of the same instant; returns the number of leads whose scores changed';

-- Partitioned events tables. leadscore's events triggers are statement
-- triggers (they read the statement's rows as a transition table), and
-- PostgreSQL clones row triggers onto partitions but not statement
-- triggers. So that rows inserted straight into a partition of an attached
-- events table (a loader writing to this month's partition) rescore their
-- leads and meet SLA clocks, every partition, present and future, carries a
-- clone of each such trigger,
-- made as PostgreSQL makes its own clones (same name, tgparentid set): it
-- goes with the parent trigger and when the partition is detached, and
-- pg_dump leaves it out. The clone works
-- for the attached ancestor. Rows inserted through the parent fire only
-- the parent's trigger, as before.

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

-- detach_events: by the events table's owner or the leads table's.
CREATE FUNCTION @extschema@._detach_events_privileged(events regclass, caller oid)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    leads regclass;
BEGIN
    IF events IS NULL THEN
        RAISE EXCEPTION 'leadscore.detach_events needs a table, got NULL'
            USING ERRCODE = '22004', HINT = 'Example: SELECT leadscore.detach_events(''crm.activities'');';
    END IF;
    SELECT x.leads INTO leads FROM @extschema@.event_attachments AS x WHERE x.events = _detach_events_privileged.events;
    IF NOT coalesce(pg_has_role(caller, (SELECT c.relowner FROM pg_class AS c WHERE c.oid = leads), 'USAGE'), false) THEN
        PERFORM @extschema@._require_owner(caller, events, 'detach the events of');
    END IF;
    DELETE FROM @extschema@.event_attachments AS x WHERE x.events = _detach_events_privileged.events;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'table % is not an attached events table', events
            USING ERRCODE = '42704', HINT = 'leadscore.event_attachments lists them.';
    END IF;
    -- (An events table dropped since has taken its trigger with it.)
    IF EXISTS (SELECT FROM pg_trigger AS t WHERE t.tgrelid = events AND t.tgname = 'zz_leadscore_events') THEN
        EXECUTE format('DROP TRIGGER zz_leadscore_events ON %s', events);
    END IF;
END
$$;
REVOKE ALL ON FUNCTION @extschema@._detach_events_privileged(regclass, oid) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._detach_events_privileged(regclass, oid) IS
    'internal: detach_events''s work, as the extension''s owner, for a caller who owns the events table or its leads table';

-- attach_events: by the owner of both the events table and the leads table.
-- (attach_events itself stays SQL without SET search_path, so the leads
-- table's name is resolved in the caller's search_path; _attach_events is
-- the gate.)
CREATE FUNCTION @extschema@._attach_events_privileged(events regclass, leads regclass, config jsonb, caller oid)
    RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    lead_config jsonb;
    normalised jsonb;
    key_type regtype;
    column_key text;
    column_name text;
    column_type regtype;
BEGIN
    IF events IS NULL OR config IS NULL OR jsonb_typeof(config) <> 'object' THEN
        RAISE EXCEPTION 'leadscore.attach_events needs a table and a config object'
            USING ERRCODE = '22023',
                  HINT = 'Example: SELECT leadscore.attach_events(''crm.activities'', ''{"leads": "crm.contacts", "lead_column": "contact_id", "type_column": "kind", "time_column": "occurred_at"}'');';
    END IF;
    IF EXISTS (SELECT FROM jsonb_object_keys(config) AS k
               WHERE k NOT IN ('leads', 'lead_column', 'type_column', 'time_column')) THEN
        RAISE EXCEPTION 'invalid leadscore.attach_events config: unknown key %',
            (SELECT to_json(k) FROM jsonb_object_keys(config) AS k
             WHERE k NOT IN ('leads', 'lead_column', 'type_column', 'time_column') LIMIT 1)
            USING ERRCODE = '22023', HINT = 'Known keys: leads, lead_column, type_column, time_column.';
    END IF;
    IF jsonb_typeof(config -> 'leads') IS DISTINCT FROM 'string' THEN
        RAISE EXCEPTION 'invalid leadscore.attach_events config at leads: expected the leads table''s name, got %',
            coalesce((config -> 'leads')::text, 'nothing')
            USING ERRCODE = '22023', HINT = 'Name the attached table the events belong to: {"leads": "crm.contacts"}.';
    END IF;
    -- The rescoring trigger goes on the events table, and the leads' scores
    -- follow its rows: the caller must own both.
    PERFORM @extschema@._require_owner(caller, events, 'attach the events of');
    IF leads IS NOT NULL THEN
        PERFORM @extschema@._require_owner(caller, leads, 'attach events to');
    END IF;
    SELECT a.config INTO lead_config FROM @extschema@.attachment_configs AS a WHERE a.target = leads;
    IF lead_config ->> 'model' IS NULL THEN
        RAISE EXCEPTION 'table % is not attached with a scoring model', leads USING
            ERRCODE = '55000',
            HINT = 'Attach it with score columns first: leadscore.attach(table, ''{"stage_column": ..., "score_column": "score"}'').';
    END IF;
    normalised := jsonb_build_object('leads', leads::text,
                                     'lead_column', coalesce(config ->> 'lead_column', lead_config ->> 'key_column'),
                                     'type_column', coalesce(config ->> 'type_column', 'event_type'),
                                     'time_column', coalesce(config ->> 'time_column', 'occurred_at'));
    SELECT a.atttypid::regtype INTO key_type FROM pg_attribute AS a
    WHERE a.attrelid = leads AND a.attname = lead_config ->> 'key_column';
    FOREACH column_key IN ARRAY ARRAY['lead_column', 'type_column', 'time_column'] LOOP
        column_name := normalised ->> column_key;
        SELECT a.atttypid::regtype INTO column_type FROM pg_attribute AS a
        WHERE a.attrelid = events AND a.attname = column_name AND a.attnum > 0 AND NOT a.attisdropped;
        IF column_type IS NULL THEN
            RAISE EXCEPTION 'invalid leadscore.attach_events config at %: column % does not exist in %',
                column_key, to_json(column_name), events
                USING ERRCODE = '42703', HINT = 'Column names are case-sensitive, as in quoted SQL identifiers.';
        END IF;
        IF column_key = 'time_column' AND column_type <> 'timestamptz'::regtype THEN
            RAISE EXCEPTION 'invalid leadscore.attach_events config at time_column: column % has type %, expected timestamptz',
                to_json(column_name), column_type
                USING ERRCODE = '42804', HINT = 'Event times are timestamptz, so that decay is measured in real time.';
        END IF;
        IF column_key = 'lead_column' AND column_type <> key_type THEN
            RAISE EXCEPTION 'invalid leadscore.attach_events config at lead_column: column % has type %, the key of % has type %',
                to_json(column_name), column_type, leads, key_type
                USING ERRCODE = '42804', HINT = 'The events'' lead column must have the type of the leads table''s key column.';
        END IF;
    END LOOP;
    IF EXISTS (SELECT FROM pg_trigger AS t WHERE t.tgrelid = events AND t.tgname = 'zz_leadscore_events') THEN
        EXECUTE format('DROP TRIGGER zz_leadscore_events ON %s', events);
    END IF;
    EXECUTE format('CREATE TRIGGER zz_leadscore_events AFTER INSERT ON %s '
                   'REFERENCING NEW TABLE AS leadscore_new_events FOR EACH STATEMENT '
                   'EXECUTE FUNCTION @extschema@._events_inserted()', events);
    -- Rescoring reads the events as the leads table's owner.
    IF NOT has_table_privilege((SELECT c.relowner FROM pg_class AS c WHERE c.oid = leads), events, 'SELECT') THEN
        RAISE EXCEPTION 'leadscore cannot score the leads of % from %: the owner of % may not read it', leads, events, leads
            USING ERRCODE = '42501',
                  HINT = format('Rescoring reads the events as the leads table''s owner: GRANT SELECT ON %s TO %I.',
                                events, (SELECT pg_get_userbyid(c.relowner) FROM pg_class AS c WHERE c.oid = leads));
    END IF;
    INSERT INTO @extschema@.event_attachments AS x (events, leads, config, attached_by)
    VALUES (events, leads, normalised, pg_get_userbyid(caller))
    ON CONFLICT ON CONSTRAINT event_attachments_pkey DO UPDATE SET leads = excluded.leads, config = excluded.config,
                                       attached_at = now(), attached_by = excluded.attached_by;
    -- (onto the partitions of a partitioned events table)
    PERFORM @extschema@._copy_events_triggers(events);
    RETURN normalised;
END
$$;
REVOKE ALL ON FUNCTION @extschema@._attach_events_privileged(regclass, regclass, jsonb, oid) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._attach_events_privileged(regclass, regclass, jsonb, oid) IS
    'internal: attach_events''s work, as the extension''s owner, for a caller who owns the events table and the leads table';

-- Runs rescore's statements of a CRM table as the table's owner.
CREATE FUNCTION @extschema@._rescore_as_owner(target regclass, lock_statement text, statement text,
                                              as_of timestamptz, keys text[])
    RETURNS jsonb AS 'MODULE_PATHNAME', 'rescore_as_owner'
    LANGUAGE C;
REVOKE ALL ON FUNCTION @extschema@._rescore_as_owner(regclass, text, text, timestamptz, text[]) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._rescore_as_owner(regclass, text, text, timestamptz, text[]) IS
    'internal: runs rescore''s statement of a CRM table as the table''s owner, after locking the leads when told';

-- Rescores the leads of `only_keys` (a query of key values that may read
-- the keys $2 as text), or all of them, at as_of; returns how many rows
-- changed (0 when the attachment has nothing to recompute; 55000 when it
-- has no model). `locked`: their rows are locked first (in key order), and their
-- engagement computed with a snapshot taken after the lock, so events that
-- transactions waited for committed meanwhile count. The leads a statement
-- had to skip are rescored so too.
CREATE FUNCTION @extschema@._rescore_leads(target regclass, as_of timestamptz, only_keys text, keys text[],
                                           locked boolean)
    RETURNS bigint LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    statement text := @extschema@._rescore_statement(target, only_keys);
    key_column text;
    answer jsonb;
    written bigint := 0;
    rounds integer := 0;
BEGIN
    IF statement IS NULL THEN
        RETURN 0;  -- nothing this attachment can recompute
    END IF;
    SELECT a.config ->> 'key_column' INTO key_column
    FROM @extschema@.attachment_configs AS a WHERE a.target = _rescore_leads.target;
    LOOP
        answer := @extschema@._rescore_as_owner(
            target,
            CASE WHEN locked THEN format('SELECT FROM %1$s AS l WHERE l.%2$I %3$s ANY (ARRAY(%4$s)) '
                                         'ORDER BY l.%2$I FOR NO KEY UPDATE OF l',
                                         target, key_column,
                                         coalesce(@extschema@._key_operator(target, key_column, 3), '='), only_keys) END,
            statement, as_of, keys);
        written := written + coalesce((answer ->> 'written')::bigint, 0);
        -- (a lead locked before it was computed is never skipped; a second
        -- round is the most there is, the bound a guard)
        EXIT WHEN answer IS NULL OR jsonb_array_length(answer -> 'skipped') = 0 OR rounds = 3;
        keys := ARRAY(SELECT jsonb_array_elements_text(answer -> 'skipped'));
        only_keys := format('SELECT u.k::%s FROM pg_catalog.unnest($2) AS u(k)',
                            @extschema@._column_type(target, key_column));
        statement := @extschema@._rescore_statement(target, only_keys);
        locked := true;
        rounds := rounds + 1;
    END LOOP;
    RETURN written;
END
$$;
REVOKE ALL ON FUNCTION @extschema@._rescore_leads(regclass, timestamptz, text, text[], boolean) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._rescore_leads(regclass, timestamptz, text, text[], boolean) IS
    'internal: rescores some or all leads of an attached table, as its owner, again those found changed meanwhile';

-- rescore
CREATE FUNCTION @extschema@._rescore_privileged(target regclass, as_of timestamptz, caller oid)
    RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF target IS NULL THEN
        RAISE EXCEPTION 'leadscore.rescore needs a table, got NULL'
            USING ERRCODE = '22004', HINT = 'Example: SELECT leadscore.rescore(''crm.contacts'');';
    END IF;
    IF as_of IS NULL OR NOT isfinite(as_of) THEN
        RAISE EXCEPTION 'leadscore.rescore needs a finite as_of, got %', coalesce(as_of::text, 'NULL')
            USING ERRCODE = CASE WHEN as_of IS NULL THEN '22004' ELSE '22008' END,
                  HINT = 'Score at a point in time, e.g. now() (the default).';
    END IF;
    PERFORM @extschema@._require_owner(caller, target, 'rescore', true);
    RETURN @extschema@._rescore_leads(target, as_of, NULL, NULL, false);  -- (55000 when not attached with a model)
END
$$;
REVOKE ALL ON FUNCTION @extschema@._rescore_privileged(regclass, timestamptz, oid) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._rescore_privileged(regclass, timestamptz, oid) IS
    'internal: rescore''s work, as the extension''s owner, for a caller who owns the table or may UPDATE it';

-- rescore_in_batches: each batch a gate call (a procedure that commits
-- cannot run as another role); the batch's last key is found as the
-- table's owner (the key's ordering and casts are the owner's code).
CREATE FUNCTION @extschema@._rescore_batch_privileged(target regclass, as_of timestamptz, after text,
                                                      batch_size integer, caller oid,
                                                      OUT last_key text, OUT rescored bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    key_column text;
    key_type text;
    greater text;
    at_most text;
BEGIN
    PERFORM @extschema@._require_owner(caller, target, 'rescore', true);
    rescored := 0;
    IF @extschema@._rescore_statement(target, NULL) IS NULL THEN  -- (55000 when not attached with a model)
        RETURN;
    END IF;
    SELECT a.config ->> 'key_column' INTO key_column
    FROM @extschema@.attachment_configs AS a WHERE a.target = _rescore_batch_privileged.target;
    key_type := @extschema@._column_type(target, key_column);
    greater := coalesce(@extschema@._key_operator(target, key_column, 5), '>');
    at_most := coalesce(@extschema@._key_operator(target, key_column, 2), '<=');
    last_key := @extschema@._query_as_owner(target, format(
        'SELECT pg_catalog.jsonb_build_array(max(b.k)::pg_catalog.text) '
        'FROM (SELECT l.%1$I AS k FROM %2$s AS l '
        '      WHERE l.%1$I IS NOT NULL AND (($1 OPERATOR(pg_catalog.->>) ''after'') IS NULL '
        '            OR l.%1$I %4$s ($1 OPERATOR(pg_catalog.->>) ''after'')::%3$s) '
        '      ORDER BY l.%1$I LIMIT ($1 OPERATOR(pg_catalog.->>) ''size'')::pg_catalog.int4) AS b',
        key_column, target, key_type, greater),
        jsonb_build_object('after', after, 'size', batch_size)) ->> 0;
    IF last_key IS NULL THEN
        RETURN;
    END IF;
    rescored := @extschema@._rescore_leads(target, as_of, format(
        'SELECT b.%1$I FROM %2$s AS b WHERE %3$sb.%1$I %6$s %4$L::%5$s', key_column, target,
        CASE WHEN after IS NULL THEN '' ELSE format('b.%I %s %L::%s AND ', key_column, greater, after, key_type) END,
        last_key, key_type, at_most), NULL, false);
END
$$;
REVOKE ALL ON FUNCTION @extschema@._rescore_batch_privileged(regclass, timestamptz, text, integer, oid) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._rescore_batch_privileged(regclass, timestamptz, text, integer, oid) IS
    'internal: one batch of rescore_in_batches (the leads after a key, in key order), as the extension''s owner, for a caller who owns the table or may UPDATE it';

CREATE FUNCTION @extschema@._rescore_batch(target regclass, as_of timestamptz, after text, batch_size integer,
                                           OUT last_key text, OUT rescored bigint)
    AS 'MODULE_PATHNAME', 'call_privileged'
    LANGUAGE C;
COMMENT ON FUNCTION @extschema@._rescore_batch(regclass, timestamptz, text, integer) IS
    'internal: one batch of rescore_in_batches (the gate of _rescore_batch_privileged); returns its last key and how many leads changed';
