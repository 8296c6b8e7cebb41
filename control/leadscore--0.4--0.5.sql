-- leadscore 0.5: a deleted or truncated lead's SLA clocks close; fit is
-- computed by the lifecycle trigger when a lead is inserted or one of its
-- fit attributes changes; sla_sweep runs as the extension's owner.
\echo Use "ALTER EXTENSION leadscore UPDATE TO '0.5'" to load this file. \quit

-- Until 0.5 a lead deleted from an attached table kept its open clocks:
-- the sweep breached them later and notified sales about a lead that no
-- longer existed (and queued its row write at every sweep). Now they close
-- when the lead goes, as if it had left its stage unmet: breached when they
-- already were or are past due, else cancelled.

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

-- attach's SLA step: 0.3's checks and triggers (kept under a new name, so
-- their body is not repeated here), then the deletion triggers.
ALTER FUNCTION @extschema@._attach_sla(regclass, jsonb) RENAME TO _attach_sla_policies;
COMMENT ON FUNCTION @extschema@._attach_sla_policies(regclass, jsonb) IS
    'internal: checks an attach config''s SLA calendars and events tables, and creates the triggers that meet SLA clocks';
CREATE FUNCTION @extschema@._attach_sla(target regclass, normalised jsonb)
    RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- (drops the table's SLA triggers first, these included)
    PERFORM @extschema@._attach_sla_policies(target, normalised);
    IF normalised ? 'sla' THEN
        PERFORM @extschema@._create_sla_deletion_triggers(target);
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@._attach_sla(regclass, jsonb) IS
    'internal: checks an attach config''s SLA calendars and events tables, and creates the SLA triggers';

-- attach: the lifecycle trigger now computes fit from the fit_attributes'
-- columns (C++, fit_on_write), so its UPDATE trigger also watches those
-- columns (by their type's equality, or as text for a type without one,
-- strings in the "C" collation) and its INSERT trigger
-- fires for every row (a lead without attributes has a fit too, as rescore
-- computes it).
CREATE OR REPLACE FUNCTION @extschema@.attach(target regclass, config jsonb)
    RETURNS jsonb LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    normalised jsonb := @extschema@._attachment_config(target, config);
    -- Each watched column with how its change is told: the stage as text
    -- (any column type), the scores as numbers, the fit attributes below.
    watched text[] := ARRAY[normalised ->> 'stage_column'];
    compare text[] := ARRAY['(OLD.%1$I)::text IS DISTINCT FROM (NEW.%1$I)::text'];
    score_key text;
    attribute_column text;
    changed text;
    is_set text;
    fit_on_write boolean;
BEGIN
    FOREACH score_key IN ARRAY ARRAY['score_column', 'fit_column', 'engagement_column'] LOOP
        IF normalised ->> score_key IS NOT NULL AND NOT (normalised ->> score_key) = ANY (watched) THEN
            watched := watched || (normalised ->> score_key);
            compare := compare || 'OLD.%1$I IS DISTINCT FROM NEW.%1$I'::text;
        END IF;
    END LOOP;
    -- A generated attribute column is computed after BEFORE triggers (and a
    -- trigger's WHEN may not read it): fit is then left to rescore, as
    -- before 0.5, and the trigger does not watch the attributes.
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
    INSERT INTO @extschema@.attachment_configs AS a (target, config)
    VALUES (target, normalised)
    ON CONFLICT ON CONSTRAINT attachment_configs_pkey
    DO UPDATE SET config = excluded.config, attached_at = now(), attached_by = current_user;
    PERFORM @extschema@._attach_sla(target, normalised);
    RETURN normalised;
END
$$;


-- sla_sweep writes leadscore's tables, which only the extension's owner
-- may: until 0.5 it worked only when the owner ran it (say, the pg_cron job
-- of the superuser who created the extension). It now runs as the owner,
-- and who may run it is granted: EXECUTE is revoked from PUBLIC, so
-- GRANT EXECUTE ON FUNCTION leadscore.sla_sweep(timestamptz) TO the role
-- whose cron job sweeps.
ALTER FUNCTION @extschema@.sla_sweep(timestamptz) SECURITY DEFINER;
REVOKE ALL ON FUNCTION @extschema@.sla_sweep(timestamptz) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.attach(regclass, jsonb) IS
    'attaches leadscore to a CRM table: its INSERTs and UPDATEs are validated, stamped and recorded; with score columns a crossed MQL or SQL threshold moves the lead forward, and with fit_attributes fit is computed when a lead is inserted or one of its attributes changes; with an sla key stage entries start response clocks, which a deleted lead closes; returns the normalised config; attaching again replaces the config';

-- A table dropped while attached left its attachment behind: its config
-- row (which a new table given the same OID would inherit), its open SLA
-- clocks (breached and announced by the sweep later), the triggers on its
-- events tables. Now dropping an attached table detaches it, and dropping
-- an attached events table forgets it. SECURITY DEFINER: the role dropping
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

-- Whether a table has events tables is compiled into its attachment (a new
-- lead's engagement then starts as rescore computes it): a change of
-- event_attachments makes the compiled attachments stale.
CREATE TRIGGER event_attachments_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.event_attachments
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._config_changed();

-- What tables dropped before 0.5 left behind goes now.
SELECT @extschema@.detach_events(x.events)
FROM @extschema@.event_attachments AS x
WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_class AS c WHERE c.oid = x.events);
SELECT @extschema@.detach(a.target)
FROM @extschema@.attachment_configs AS a
WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_class AS c WHERE c.oid = a.target);
DELETE FROM @extschema@.sla_unwritten_rows AS w
WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_class AS c WHERE c.oid = w.target);

-- Tables attached with fit attributes before 0.5 are attached again with
-- their own config, so that their triggers watch the attribute columns (and
-- get the SLA deletion triggers with the others); the other tables
-- attached with SLA policies get the deletion triggers. A table whose
-- config no longer holds (a calendar or an events table dropped or renamed
-- since) keeps its triggers as they were, with a WARNING naming it, rather
-- than failing the whole update: attach it again once it is put right.
DO $$
DECLARE
    attached record;
BEGIN
    FOR attached IN
        SELECT a.target, a.config FROM @extschema@.attachment_configs AS a ORDER BY a.target::text
    LOOP
        BEGIN
            IF coalesce(attached.config -> 'fit_attributes', '{}') <> '{}' THEN
                PERFORM @extschema@.attach(attached.target, attached.config);
            ELSIF attached.config ? 'sla' THEN
                PERFORM @extschema@._create_sla_deletion_triggers(attached.target);
            END IF;
        EXCEPTION WHEN OTHERS THEN
            RAISE WARNING 'leadscore 0.5: % keeps the triggers of its earlier attach: %',
                attached.target, SQLERRM
                USING HINT = 'Put its config right and attach it again with leadscore.attach.';
        END;
    END LOOP;
END
$$;

-- rescore in batches, each committed: the nightly rescore of a large table
-- otherwise holds the lock of every lead whose score changes until its one
-- UPDATE ends, and the CRM's own writes to those leads wait for it. Leads
-- are taken in key order (keyset pagination), all scored as of the same
-- instant. A procedure with transaction control cannot have a SET clause,
-- so the search_path is set for each batch's transaction instead.
CREATE PROCEDURE @extschema@.rescore_in_batches(target regclass, batch_size integer DEFAULT 10000,
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
    SELECT format('%I', a.config ->> 'key_column'),
           @extschema@._column_type(rescore_in_batches.target, a.config ->> 'key_column')
      INTO key, key_type
      FROM @extschema@.attachment_configs AS a WHERE a.target = rescore_in_batches.target;
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
COMMENT ON PROCEDURE @extschema@.rescore_in_batches(regclass, integer, timestamptz, bigint) IS
    'rescore in batches of batch_size leads (in key order), each committed, all as of the same instant; returns the number of leads whose scores changed';
