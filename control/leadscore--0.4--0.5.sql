-- leadscore 0.5: a deleted or truncated lead's SLA clocks close.
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

-- Tables attached with SLA policies before 0.5 get the triggers now.
SELECT @extschema@._create_sla_deletion_triggers(a.target)
FROM @extschema@.attachment_configs AS a
WHERE a.config ? 'sla';

-- sla_sweep writes leadscore's tables, which only the extension's owner
-- may: until 0.5 it worked only when the owner ran it (say, the pg_cron job
-- of the superuser who created the extension). It now runs as the owner,
-- and who may run it is granted: EXECUTE is revoked from PUBLIC, so
-- GRANT EXECUTE ON FUNCTION leadscore.sla_sweep(timestamptz) TO the role
-- whose cron job sweeps.
ALTER FUNCTION @extschema@.sla_sweep(timestamptz) SECURITY DEFINER;
REVOKE ALL ON FUNCTION @extschema@.sla_sweep(timestamptz) FROM PUBLIC;
