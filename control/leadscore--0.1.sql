-- leadscore 0.1: the lifecycle_stage type and the default transition policy.
\echo Use "CREATE EXTENSION leadscore" to load this file. \quit

COMMENT ON SCHEMA @extschema@ IS
    'leadscore: B2B lead lifecycle stages, transition rules, scoring and SLAs';
-- The type and the functions are for every role (analysts, CRM roles); the
-- tables inside keep their own privileges (owner only unless granted).
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;

------------------------------------------------------------------------------
-- The type
------------------------------------------------------------------------------

CREATE TYPE @extschema@.lifecycle_stage;

CREATE FUNCTION @extschema@.lifecycle_stage_in(cstring)
    RETURNS @extschema@.lifecycle_stage
    AS 'MODULE_PATHNAME', 'lifecycle_stage_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.lifecycle_stage_out(@extschema@.lifecycle_stage)
    RETURNS cstring
    AS 'MODULE_PATHNAME', 'lifecycle_stage_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.lifecycle_stage_recv(internal)
    RETURNS @extschema@.lifecycle_stage
    AS 'MODULE_PATHNAME', 'lifecycle_stage_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.lifecycle_stage_send(@extschema@.lifecycle_stage)
    RETURNS bytea
    AS 'MODULE_PATHNAME', 'lifecycle_stage_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- One byte, passed by value: a stage costs what a "char" costs.
CREATE TYPE @extschema@.lifecycle_stage (
    INPUT = @extschema@.lifecycle_stage_in,
    OUTPUT = @extschema@.lifecycle_stage_out,
    RECEIVE = @extschema@.lifecycle_stage_recv,
    SEND = @extschema@.lifecycle_stage_send,
    INTERNALLENGTH = 1,
    PASSEDBYVALUE,
    ALIGNMENT = char,
    STORAGE = plain,
    CATEGORY = 'E'
);

COMMENT ON TYPE @extschema@.lifecycle_stage IS
    'B2B lifecycle stage: disqualified < recycled < visitor < lead < mql < pql < sal < sql < opportunity < customer; input accepts aliases (see leadscore.stage_labels())';
COMMENT ON FUNCTION @extschema@.lifecycle_stage_in(cstring) IS
    'lifecycle_stage input: canonical labels and aliases, case-insensitive, blanks and separators ignored';
COMMENT ON FUNCTION @extschema@.lifecycle_stage_out(@extschema@.lifecycle_stage) IS
    'lifecycle_stage output: the canonical lowercase label';
COMMENT ON FUNCTION @extschema@.lifecycle_stage_recv(internal) IS
    'lifecycle_stage binary input: one byte, the stage code 0 (disqualified) to 9 (customer)';
COMMENT ON FUNCTION @extschema@.lifecycle_stage_send(@extschema@.lifecycle_stage) IS
    'lifecycle_stage binary output: one byte, the stage code 0 (disqualified) to 9 (customer)';

------------------------------------------------------------------------------
-- Casts from and to text
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.lifecycle_stage(text)
    RETURNS @extschema@.lifecycle_stage
    AS 'MODULE_PATHNAME', 'lifecycle_stage_from_text'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.text(@extschema@.lifecycle_stage)
    RETURNS text
    AS 'MODULE_PATHNAME', 'lifecycle_stage_to_text'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.lifecycle_stage(text) IS
    'parses a stage label (canonical or alias) from text';
COMMENT ON FUNCTION @extschema@.text(@extschema@.lifecycle_stage) IS
    'the canonical lowercase label of a stage';

-- Assignment casts let a CRM write text or varchar parameters into a
-- lifecycle_stage column without changing its statements.
CREATE CAST (text AS @extschema@.lifecycle_stage)
    WITH FUNCTION @extschema@.lifecycle_stage(text) AS ASSIGNMENT;
CREATE CAST (varchar AS @extschema@.lifecycle_stage)
    WITH FUNCTION @extschema@.lifecycle_stage(text) AS ASSIGNMENT;
CREATE CAST (@extschema@.lifecycle_stage AS text)
    WITH FUNCTION @extschema@.text(@extschema@.lifecycle_stage) AS ASSIGNMENT;
CREATE CAST (@extschema@.lifecycle_stage AS varchar)
    WITH FUNCTION @extschema@.text(@extschema@.lifecycle_stage) AS ASSIGNMENT;

COMMENT ON CAST (text AS @extschema@.lifecycle_stage) IS 'parses a stage label';
COMMENT ON CAST (varchar AS @extschema@.lifecycle_stage) IS 'parses a stage label';
COMMENT ON CAST (@extschema@.lifecycle_stage AS text) IS 'the canonical label';
COMMENT ON CAST (@extschema@.lifecycle_stage AS varchar) IS 'the canonical label';

------------------------------------------------------------------------------
-- Comparison: operators, btree and hash operator classes, min and max
------------------------------------------------------------------------------

-- These compare stored bytes and never raise an error, hence LEAKPROOF: row
-- level security and security-barrier views can push them into index scans.
CREATE FUNCTION @extschema@.lifecycle_stage_eq(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage)
    RETURNS boolean AS 'MODULE_PATHNAME', 'lifecycle_stage_eq'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.lifecycle_stage_ne(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage)
    RETURNS boolean AS 'MODULE_PATHNAME', 'lifecycle_stage_ne'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.lifecycle_stage_lt(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage)
    RETURNS boolean AS 'MODULE_PATHNAME', 'lifecycle_stage_lt'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.lifecycle_stage_le(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage)
    RETURNS boolean AS 'MODULE_PATHNAME', 'lifecycle_stage_le'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.lifecycle_stage_gt(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage)
    RETURNS boolean AS 'MODULE_PATHNAME', 'lifecycle_stage_gt'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.lifecycle_stage_ge(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage)
    RETURNS boolean AS 'MODULE_PATHNAME', 'lifecycle_stage_ge'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.lifecycle_stage_cmp(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage)
    RETURNS integer AS 'MODULE_PATHNAME', 'lifecycle_stage_cmp'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.lifecycle_stage_sortsupport(internal)
    RETURNS void AS 'MODULE_PATHNAME', 'lifecycle_stage_sortsupport'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.lifecycle_stage_hash(@extschema@.lifecycle_stage)
    RETURNS integer AS 'MODULE_PATHNAME', 'lifecycle_stage_hash'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.lifecycle_stage_hash_extended(@extschema@.lifecycle_stage, bigint)
    RETURNS bigint AS 'MODULE_PATHNAME', 'lifecycle_stage_hash_extended'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.lifecycle_stage_smaller(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage)
    RETURNS @extschema@.lifecycle_stage AS 'MODULE_PATHNAME', 'lifecycle_stage_smaller'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.lifecycle_stage_larger(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage)
    RETURNS @extschema@.lifecycle_stage AS 'MODULE_PATHNAME', 'lifecycle_stage_larger'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.lifecycle_stage_eq(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'implementation of = for lifecycle_stage';
COMMENT ON FUNCTION @extschema@.lifecycle_stage_ne(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'implementation of <> for lifecycle_stage';
COMMENT ON FUNCTION @extschema@.lifecycle_stage_lt(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'implementation of < for lifecycle_stage';
COMMENT ON FUNCTION @extschema@.lifecycle_stage_le(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'implementation of <= for lifecycle_stage';
COMMENT ON FUNCTION @extschema@.lifecycle_stage_gt(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'implementation of > for lifecycle_stage';
COMMENT ON FUNCTION @extschema@.lifecycle_stage_ge(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'implementation of >= for lifecycle_stage';
COMMENT ON FUNCTION @extschema@.lifecycle_stage_cmp(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'btree comparison: -1, 0 or 1 in funnel sort order';
COMMENT ON FUNCTION @extschema@.lifecycle_stage_sortsupport(internal) IS 'btree sort support: byte comparison without a function call per comparison';
COMMENT ON FUNCTION @extschema@.lifecycle_stage_hash(@extschema@.lifecycle_stage) IS 'hash support for hash joins, hashed GROUP BY and hash indexes';
COMMENT ON FUNCTION @extschema@.lifecycle_stage_hash_extended(@extschema@.lifecycle_stage, bigint) IS 'seeded 64-bit hash support for hash partitioning';
COMMENT ON FUNCTION @extschema@.lifecycle_stage_smaller(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'the earlier of two stages (transition function of min)';
COMMENT ON FUNCTION @extschema@.lifecycle_stage_larger(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'the later of two stages (transition function of max)';

CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.lifecycle_stage, RIGHTARG = @extschema@.lifecycle_stage,
    FUNCTION = @extschema@.lifecycle_stage_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.lifecycle_stage, RIGHTARG = @extschema@.lifecycle_stage,
    FUNCTION = @extschema@.lifecycle_stage_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR @extschema@.< (
    LEFTARG = @extschema@.lifecycle_stage, RIGHTARG = @extschema@.lifecycle_stage,
    FUNCTION = @extschema@.lifecycle_stage_lt,
    COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
    RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR @extschema@.<= (
    LEFTARG = @extschema@.lifecycle_stage, RIGHTARG = @extschema@.lifecycle_stage,
    FUNCTION = @extschema@.lifecycle_stage_le,
    COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
    RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR @extschema@.> (
    LEFTARG = @extschema@.lifecycle_stage, RIGHTARG = @extschema@.lifecycle_stage,
    FUNCTION = @extschema@.lifecycle_stage_gt,
    COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
    RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR @extschema@.>= (
    LEFTARG = @extschema@.lifecycle_stage, RIGHTARG = @extschema@.lifecycle_stage,
    FUNCTION = @extschema@.lifecycle_stage_ge,
    COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
    RESTRICT = scalargesel, JOIN = scalargejoinsel
);

COMMENT ON OPERATOR @extschema@.= (@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'same stage';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'different stages';
COMMENT ON OPERATOR @extschema@.< (@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'earlier in sort order (side stages first, then the funnel)';
COMMENT ON OPERATOR @extschema@.<= (@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'earlier or same in sort order';
COMMENT ON OPERATOR @extschema@.> (@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'later in sort order (stage > ''lead'' means past lead in the funnel)';
COMMENT ON OPERATOR @extschema@.>= (@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'later or same in sort order (stage >= ''mql'' means reached MQL)';

CREATE OPERATOR CLASS @extschema@.lifecycle_stage_ops
    DEFAULT FOR TYPE @extschema@.lifecycle_stage USING btree AS
        OPERATOR 1 @extschema@.<,
        OPERATOR 2 @extschema@.<=,
        OPERATOR 3 @extschema@.=,
        OPERATOR 4 @extschema@.>=,
        OPERATOR 5 @extschema@.>,
        FUNCTION 1 @extschema@.lifecycle_stage_cmp(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage),
        FUNCTION 2 @extschema@.lifecycle_stage_sortsupport(internal),
        FUNCTION 4 btequalimage(oid);

CREATE OPERATOR CLASS @extschema@.lifecycle_stage_hash_ops
    DEFAULT FOR TYPE @extschema@.lifecycle_stage USING hash AS
        OPERATOR 1 @extschema@.=,
        FUNCTION 1 @extschema@.lifecycle_stage_hash(@extschema@.lifecycle_stage),
        FUNCTION 2 @extschema@.lifecycle_stage_hash_extended(@extschema@.lifecycle_stage, bigint);

COMMENT ON OPERATOR CLASS @extschema@.lifecycle_stage_ops USING btree IS
    'btree: ORDER BY, merge joins, range scans, B-tree deduplication';
COMMENT ON OPERATOR CLASS @extschema@.lifecycle_stage_hash_ops USING hash IS
    'hash: hash joins, hashed GROUP BY and DISTINCT, hash indexes and hash partitioning';

CREATE AGGREGATE @extschema@.min(@extschema@.lifecycle_stage) (
    SFUNC = @extschema@.lifecycle_stage_smaller,
    STYPE = @extschema@.lifecycle_stage,
    COMBINEFUNC = @extschema@.lifecycle_stage_smaller,
    SORTOP = OPERATOR(@extschema@.<),
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.max(@extschema@.lifecycle_stage) (
    SFUNC = @extschema@.lifecycle_stage_larger,
    STYPE = @extschema@.lifecycle_stage,
    COMBINEFUNC = @extschema@.lifecycle_stage_larger,
    SORTOP = OPERATOR(@extschema@.>),
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.min(@extschema@.lifecycle_stage) IS
    'the earliest stage in sort order; can use a btree index';
COMMENT ON AGGREGATE @extschema@.max(@extschema@.lifecycle_stage) IS
    'the latest stage in sort order, e.g. the furthest a group of leads got; can use a btree index';

------------------------------------------------------------------------------
-- Helpers
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.stage_rank(@extschema@.lifecycle_stage)
    RETURNS integer AS 'MODULE_PATHNAME', 'stage_rank'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.stage_rank(@extschema@.lifecycle_stage) IS
    'position in the sort order: 1 (disqualified) to 10 (customer)';

CREATE FUNCTION @extschema@.is_funnel_stage(@extschema@.lifecycle_stage)
    RETURNS boolean AS 'MODULE_PATHNAME', 'is_funnel_stage'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.is_funnel_stage(@extschema@.lifecycle_stage) IS
    'true for visitor through customer, false for the side stages recycled and disqualified';

CREATE FUNCTION @extschema@.stages()
    RETURNS SETOF @extschema@.lifecycle_stage AS 'MODULE_PATHNAME', 'stages'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION @extschema@.stages() IS
    'every stage, in sort order';

CREATE FUNCTION @extschema@.stage_labels(
        OUT label text, OUT stage @extschema@.lifecycle_stage, OUT note text)
    RETURNS SETOF record AS 'MODULE_PATHNAME', 'stage_labels'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 40;
COMMENT ON FUNCTION @extschema@.stage_labels() IS
    'the labels lifecycle_stage input accepts (canonical labels and aliases) and, with a NULL stage, those it rejects as ambiguous';

------------------------------------------------------------------------------
-- Transition rules
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.can_transition(
        "from" @extschema@.lifecycle_stage, "to" @extschema@.lifecycle_stage)
    RETURNS boolean AS 'MODULE_PATHNAME', 'can_transition'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.can_transition(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS
    'whether the default policy allows a move from one stage to another; NULL -> any stage is a first assignment and allowed, clearing a stage is not';

CREATE FUNCTION @extschema@.transition_error(
        "from" @extschema@.lifecycle_stage, "to" @extschema@.lifecycle_stage)
    RETURNS text AS 'MODULE_PATHNAME', 'transition_error'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.transition_error(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS
    'why the default policy refuses a move, or NULL when it is allowed';

------------------------------------------------------------------------------
-- Diagnostics
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.boundary_probe(failure text, depth integer DEFAULT 10)
    RETURNS integer AS 'MODULE_PATHNAME', 'boundary_probe'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.boundary_probe(text, integer) IS
    'diagnostic: recurses depth frames in the C++ core and fails as asked (none, core_error, out_of_memory, std_exception, foreign_object), to check that C++ errors surface as clean ERRORs';

------------------------------------------------------------------------------
-- Attaching CRM tables: config, history, triggers
------------------------------------------------------------------------------

CREATE TABLE @extschema@.attachment_configs (
    target regclass PRIMARY KEY,
    config jsonb NOT NULL,
    attached_at timestamptz NOT NULL DEFAULT now(),
    attached_by name NOT NULL DEFAULT current_user
);
COMMENT ON TABLE @extschema@.attachment_configs IS
    'one row per table attached with leadscore.attach: its normalised config (kept by pg_dump)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.attachment_configs', '');

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
SELECT pg_catalog.pg_extension_config_dump('@extschema@.stage_history', '');
COMMENT ON SEQUENCE @extschema@.stage_history_id_seq IS 'identity of leadscore.stage_history rows';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.stage_history_id_seq', '');

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
COMMENT ON FUNCTION @extschema@.refuse_history_change() IS
    'trigger keeping leadscore.stage_history insert-only';
CREATE TRIGGER insert_only BEFORE UPDATE OR DELETE ON @extschema@.stage_history
    FOR EACH ROW EXECUTE FUNCTION @extschema@.refuse_history_change();
CREATE TRIGGER insert_only_truncate BEFORE TRUNCATE ON @extschema@.stage_history
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.refuse_history_change();

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

CREATE FUNCTION @extschema@.attach(target regclass, config jsonb)
    RETURNS jsonb LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    normalised jsonb := @extschema@._attachment_config(target, config);
    stage_column text := normalised ->> 'stage_column';
    -- Triggers fire only when the stage column changes, so an UPDATE of other
    -- columns costs no more than PostgreSQL's own per-row trigger floor.
    stage_changed text := format('(OLD.%1$I)::text IS DISTINCT FROM (NEW.%1$I)::text', stage_column);
    stage_set text := format('NEW.%I IS NOT NULL', stage_column);
BEGIN
    PERFORM @extschema@._drop_triggers(target);
    -- The zz_ prefix makes these fire after the table's other BEFORE triggers
    -- (PostgreSQL fires them in name order), so they see the final row. There
    -- is deliberately no AFTER UPDATE trigger (see lifecycle_trigger.cpp).
    EXECUTE format('CREATE TRIGGER zz_leadscore_before_insert BEFORE INSERT ON %s FOR EACH ROW '
                   'WHEN (%s) EXECUTE FUNCTION @extschema@.lifecycle_trigger(%L)',
                   target, stage_set, normalised);
    EXECUTE format('CREATE TRIGGER zz_leadscore_before_update BEFORE UPDATE OF %I ON %s FOR EACH ROW '
                   'WHEN (%s) EXECUTE FUNCTION @extschema@.lifecycle_trigger(%L)',
                   stage_column, target, stage_changed, normalised);
    EXECUTE format('CREATE TRIGGER zz_leadscore_after_insert AFTER INSERT ON %s FOR EACH ROW '
                   'WHEN (%s) EXECUTE FUNCTION @extschema@.lifecycle_trigger(%L)',
                   target, stage_set, normalised);
    INSERT INTO @extschema@.attachment_configs AS a (target, config)
    VALUES (target, normalised)
    ON CONFLICT ON CONSTRAINT attachment_configs_pkey
    DO UPDATE SET config = excluded.config, attached_at = now(), attached_by = current_user;
    RETURN normalised;
END
$$;
COMMENT ON FUNCTION @extschema@.attach(regclass, jsonb) IS
    'attaches leadscore to a CRM table: its INSERTs and UPDATEs are validated, stamped and recorded; returns the normalised config; attaching again replaces the config';

CREATE FUNCTION @extschema@.detach(target regclass)
    RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF target IS NULL THEN
        RAISE EXCEPTION 'leadscore.detach needs a table, got NULL'
            USING ERRCODE = '22004', HINT = 'Example: SELECT leadscore.detach(''crm.contacts'');';
    END IF;
    DELETE FROM @extschema@.attachment_configs AS a WHERE a.target = detach.target;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'table % is not attached to leadscore', target
            USING ERRCODE = '42704', HINT = 'leadscore.attachments lists the attached tables.';
    END IF;
    PERFORM @extschema@._drop_triggers(target);
END
$$;
COMMENT ON FUNCTION @extschema@.detach(regclass) IS
    'removes leadscore''s triggers from a table; its data and its history stay';

CREATE VIEW @extschema@.attachments AS
SELECT a.target,
       a.config ->> 'stage_column' AS stage_column,
       a.config ->> 'key_column' AS key_column,
       a.config ->> 'mode' AS mode,
       a.config,
       a.attached_at,
       a.attached_by,
       (SELECT count(*) FROM pg_catalog.pg_trigger AS t
        WHERE t.tgrelid = a.target AND t.tgname LIKE 'zz\_leadscore\_%') = 3 AS triggers_present
FROM @extschema@.attachment_configs AS a;
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

------------------------------------------------------------------------------
-- Classifiers for fit scoring
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.title_seniority(title text)
    RETURNS text AS 'MODULE_PATHNAME', 'title_seniority'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.title_seniority(text) IS
    'seniority band of a job title: c_level, vp, director, manager, individual, student, or unknown (NULL or empty title)';

CREATE FUNCTION @extschema@.email_kind(email text)
    RETURNS text AS 'MODULE_PATHNAME', 'email_kind'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.email_kind(text) IS
    'kind of an email address: business, personal (free mail), student (academic domain), role (info@, sales@ ...), or invalid';
