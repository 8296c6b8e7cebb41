-- leadscore 0.7: fixes of defects found in review of 0.6 (issue 15).
\echo Use "ALTER EXTENSION leadscore UPDATE TO '0.7'" to load this file. \quit

-- Issue 15.1, 15.2 and 15.4: who runs what.
--
-- The rule: code that belongs to a CRM table's owner (its triggers, domain
-- CHECKs, casts, index expressions, row-level security) always runs as that
-- owner, never as the extension's owner and never as a superuser who calls
-- leadscore. A table's owner attaches, detaches, attaches events to and
-- rescores its own tables without superuser rights, and nothing else; no
-- role reads another owner's configuration or history through leadscore.
--
-- Until 0.7:
-- - rescore, rescore_in_batches and the events trigger ran rescore's UPDATE
--   as their caller: a superuser's nightly rescore ran the table owner's
--   domain CHECK on the score column, a cast of the events' type column and
--   the table's own triggers as that superuser (a privilege escalation,
--   even when no row changed).
-- - attach, attach_events and detach_events called helpers PUBLIC may not
--   execute (_copy_events_triggers, the SLA trigger functions): they failed
--   for every table owner that was not a superuser. The README's advice,
--   to grant write rights on attachment_configs, let such a role change or
--   delete the attachment of any other owner's table.
-- - _key_column, _events_attachment and _rescore_statement, SECURITY
--   DEFINER and executable by PUBLIC, showed any role the attachment of any
--   table (rescore's statement with its model and column names).
-- - The events trigger computed the engagement of the leads of new events
--   from a snapshot taken before it waited for their rows: an event
--   committed by the transaction it waited for was not counted.
--
-- Now the management functions are gates (C, run as the caller) in front
-- of privileged functions (SECURITY DEFINER, not executable by PUBLIC) that
-- are told who called and check it (privileged_call.cpp says why it takes
-- C); every statement rescore builds of a CRM table runs as that table's
-- owner (_rescore_as_owner); the leads of new events are locked before
-- their engagement is computed; and leadscore's tables show each role the
-- rows of the tables it may read (row-level security).

-- Who may manage `target`: its owner (a member of the owning role, or a
-- superuser), and for rescoring also a role that may UPDATE the table,
-- which could write the scores itself. A table that no longer exists has
-- no owner: then the extension's owner.
CREATE FUNCTION @extschema@._require_owner(caller oid, target regclass, action text,
                                           or_updater boolean DEFAULT false)
    RETURNS void LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    owner oid;
BEGIN
    SELECT c.relowner INTO owner FROM pg_class AS c WHERE c.oid = target;
    IF pg_has_role(caller, coalesce(owner, (SELECT e.extowner FROM pg_extension AS e WHERE e.extname = 'leadscore')),
                   'USAGE')
       OR (or_updater AND owner IS NOT NULL AND has_table_privilege(caller, target, 'UPDATE')) THEN
        RETURN;
    END IF;
    RAISE EXCEPTION 'permission denied to % table %', action, target
        USING ERRCODE = '42501',
              HINT = format('Only the table''s owner (%s, a member of that role, or a superuser)%s may do that.',
                            coalesce(pg_get_userbyid(owner)::text, 'none: the table is gone'),
                            CASE WHEN or_updater THEN ' or a role that may UPDATE the table' ELSE '' END);
END
$$;
REVOKE ALL ON FUNCTION @extschema@._require_owner(oid, regclass, text, boolean) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._require_owner(oid, regclass, text, boolean) IS
    'internal: refuses (42501) a caller that does not own the table (or, for rescoring, may not UPDATE it)';

-- attach
CREATE FUNCTION @extschema@._attach_privileged(target regclass, config jsonb, caller oid)
    RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    normalised jsonb;
    -- Each watched column with how its change is told: the stage as text
    -- (any column type), the scores as numbers, the fit attributes below.
    watched text[];
    compare text[] := ARRAY['(OLD.%1$I)::text IS DISTINCT FROM (NEW.%1$I)::text'];
    score_key text;
    attribute_column text;
    changed text;
    is_set text;
    fit_on_write boolean;
BEGIN
    IF target IS NOT NULL THEN
        PERFORM @extschema@._require_owner(caller, target, 'attach');
    END IF;
    normalised := @extschema@._attachment_config(target, config);
    -- The SLA triggers go on the events tables whose activity meets clocks.
    PERFORM @extschema@._require_owner(caller, e.events, 'count SLA activity in')
    FROM (SELECT DISTINCT to_regclass(p -> 'met_by' ->> 'events') AS events
          FROM jsonb_array_elements(normalised -> 'sla' -> 'policies') AS p) AS e
    WHERE e.events IS NOT NULL;
    watched := ARRAY[normalised ->> 'stage_column'];
    FOREACH score_key IN ARRAY ARRAY['score_column', 'fit_column', 'engagement_column'] LOOP
        IF normalised ->> score_key IS NOT NULL AND NOT (normalised ->> score_key) = ANY (watched) THEN
            watched := watched || (normalised ->> score_key);
            compare := compare || 'OLD.%1$I IS DISTINCT FROM NEW.%1$I'::text;
        END IF;
    END LOOP;
    -- A generated attribute column is computed after BEFORE triggers (and a
    -- trigger's WHEN may not read it): fit is then left to rescore, and the
    -- trigger does not watch the attributes.
    fit_on_write := coalesce(normalised -> 'fit_attributes', '{}') <> '{}'
        AND NOT EXISTS (SELECT FROM jsonb_each_text(normalised -> 'fit_attributes') AS a
                        JOIN pg_attribute AS c ON c.attrelid = target AND c.attname = a.value
                        WHERE c.attgenerated <> '');
    FOR attribute_column IN
        SELECT DISTINCT a.value FROM jsonb_each_text(coalesce(normalised -> 'fit_attributes', '{}')) AS a
        WHERE fit_on_write ORDER BY 1
    LOOP
        IF NOT attribute_column = ANY (watched) THEN
            watched := watched || attribute_column;
            -- A type with a default btree operator class (text, numbers,
            -- dates...) compares with its own equality, with no output
            -- function per row; arrays, enums, composites and types without
            -- one (json, point) compare as text. Strings compare in the "C"
            -- collation: a nondeterministic one could hide a change the fit
            -- rules see.
            compare := compare || (
                SELECT CASE WHEN NOT EXISTS (
                                SELECT FROM pg_opclass AS o JOIN pg_am AS m ON m.oid = o.opcmethod
                                WHERE m.amname = 'btree' AND o.opcdefault
                                  AND o.opcintype = CASE b.base WHEN 'varchar'::regtype THEN 'text'::regtype ELSE b.base END)
                            THEN '(OLD.%1$I)::text COLLATE "C" IS DISTINCT FROM (NEW.%1$I)::text COLLATE "C"'
                            WHEN c.attcollation <> 0
                            THEN '(OLD.%1$I COLLATE "C") IS DISTINCT FROM (NEW.%1$I COLLATE "C")'
                            ELSE 'OLD.%1$I IS DISTINCT FROM NEW.%1$I' END
                FROM pg_attribute AS c
                JOIN pg_type AS t ON t.oid = c.atttypid,
                LATERAL (SELECT CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END::regtype AS base) AS b
                WHERE c.attrelid = target AND c.attname = attribute_column);
        END IF;
    END LOOP;
    -- Triggers fire only when a watched column changes, so an UPDATE of other
    -- columns costs no more than PostgreSQL's own per-row trigger floor.
    SELECT string_agg(format(compare[c.n], c.name), ' OR ' ORDER BY c.n),
           string_agg(format('NEW.%I IS NOT NULL', c.name), ' OR ' ORDER BY c.n)
      INTO changed, is_set
      FROM unnest(watched) WITH ORDINALITY AS c(name, n);
    -- (fit is computed for every new row: no WHEN at all, since PostgreSQL
    -- parses a WHEN that folds to true again for each row)
    is_set := CASE WHEN fit_on_write THEN '' ELSE format('WHEN (%s) ', is_set) END;
    PERFORM @extschema@._drop_triggers(target);
    -- The zz_ prefix makes these fire after the table's other BEFORE triggers
    -- (PostgreSQL fires them in name order), so they see the final row. There
    -- is deliberately no AFTER UPDATE trigger (see lifecycle_trigger.cpp).
    EXECUTE format('CREATE TRIGGER zz_leadscore_before_insert BEFORE INSERT ON %s FOR EACH ROW '
                   '%sEXECUTE FUNCTION @extschema@.lifecycle_trigger(%L)',
                   target, is_set, normalised);
    EXECUTE format('CREATE TRIGGER zz_leadscore_before_update BEFORE UPDATE OF %s ON %s FOR EACH ROW '
                   'WHEN (%s) EXECUTE FUNCTION @extschema@.lifecycle_trigger(%L)',
                   (SELECT string_agg(format('%I', c.name), ', ' ORDER BY c.n)
                    FROM unnest(watched) WITH ORDINALITY AS c(name, n)),
                   target, changed, normalised);
    EXECUTE format('CREATE TRIGGER zz_leadscore_after_insert AFTER INSERT ON %s FOR EACH ROW '
                   'WHEN (%s) EXECUTE FUNCTION @extschema@.lifecycle_trigger(%L)',
                   target, format('NEW.%I IS NOT NULL', normalised ->> 'stage_column'), normalised);
    INSERT INTO @extschema@.attachment_configs AS a (target, config, attached_by)
    VALUES (target, normalised, pg_get_userbyid(caller))
    ON CONFLICT ON CONSTRAINT attachment_configs_pkey
    DO UPDATE SET config = excluded.config, attached_at = now(), attached_by = excluded.attached_by;
    PERFORM @extschema@._attach_sla(target, normalised);
    RETURN normalised;
END
$$;
REVOKE ALL ON FUNCTION @extschema@._attach_privileged(regclass, jsonb, oid) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._attach_privileged(regclass, jsonb, oid) IS
    'internal: attach''s work, as the extension''s owner, for a caller who owns the table (and the events tables its SLA policies count)';

CREATE OR REPLACE FUNCTION @extschema@.attach(target regclass, config jsonb)
    RETURNS jsonb AS 'MODULE_PATHNAME', 'call_privileged'
    LANGUAGE C;

-- detach
CREATE FUNCTION @extschema@._detach_privileged(target regclass, caller oid)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    events regclass;
BEGIN
    IF target IS NULL THEN
        RAISE EXCEPTION 'leadscore.detach needs a table, got NULL'
            USING ERRCODE = '22004', HINT = 'Example: SELECT leadscore.detach(''crm.contacts'');';
    END IF;
    PERFORM @extschema@._require_owner(caller, target, 'detach');
    FOR events IN SELECT x.events FROM @extschema@.event_attachments AS x WHERE x.leads = target LOOP
        PERFORM @extschema@._detach_events_privileged(events, caller);
    END LOOP;
    DELETE FROM @extschema@.attachment_configs AS a WHERE a.target = _detach_privileged.target;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'table % is not attached to leadscore', target
            USING ERRCODE = '42704', HINT = 'leadscore.attachments lists the attached tables.';
    END IF;
    PERFORM @extschema@._drop_triggers(target);
    PERFORM @extschema@._drop_sla_triggers(target);
    -- Clocks of a table leadscore no longer watches would never be met.
    UPDATE @extschema@.sla_clocks AS c
    SET status = CASE WHEN c.status = 'breached' THEN 'breached' ELSE 'cancelled' END, closed_at = now()
    WHERE c.target = _detach_privileged.target AND c.closed_at IS NULL;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.detach(target regclass)
    RETURNS void AS 'MODULE_PATHNAME', 'call_privileged'
    LANGUAGE C;

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

CREATE OR REPLACE FUNCTION @extschema@.detach_events(events regclass)
    RETURNS void AS 'MODULE_PATHNAME', 'call_privileged'
    LANGUAGE C;
REVOKE ALL ON FUNCTION @extschema@._detach_privileged(regclass, oid) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._detach_privileged(regclass, oid) IS
    'internal: detach''s work, as the extension''s owner, for a caller who owns the table';
REVOKE ALL ON FUNCTION @extschema@._detach_events_privileged(regclass, oid) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._detach_events_privileged(regclass, oid) IS
    'internal: detach_events''s work, as the extension''s owner, for a caller who owns the events table or its leads table';

-- The operator of a CRM table's key column for a btree strategy (1 <, 2 <=,
-- 3 =, 4 >=, 5 >), from the type's default btree operator class and named
-- with its schema: leadscore's statements run with search_path pinned to
-- pg_catalog, where a citext or isbn key's operators are not. NULL when the
-- column is gone or its type has no such class (arrays, ranges, composites).
-- (_key_comparison's lookup since 0.6, now for any strategy.)
CREATE FUNCTION @extschema@._key_operator(target regclass, key_column text, strategy integer)
    RETURNS text AS 'MODULE_PATHNAME', 'key_operator_of'
    LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION @extschema@._key_operator(regclass, text, integer) IS
    'internal: a CRM table''s key operator for a btree strategy, from its type''s default btree class, schema-qualified';

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

-- The UPDATE that rescores `leads` from all its events tables at $1
-- (as_of): only the leads whose key is in `only_keys` (a query of key
-- values), or all of them; it runs as the table's owner
-- (_rescore_as_owner) and answers {"written": n, "skipped": [keys]}.
--
-- A row found changed by a concurrent transaction when the UPDATE reaches
-- it is skipped, not overwritten: what this statement computed for it
-- predates that transaction's commit (an events insert's new engagement,
-- say). (Until 0.7 the UPDATE rewrote such a row with its stale value.) The
-- skipped leads are rescored again by _rescore_leads, their rows locked
-- first. Unchanged leads get no new row version, no trigger, no history.
CREATE OR REPLACE FUNCTION @extschema@._rescore_statement(leads regclass, only_keys text)
    RETURNS text AS 'MODULE_PATHNAME', 'rescore_statement'
    LANGUAGE C STABLE;
REVOKE ALL ON FUNCTION @extschema@._rescore_statement(regclass, text) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._rescore_statement(regclass, text) IS
    'internal: the statement that recomputes an attached table''s scores from its attributes and events (run as the table''s owner)';

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

CREATE OR REPLACE FUNCTION @extschema@.rescore(target regclass, as_of timestamptz DEFAULT pg_catalog.now())
    RETURNS bigint AS 'MODULE_PATHNAME', 'call_privileged'
    LANGUAGE C;

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

-- The events trigger: the inserted events' leads (read through their key
-- type's output function, as the SLA trigger reads them), rescored locked
-- first, as the leads table's owner. SECURITY DEFINER: the role inserting
-- events needs no rights on leadscore's tables (nor on the leads table).
CREATE OR REPLACE FUNCTION @extschema@._events_inserted()
    RETURNS trigger AS 'MODULE_PATHNAME', 'events_inserted'
    LANGUAGE C;
REVOKE ALL ON FUNCTION @extschema@._events_inserted() FROM PUBLIC;

-- No longer for PUBLIC: they showed any role the attachment of any table.
REVOKE ALL ON FUNCTION @extschema@._key_column(regclass) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._events_attachment(regclass) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._key_column(regclass) IS
    'internal: the key column of an attached table';

-- Each role sees the rows of leadscore's tables that concern the tables it
-- may read (SELECT): their attachment, events tables, history and clocks.
-- The extension's owner, who owns these tables, and superusers see all;
-- leadscore's own functions read them as the owner. Writes go through
-- leadscore's functions only: a role granted write rights by hand still
-- reaches no row (no policy lets it), so it cannot change or delete another
-- owner's attachment.
ALTER TABLE @extschema@.attachment_configs ENABLE ROW LEVEL SECURITY;
CREATE POLICY readers_of_the_table ON @extschema@.attachment_configs FOR SELECT
    USING (pg_catalog.has_table_privilege(target, 'SELECT'));
ALTER TABLE @extschema@.event_attachments ENABLE ROW LEVEL SECURITY;
CREATE POLICY readers_of_the_table ON @extschema@.event_attachments FOR SELECT
    USING (pg_catalog.has_table_privilege(events, 'SELECT') AND pg_catalog.has_table_privilege(leads, 'SELECT'));
ALTER TABLE @extschema@.stage_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY readers_of_the_table ON @extschema@.stage_history FOR SELECT
    USING (pg_catalog.has_table_privilege(target, 'SELECT'));
ALTER TABLE @extschema@.sla_clocks ENABLE ROW LEVEL SECURITY;
CREATE POLICY readers_of_the_table ON @extschema@.sla_clocks FOR SELECT
    USING (pg_catalog.has_table_privilege(target, 'SELECT'));
ALTER TABLE @extschema@.sla_unwritten_rows ENABLE ROW LEVEL SECURITY;
CREATE POLICY readers_of_the_table ON @extschema@.sla_unwritten_rows FOR SELECT
    USING (pg_catalog.has_table_privilege(target, 'SELECT'));
GRANT SELECT ON @extschema@.attachment_configs, @extschema@.event_attachments, @extschema@.stage_history,
                @extschema@.sla_clocks, @extschema@.sla_unwritten_rows TO PUBLIC;
COMMENT ON POLICY readers_of_the_table ON @extschema@.attachment_configs IS
    'a role sees the attachments of the tables it may read';
COMMENT ON POLICY readers_of_the_table ON @extschema@.event_attachments IS
    'a role sees the events attachments of the tables it may read';
COMMENT ON POLICY readers_of_the_table ON @extschema@.stage_history IS
    'a role sees the stage history of the tables it may read';
COMMENT ON POLICY readers_of_the_table ON @extschema@.sla_clocks IS
    'a role sees the SLA clocks of the tables it may read';
COMMENT ON POLICY readers_of_the_table ON @extschema@.sla_unwritten_rows IS
    'a role sees the queued SLA column writes of the tables it may read';

-- The views read the tables as their owner (who sees every row), so they
-- filter by the same rule.
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
FROM @extschema@.attachment_configs AS a
WHERE pg_catalog.has_table_privilege(a.target, 'SELECT');
GRANT SELECT ON @extschema@.attachments, @extschema@.models TO PUBLIC;

-- Size limits (54000) apply to the documents users define: _check_model and
-- _check_calendar, which define_model and define_calendar call. A row
-- written to the tables themselves, as pg_restore writes every stored model
-- and calendar, is normalised without them, so that everything stored
-- (before 0.7 any size was accepted) restores (test document_limits).
CREATE FUNCTION @extschema@._normalise_stored_model(name text, definition jsonb)
    RETURNS jsonb AS 'MODULE_PATHNAME', 'normalise_stored_model'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._normalise_stored_model(text, jsonb) IS
    'internal: validates a scoring model row and returns it with every default written out, without the size limits';
CREATE FUNCTION @extschema@._normalise_stored_calendar(name text, definition jsonb)
    RETURNS jsonb AS 'MODULE_PATHNAME', 'normalise_stored_calendar'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._normalise_stored_calendar(text, jsonb) IS
    'internal: validates a calendar row and returns it normalised, without the size limits';

CREATE OR REPLACE FUNCTION @extschema@._normalise_model_row()
    RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.definition := @extschema@._normalise_stored_model(NEW.name, NEW.definition);
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@._normalise_calendar_row()
    RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    zone text;
BEGIN
    NEW.definition := @extschema@._normalise_stored_calendar(NEW.name, NEW.definition);
    SELECT z.name INTO zone
    FROM pg_timezone_names AS z
    WHERE lower(z.name) = lower(NEW.definition->>'time_zone')
    ORDER BY z.name = NEW.definition->>'time_zone' DESC, z.name
    LIMIT 1;
    IF zone IS NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('invalid calendar %s at time_zone: unknown time zone %s',
                             to_json(NEW.name), to_json(NEW.definition->>'time_zone')),
            HINT = 'Use an IANA zone name such as "Europe/Berlin" or "America/New_York"; '
                   'SELECT name FROM pg_timezone_names lists them.';
    END IF;
    NEW.definition := jsonb_set(NEW.definition, '{time_zone}', to_jsonb(zone));
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.define_calendar(name text, definition jsonb)
    RETURNS jsonb
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    INSERT INTO @extschema@.calendars AS c (name, definition)
    VALUES (define_calendar.name, @extschema@._check_calendar(define_calendar.name, define_calendar.definition))
    ON CONFLICT ON CONSTRAINT calendars_pkey DO UPDATE
        SET definition = excluded.definition, defined_at = pg_catalog.now(),
            defined_by = CURRENT_USER
    RETURNING c.definition;
END;

-- Issue 15.5: windows of one day that touch into more than 24 hours, such
-- as [["09:00", "12:00"], ["12:00", "10:00", "overnight"]], are refused by
-- define_calendar now. 0.6 accepted them and stored the join as
-- ["09:00", "10:00", "overnight"], which nothing reads: every business-time
-- function on such a calendar failed (22023), redefining it from its stored
-- form failed, and a dump holding it did not restore. The update cannot
-- tell what the stored window was meant to be, so it leaves the row alone
-- and names every stored calendar that cannot be read back (the size
-- limits of define_calendar do not apply to stored rows, so they are not
-- checked here).
DO $$
DECLARE
    stored record;
BEGIN
    FOR stored IN SELECT c.name, c.definition FROM @extschema@.calendars AS c ORDER BY c.name LOOP
        BEGIN
            PERFORM @extschema@._normalise_stored_calendar(stored.name, stored.definition);
        EXCEPTION WHEN invalid_parameter_value THEN
            RAISE WARNING 'calendar % as stored is refused: %', to_json(stored.name), SQLERRM
                USING HINT = 'Redefine it with leadscore.define_calendar(name, definition) or drop it with '
                             'leadscore.drop_calendar(name): a dump that holds it does not restore.';
        END;
    END LOOP;
END
$$;

-- boundary_probe, a test diagnostic, is no longer part of the extension:
-- the test of the C++/PostgreSQL boundary (sql/boundary.sql) declares it
-- for its own session.
DROP FUNCTION @extschema@.boundary_probe(text, integer);

-- The SLA activity trigger in C++ too (src/pg/sla/sla_activity.cpp).
CREATE OR REPLACE FUNCTION @extschema@._sla_events_inserted()
    RETURNS trigger AS 'MODULE_PATHNAME', 'sla_events_inserted'
    LANGUAGE C;
COMMENT ON FUNCTION @extschema@._sla_events_inserted() IS
    'internal: statement trigger closing SLA clocks met by activity rows (cloned onto the partitions of a partitioned events table); it writes sla_clocks as their owner itself, so the CRM''s role needs no rights on them';

-- The events path in C++: the events trigger and the statement builder
-- (above, now C functions) need no PL/pgSQL lookup of the events table's
-- attachment any more.
DROP FUNCTION @extschema@._events_attachment(regclass);
-- (and with them the PL/pgSQL helpers only they used: the walk up a cloned
-- trigger's parents, and the fit attributes' jsonb expression)
DROP FUNCTION @extschema@._events_trigger_table(regclass, name);
DROP FUNCTION @extschema@._attributes_object(jsonb, text);
