-- leadscore: Calibration: ROC AUC, the recommended MQL threshold, the threshold curve.
-- Concatenated into leadscore--<version>.sql by the Makefile (SQL_SOURCES), after
-- the files whose objects it uses.

------------------------------------------------------------------------------
-- Calibration: ROC AUC, the recommended MQL threshold, the threshold curve
------------------------------------------------------------------------------
CREATE TYPE @extschema@.threshold_point AS (
    threshold numeric,
    leads bigint,
    converted bigint,
    conversion_rate float8,
    share_of_conversions float8
);
COMMENT ON TYPE @extschema@.threshold_point IS
    'one candidate threshold of threshold_curve: the leads scoring at or above it, how many converted, their conversion rate and their share of all conversions';

CREATE FUNCTION @extschema@._calibration_transition(internal, float8, boolean)
    RETURNS internal AS 'MODULE_PATHNAME', 'calibration_transition_float8'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._calibration_transition(internal, float8, boolean) IS
    'internal: counts outcomes per distinct score (score_auc)';

CREATE FUNCTION @extschema@._calibration_transition(internal, numeric, boolean)
    RETURNS internal AS 'MODULE_PATHNAME', 'calibration_transition_numeric'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._calibration_transition(internal, numeric, boolean) IS
    'internal: counts outcomes per distinct score (threshold_curve)';

CREATE FUNCTION @extschema@._calibration_transition(internal, numeric, boolean, float8)
    RETURNS internal AS 'MODULE_PATHNAME', 'calibration_transition_numeric'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._calibration_transition(internal, numeric, boolean, float8) IS
    'internal: counts outcomes per distinct score (recommend_threshold)';

CREATE FUNCTION @extschema@._calibration_combine(internal, internal)
    RETURNS internal AS 'MODULE_PATHNAME', 'calibration_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._calibration_combine(internal, internal) IS
    'internal: merges two calibration states';

CREATE FUNCTION @extschema@._calibration_serialize(internal)
    RETURNS bytea AS 'MODULE_PATHNAME', 'calibration_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._calibration_serialize(internal) IS
    'internal: a calibration state as bytes';

CREATE FUNCTION @extschema@._calibration_deserialize(bytea, internal)
    RETURNS internal AS 'MODULE_PATHNAME', 'calibration_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._calibration_deserialize(bytea, internal) IS
    'internal: a calibration state from bytes, every byte checked';

CREATE FUNCTION @extschema@._score_auc_final(internal)
    RETURNS float8 AS 'MODULE_PATHNAME', 'score_auc_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._score_auc_final(internal) IS
    'internal: the ROC AUC of the counted outcomes';

CREATE FUNCTION @extschema@._recommend_threshold_final(internal)
    RETURNS numeric AS 'MODULE_PATHNAME', 'recommend_threshold_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._recommend_threshold_final(internal) IS
    'internal: the lowest score whose leads at or above it convert at the target rate';

CREATE FUNCTION @extschema@._threshold_curve_final(internal)
    RETURNS @extschema@.threshold_point[] AS 'MODULE_PATHNAME', 'threshold_curve_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._threshold_curve_final(internal) IS
    'internal: one threshold_point per distinct score';

CREATE AGGREGATE @extschema@.score_auc(score float8, converted boolean) (
    SFUNC = @extschema@._calibration_transition, STYPE = internal,
    FINALFUNC = @extschema@._score_auc_final, 
    COMBINEFUNC = @extschema@._calibration_combine,
    SERIALFUNC = @extschema@._calibration_serialize,
    DESERIALFUNC = @extschema@._calibration_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.score_auc(float8, boolean) IS
    'ROC AUC of a score against conversion, ties counted as half (exact); NULL without both converted and unconverted leads';

CREATE AGGREGATE @extschema@.recommend_threshold(score numeric, converted boolean, target_rate float8) (
    SFUNC = @extschema@._calibration_transition, STYPE = internal,
    FINALFUNC = @extschema@._recommend_threshold_final, 
    COMBINEFUNC = @extschema@._calibration_combine,
    SERIALFUNC = @extschema@._calibration_serialize,
    DESERIALFUNC = @extschema@._calibration_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.recommend_threshold(numeric, boolean, float8) IS
    'the lowest score at which leads scoring at or above it convert at no less than target_rate (seed 000: 0.25); NULL when none does';

CREATE AGGREGATE @extschema@.threshold_curve(score numeric, converted boolean) (
    SFUNC = @extschema@._calibration_transition, STYPE = internal,
    FINALFUNC = @extschema@._threshold_curve_final, 
    COMBINEFUNC = @extschema@._calibration_combine,
    SERIALFUNC = @extschema@._calibration_serialize,
    DESERIALFUNC = @extschema@._calibration_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.threshold_curve(numeric, boolean) IS
    'for every distinct score as a threshold: leads at or above it, how many converted, their rate and their share of all conversions (unnest it)';

-- For tests of the deserialisation checks.
CREATE AGGREGATE @extschema@._calibration_state(score float8, converted boolean) (
    SFUNC = @extschema@._calibration_transition, STYPE = internal,
    FINALFUNC = @extschema@._calibration_serialize, 
    COMBINEFUNC = @extschema@._calibration_combine,
    SERIALFUNC = @extschema@._calibration_serialize,
    DESERIALFUNC = @extschema@._calibration_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@._calibration_state(float8, boolean) IS
    'internal: a calibration state as the bytes parallel workers exchange';

CREATE FUNCTION @extschema@._score_auc_of_state(state bytea)
    RETURNS float8 AS 'MODULE_PATHNAME', 'score_auc_of_state'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._score_auc_of_state(bytea) IS
    'internal: checks serialised calibration state bytes as deserialisation does, and computes their AUC';
