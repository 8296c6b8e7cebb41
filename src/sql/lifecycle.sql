-- leadscore: Attaching CRM tables: their configs, the stage history, the lifecycle triggers, the owner checks.
-- Concatenated into leadscore--<version>.sql by the Makefile (SQL_SOURCES), after
-- the files whose objects it uses.

------------------------------------------------------------------------------
-- Attaching CRM tables: config, history, triggers
------------------------------------------------------------------------------
CREATE TABLE @extschema@.attachment_configs (
    target regclass PRIMARY KEY,
    config jsonb NOT NULL,
    attached_at timestamptz NOT NULL DEFAULT now(),
    attached_by name NOT NULL DEFAULT current_user
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.attachment_configs', '');
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
GRANT SELECT ON @extschema@.attachment_configs TO PUBLIC;
COMMENT ON TABLE @extschema@.attachment_configs IS
    'one row per table attached with leadscore.attach: its normalised config (kept by pg_dump)';
COMMENT ON POLICY readers_of_the_table ON @extschema@.attachment_configs IS
    'a role sees the attachments of the tables it may read';

CREATE TABLE @extschema@.stage_history (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target regclass NOT NULL,
    lead_key text NOT NULL,
    from_stage @extschema@.lifecycle_stage,
    to_stage @extschema@.lifecycle_stage,
    changed_at timestamptz NOT NULL DEFAULT now(),
    changed_by name NOT NULL DEFAULT current_user,
    reason text,
    violation boolean NOT NULL DEFAULT false,
    violation_detail text,
    crm_label text
);
CREATE INDEX stage_history_by_lead ON @extschema@.stage_history (target, lead_key, changed_at);
-- History is append-only and changed_at grows with it: a BRIN index serves
-- per-period scans at almost no cost per insert.
CREATE INDEX stage_history_by_period ON @extschema@.stage_history USING brin (changed_at);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.stage_history', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.stage_history_id_seq', '');
ALTER TABLE @extschema@.stage_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY readers_of_the_table ON @extschema@.stage_history FOR SELECT
    USING (pg_catalog.has_table_privilege(target, 'SELECT'));
GRANT SELECT ON @extschema@.stage_history TO PUBLIC;
COMMENT ON TABLE @extschema@.stage_history IS
    'insert-only: one row per stage change of an attached table, written by its trigger (kept by pg_dump)';
COMMENT ON COLUMN @extschema@.stage_history.target IS 'the attached table (for partitions: the partitioned table)';
COMMENT ON COLUMN @extschema@.stage_history.lead_key IS 'the key column''s value, as text';
COMMENT ON COLUMN @extschema@.stage_history.from_stage IS 'NULL for a first assignment';
COMMENT ON COLUMN @extschema@.stage_history.changed_at IS 'transaction start time, the same instant as the stamps it set';
COMMENT ON COLUMN @extschema@.stage_history.changed_by IS 'current_user of the statement that changed the stage';
COMMENT ON COLUMN @extschema@.stage_history.reason IS 'reason code (reason column or SET LOCAL leadscore.reason)';
COMMENT ON COLUMN @extschema@.stage_history.violation IS 'true when the policy refused the change and audit mode let it through';
COMMENT ON COLUMN @extschema@.stage_history.violation_detail IS 'why the change violates the policy';
COMMENT ON COLUMN @extschema@.stage_history.crm_label IS 'the stage label as the CRM wrote it';
COMMENT ON SEQUENCE @extschema@.stage_history_id_seq IS 'identity of leadscore.stage_history rows';
COMMENT ON POLICY readers_of_the_table ON @extschema@.stage_history IS
    'a role sees the stage history of the tables it may read';

CREATE FUNCTION @extschema@.refuse_history_change()
    RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'leadscore.stage_history is insert-only: % refused', TG_OP
        USING ERRCODE = '55000',
              HINT = 'History rows are written by the triggers of attached tables and never changed; a superuser can purge rows with session_replication_role = replica.';
END
$$;
CREATE TRIGGER insert_only BEFORE UPDATE OR DELETE ON @extschema@.stage_history
    FOR EACH ROW EXECUTE FUNCTION @extschema@.refuse_history_change();
CREATE TRIGGER insert_only_truncate BEFORE TRUNCATE ON @extschema@.stage_history
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.refuse_history_change();
COMMENT ON FUNCTION @extschema@.refuse_history_change() IS
    'trigger keeping leadscore.stage_history insert-only';

CREATE FUNCTION @extschema@.lifecycle_trigger()
    RETURNS trigger AS 'MODULE_PATHNAME', 'lifecycle_trigger'
    LANGUAGE C;
COMMENT ON FUNCTION @extschema@.lifecycle_trigger() IS
    'row trigger created by leadscore.attach: validates stage changes, fills first-reach stamps, writes history and handoff notifications';

CREATE FUNCTION @extschema@._attachment_config(target regclass, config jsonb)
    RETURNS jsonb AS 'MODULE_PATHNAME', 'attachment_config'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._attachment_config(regclass, jsonb) IS
    'internal: validates an attach config against the table and returns it with every default filled in';

CREATE FUNCTION @extschema@._drop_triggers(target regclass)
    RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    trigger_name name;
BEGIN
    FOR trigger_name IN
        SELECT t.tgname FROM pg_trigger AS t
        WHERE t.tgrelid = target AND NOT t.tgisinternal AND t.tgparentid = 0
          AND t.tgname IN ('zz_leadscore_before_insert', 'zz_leadscore_before_update',
                           'zz_leadscore_after_insert')
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', trigger_name, target);
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@._drop_triggers(regclass) IS
    'internal: drops the triggers leadscore.attach created on a table';

CREATE OR REPLACE FUNCTION @extschema@.attach(target regclass, config jsonb)
    RETURNS jsonb AS 'MODULE_PATHNAME', 'call_privileged'
    LANGUAGE C;
COMMENT ON FUNCTION @extschema@.attach(regclass, jsonb) IS
    'attaches leadscore to a CRM table: its INSERTs and UPDATEs are validated, stamped and recorded; with score columns a crossed MQL or SQL threshold moves the lead forward, and with fit_attributes fit is computed when a lead is inserted or one of its attributes changes; with an sla key stage entries start response clocks, which a deleted lead closes; returns the normalised config; attaching again replaces the config';

CREATE OR REPLACE FUNCTION @extschema@.detach(target regclass)
    RETURNS void AS 'MODULE_PATHNAME', 'call_privileged'
    LANGUAGE C;
COMMENT ON FUNCTION @extschema@.detach(regclass) IS
    'removes leadscore''s triggers from a table; its data and its history stay';

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
GRANT SELECT ON @extschema@.attachments TO PUBLIC;
COMMENT ON VIEW @extschema@.attachments IS
    'the tables attached to leadscore, their config, and whether their triggers are in place';

CREATE FUNCTION @extschema@.guard_history_on_drop()
    RETURNS event_trigger AS 'MODULE_PATHNAME', 'guard_history_on_drop'
    LANGUAGE C;
COMMENT ON FUNCTION @extschema@.guard_history_on_drop() IS
    'event trigger: refuses DROP EXTENSION leadscore without CASCADE while stage history exists';

CREATE EVENT TRIGGER leadscore_keep_history ON ddl_command_start
    WHEN TAG IN ('DROP EXTENSION')
    EXECUTE FUNCTION @extschema@.guard_history_on_drop();
COMMENT ON EVENT TRIGGER leadscore_keep_history IS
    'keeps DROP EXTENSION leadscore (without CASCADE) from dropping leadscore.stage_history while it holds rows';

-- Dropping an attached table detaches it, and dropping an attached events
-- table forgets it: else its config row (which a new table given the same
-- OID would inherit), its open SLA clocks (breached and announced by the
-- sweep later) and the triggers on its events tables would stay behind. SECURITY DEFINER: the role dropping
-- its own table needs no rights on leadscore's tables; it acts only on the
-- objects PostgreSQL reports dropped.
CREATE FUNCTION @extschema@._forget_dropped_tables()
    RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    dropped oid;
BEGIN
    FOR dropped IN
        SELECT d.objid FROM pg_event_trigger_dropped_objects() AS d
        WHERE d.classid = 'pg_class'::regclass AND d.objsubid = 0
    LOOP
        IF EXISTS (SELECT FROM @extschema@.event_attachments AS x WHERE x.events = dropped) THEN
            PERFORM @extschema@.detach_events(dropped::regclass);
        END IF;
        IF EXISTS (SELECT FROM @extschema@.attachment_configs AS a WHERE a.target = dropped) THEN
            PERFORM @extschema@.detach(dropped::regclass);
            DELETE FROM @extschema@.sla_unwritten_rows AS w WHERE w.target = dropped;
        END IF;
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION @extschema@._forget_dropped_tables() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._forget_dropped_tables() IS
    'event trigger: detaches tables dropped while attached (their clocks closed, their events tables'' triggers removed)';

CREATE EVENT TRIGGER leadscore_forget_dropped_tables ON sql_drop
    EXECUTE FUNCTION @extschema@._forget_dropped_tables();
COMMENT ON EVENT TRIGGER leadscore_forget_dropped_tables IS
    'detaches a table dropped while attached, and forgets a dropped events table';

-- An events table's values are compared and counted as the events table's
-- owner: the key's input function, a domain's CHECK and a cast of the type
-- column are that owner's code, and must not run as the extension's owner.
-- What runs as the extension's owner reads the new rows' keys only through
-- their type's output function, as the clocks store them.
CREATE FUNCTION @extschema@._query_as_owner(target regclass, statement text, arguments jsonb)
    RETURNS jsonb AS 'MODULE_PATHNAME', 'query_as_owner'
    LANGUAGE C;
REVOKE ALL ON FUNCTION @extschema@._query_as_owner(regclass, text, jsonb) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._query_as_owner(regclass, text, jsonb) IS
    'internal: runs leadscore''s query of a CRM table as the table''s owner, arguments and answer as jsonb';

-- The key column of an attached table, for rescore_in_batches (run by the
-- table's owner, who may not read other owners' rows of attachment_configs).
CREATE FUNCTION @extschema@._key_column(target regclass)
    RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT a.config ->> 'key_column' FROM @extschema@.attachment_configs AS a WHERE a.target = _key_column.target
$$;
-- Not for PUBLIC: it would show any role the attachment of any table.
REVOKE ALL ON FUNCTION @extschema@._key_column(regclass) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._key_column(regclass) IS
    'internal: the key column of an attached table';

-- Who runs what.
--
-- The rule: code that belongs to a CRM table's owner (its triggers, domain
-- CHECKs, casts, index expressions, row-level security) always runs as that
-- owner, never as the extension's owner and never as a superuser who calls
-- leadscore. A table's owner attaches, detaches, attaches events to and
-- rescores its own tables without superuser rights, and nothing else; no
-- role reads another owner's configuration or history through leadscore.
--
-- So the management functions are gates (C, run as the caller) in front of
-- privileged functions (SECURITY DEFINER, not executable by PUBLIC) that
-- are told who called and check it (privileged_call.cpp says why it takes
-- C); every statement rescore builds of a CRM table runs as that table's
-- owner (_rescore_as_owner), so that a superuser's nightly rescore does not
-- run the owner's CHECKs, casts and triggers as the superuser; the leads of
-- new events are locked before their engagement is computed (else an event
-- committed by a transaction the trigger waited for would not be counted);
-- and leadscore's tables show each role the rows of the tables it may read
-- (row-level security), so that no write right on them reaches another
-- owner's attachment.

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
REVOKE ALL ON FUNCTION @extschema@._detach_privileged(regclass, oid) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._detach_privileged(regclass, oid) IS
    'internal: detach''s work, as the extension''s owner, for a caller who owns the table';

-- The operator of a CRM table's key column for a btree strategy (1 <, 2 <=,
-- 3 =, 4 >=, 5 >), from the type's default btree operator class and named
-- with its schema: leadscore's statements run with search_path pinned to
-- pg_catalog, where a citext or isbn key's operators are not. NULL when the
-- column is gone or its type has no such class (arrays, ranges, composites).
-- (C++: src/pg/common/key_operator.cpp, which the events trigger uses too.)
CREATE FUNCTION @extschema@._key_operator(target regclass, key_column text, strategy integer)
    RETURNS text AS 'MODULE_PATHNAME', 'key_operator_of'
    LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION @extschema@._key_operator(regclass, text, integer) IS
    'internal: a CRM table''s key operator for a btree strategy, from its type''s default btree class, schema-qualified';
