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
