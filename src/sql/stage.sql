-- leadscore: The lifecycle_stage type, its operators and casts, the default transition policy.
-- Concatenated into leadscore--<version>.sql by the Makefile (SQL_SOURCES), after
-- the files whose objects it uses.

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
COMMENT ON FUNCTION @extschema@.lifecycle_stage_in(cstring) IS
    'lifecycle_stage input: canonical labels and aliases, case-insensitive, blanks and separators ignored';

CREATE FUNCTION @extschema@.lifecycle_stage_out(@extschema@.lifecycle_stage)
    RETURNS cstring
    AS 'MODULE_PATHNAME', 'lifecycle_stage_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.lifecycle_stage_out(@extschema@.lifecycle_stage) IS
    'lifecycle_stage output: the canonical lowercase label';

CREATE FUNCTION @extschema@.lifecycle_stage_recv(internal)
    RETURNS @extschema@.lifecycle_stage
    AS 'MODULE_PATHNAME', 'lifecycle_stage_recv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.lifecycle_stage_recv(internal) IS
    'lifecycle_stage binary input: one byte, the stage code 0 (disqualified) to 9 (customer)';

CREATE FUNCTION @extschema@.lifecycle_stage_send(@extschema@.lifecycle_stage)
    RETURNS bytea
    AS 'MODULE_PATHNAME', 'lifecycle_stage_send'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.lifecycle_stage_send(@extschema@.lifecycle_stage) IS
    'lifecycle_stage binary output: one byte, the stage code 0 (disqualified) to 9 (customer)';

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

------------------------------------------------------------------------------
-- Casts from and to text
------------------------------------------------------------------------------
CREATE FUNCTION @extschema@.lifecycle_stage(text)
    RETURNS @extschema@.lifecycle_stage
    AS 'MODULE_PATHNAME', 'lifecycle_stage_from_text'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.lifecycle_stage(text) IS
    'parses a stage label (canonical or alias) from text';

CREATE FUNCTION @extschema@.text(@extschema@.lifecycle_stage)
    RETURNS text
    AS 'MODULE_PATHNAME', 'lifecycle_stage_to_text'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.text(@extschema@.lifecycle_stage) IS
    'the canonical lowercase label of a stage';

-- Assignment casts let a CRM write text or varchar parameters into a
-- lifecycle_stage column without changing its statements.
CREATE CAST (text AS @extschema@.lifecycle_stage)
    WITH FUNCTION @extschema@.lifecycle_stage(text) AS ASSIGNMENT;
COMMENT ON CAST (text AS @extschema@.lifecycle_stage) IS 'parses a stage label';

CREATE CAST (varchar AS @extschema@.lifecycle_stage)
    WITH FUNCTION @extschema@.lifecycle_stage(text) AS ASSIGNMENT;
COMMENT ON CAST (varchar AS @extschema@.lifecycle_stage) IS 'parses a stage label';

CREATE CAST (@extschema@.lifecycle_stage AS text)
    WITH FUNCTION @extschema@.text(@extschema@.lifecycle_stage) AS ASSIGNMENT;
COMMENT ON CAST (@extschema@.lifecycle_stage AS text) IS 'the canonical label';

CREATE CAST (@extschema@.lifecycle_stage AS varchar)
    WITH FUNCTION @extschema@.text(@extschema@.lifecycle_stage) AS ASSIGNMENT;
COMMENT ON CAST (@extschema@.lifecycle_stage AS varchar) IS 'the canonical label';

------------------------------------------------------------------------------
-- Comparison: operators, btree and hash operator classes, min and max
------------------------------------------------------------------------------

-- These compare stored bytes and never raise an error, hence LEAKPROOF: row
-- level security and security-barrier views can push them into index scans.
CREATE FUNCTION @extschema@.lifecycle_stage_eq(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage)
    RETURNS boolean AS 'MODULE_PATHNAME', 'lifecycle_stage_eq'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.lifecycle_stage_eq(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'implementation of = for lifecycle_stage';

CREATE FUNCTION @extschema@.lifecycle_stage_ne(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage)
    RETURNS boolean AS 'MODULE_PATHNAME', 'lifecycle_stage_ne'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.lifecycle_stage_ne(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'implementation of <> for lifecycle_stage';

CREATE FUNCTION @extschema@.lifecycle_stage_lt(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage)
    RETURNS boolean AS 'MODULE_PATHNAME', 'lifecycle_stage_lt'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.lifecycle_stage_lt(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'implementation of < for lifecycle_stage';

CREATE FUNCTION @extschema@.lifecycle_stage_le(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage)
    RETURNS boolean AS 'MODULE_PATHNAME', 'lifecycle_stage_le'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.lifecycle_stage_le(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'implementation of <= for lifecycle_stage';

CREATE FUNCTION @extschema@.lifecycle_stage_gt(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage)
    RETURNS boolean AS 'MODULE_PATHNAME', 'lifecycle_stage_gt'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.lifecycle_stage_gt(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'implementation of > for lifecycle_stage';

CREATE FUNCTION @extschema@.lifecycle_stage_ge(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage)
    RETURNS boolean AS 'MODULE_PATHNAME', 'lifecycle_stage_ge'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.lifecycle_stage_ge(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'implementation of >= for lifecycle_stage';

CREATE FUNCTION @extschema@.lifecycle_stage_cmp(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage)
    RETURNS integer AS 'MODULE_PATHNAME', 'lifecycle_stage_cmp'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.lifecycle_stage_cmp(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'btree comparison: -1, 0 or 1 in funnel sort order';

CREATE FUNCTION @extschema@.lifecycle_stage_sortsupport(internal)
    RETURNS void AS 'MODULE_PATHNAME', 'lifecycle_stage_sortsupport'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.lifecycle_stage_sortsupport(internal) IS 'btree sort support: byte comparison without a function call per comparison';

CREATE FUNCTION @extschema@.lifecycle_stage_hash(@extschema@.lifecycle_stage)
    RETURNS integer AS 'MODULE_PATHNAME', 'lifecycle_stage_hash'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.lifecycle_stage_hash(@extschema@.lifecycle_stage) IS 'hash support for hash joins, hashed GROUP BY and hash indexes';

CREATE FUNCTION @extschema@.lifecycle_stage_hash_extended(@extschema@.lifecycle_stage, bigint)
    RETURNS bigint AS 'MODULE_PATHNAME', 'lifecycle_stage_hash_extended'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.lifecycle_stage_hash_extended(@extschema@.lifecycle_stage, bigint) IS 'seeded 64-bit hash support for hash partitioning';

CREATE FUNCTION @extschema@.lifecycle_stage_smaller(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage)
    RETURNS @extschema@.lifecycle_stage AS 'MODULE_PATHNAME', 'lifecycle_stage_smaller'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.lifecycle_stage_smaller(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'the earlier of two stages (transition function of min)';

CREATE FUNCTION @extschema@.lifecycle_stage_larger(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage)
    RETURNS @extschema@.lifecycle_stage AS 'MODULE_PATHNAME', 'lifecycle_stage_larger'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.lifecycle_stage_larger(@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'the later of two stages (transition function of max)';

CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.lifecycle_stage, RIGHTARG = @extschema@.lifecycle_stage,
    FUNCTION = @extschema@.lifecycle_stage_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
COMMENT ON OPERATOR @extschema@.= (@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'same stage';

CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.lifecycle_stage, RIGHTARG = @extschema@.lifecycle_stage,
    FUNCTION = @extschema@.lifecycle_stage_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = neqsel, JOIN = neqjoinsel
);
COMMENT ON OPERATOR @extschema@.<> (@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'different stages';

CREATE OPERATOR @extschema@.< (
    LEFTARG = @extschema@.lifecycle_stage, RIGHTARG = @extschema@.lifecycle_stage,
    FUNCTION = @extschema@.lifecycle_stage_lt,
    COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
    RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
COMMENT ON OPERATOR @extschema@.< (@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'earlier in sort order (side stages first, then the funnel)';

CREATE OPERATOR @extschema@.<= (
    LEFTARG = @extschema@.lifecycle_stage, RIGHTARG = @extschema@.lifecycle_stage,
    FUNCTION = @extschema@.lifecycle_stage_le,
    COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
    RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
COMMENT ON OPERATOR @extschema@.<= (@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'earlier or same in sort order';

CREATE OPERATOR @extschema@.> (
    LEFTARG = @extschema@.lifecycle_stage, RIGHTARG = @extschema@.lifecycle_stage,
    FUNCTION = @extschema@.lifecycle_stage_gt,
    COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
    RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
COMMENT ON OPERATOR @extschema@.> (@extschema@.lifecycle_stage, @extschema@.lifecycle_stage) IS 'later in sort order (stage > ''lead'' means past lead in the funnel)';

CREATE OPERATOR @extschema@.>= (
    LEFTARG = @extschema@.lifecycle_stage, RIGHTARG = @extschema@.lifecycle_stage,
    FUNCTION = @extschema@.lifecycle_stage_ge,
    COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
    RESTRICT = scalargesel, JOIN = scalargejoinsel
);
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
COMMENT ON OPERATOR CLASS @extschema@.lifecycle_stage_ops USING btree IS
    'btree: ORDER BY, merge joins, range scans, B-tree deduplication';

CREATE OPERATOR CLASS @extschema@.lifecycle_stage_hash_ops
    DEFAULT FOR TYPE @extschema@.lifecycle_stage USING hash AS
        OPERATOR 1 @extschema@.=,
        FUNCTION 1 @extschema@.lifecycle_stage_hash(@extschema@.lifecycle_stage),
        FUNCTION 2 @extschema@.lifecycle_stage_hash_extended(@extschema@.lifecycle_stage, bigint);
COMMENT ON OPERATOR CLASS @extschema@.lifecycle_stage_hash_ops USING hash IS
    'hash: hash joins, hashed GROUP BY and DISTINCT, hash indexes and hash partitioning';

CREATE AGGREGATE @extschema@.min(@extschema@.lifecycle_stage) (
    SFUNC = @extschema@.lifecycle_stage_smaller,
    STYPE = @extschema@.lifecycle_stage,
    COMBINEFUNC = @extschema@.lifecycle_stage_smaller,
    SORTOP = OPERATOR(@extschema@.<),
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.min(@extschema@.lifecycle_stage) IS
    'the earliest stage in sort order; can use a btree index';

CREATE AGGREGATE @extschema@.max(@extschema@.lifecycle_stage) (
    SFUNC = @extschema@.lifecycle_stage_larger,
    STYPE = @extschema@.lifecycle_stage,
    COMBINEFUNC = @extschema@.lifecycle_stage_larger,
    SORTOP = OPERATOR(@extschema@.>),
    PARALLEL = SAFE
);
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
