-- leadscore: Scoring models: fit and engagement scores, explanations, grades and thresholds.
-- Concatenated into leadscore--<version>.sql by the Makefile (SQL_SOURCES), after
-- the files whose objects it uses.

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

------------------------------------------------------------------------------
-- Models
------------------------------------------------------------------------------
CREATE FUNCTION @extschema@._check_model(name text, definition jsonb)
    RETURNS jsonb AS 'MODULE_PATHNAME', 'check_model'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._check_model(text, jsonb) IS
    'internal: validates a scoring model definition and returns it with every default written out';

CREATE FUNCTION @extschema@._builtin_default_model()
    RETURNS jsonb AS 'MODULE_PATHNAME', 'builtin_default_model'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._builtin_default_model() IS
    'internal: the built-in model "default" (the seeds'' point values), installed as its version 1';

CREATE TABLE @extschema@.scoring_models (
    name text NOT NULL CHECK (octet_length(name) BETWEEN 1 AND 63),
    version integer NOT NULL CHECK (version > 0),
    definition jsonb NOT NULL,
    defined_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    defined_by name NOT NULL DEFAULT CURRENT_USER,
    PRIMARY KEY (name, version)
);
-- pg_dump keeps every model but the one this script installs.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.scoring_models',
                                           'WHERE NOT (name = ''default'' AND version = 1)');
GRANT SELECT ON @extschema@.scoring_models TO PUBLIC;
INSERT INTO @extschema@.scoring_models (name, version, definition)
VALUES ('default', 1, @extschema@._builtin_default_model());
COMMENT ON TABLE @extschema@.scoring_models IS
    'scoring models, every version kept; the newest version of a name is the one functions use. Write through leadscore.define_model';

CREATE OR REPLACE FUNCTION @extschema@._normalise_model_row()
    RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.definition := @extschema@._normalise_stored_model(NEW.name, NEW.definition);
    RETURN NEW;
END
$$;
CREATE TRIGGER normalise_definition
    BEFORE INSERT OR UPDATE OF name, definition ON @extschema@.scoring_models
    FOR EACH ROW EXECUTE FUNCTION @extschema@._normalise_model_row();
COMMENT ON FUNCTION @extschema@._normalise_model_row() IS
    'internal: validates and normalises a definition written to leadscore.scoring_models';

CREATE FUNCTION @extschema@._models_changed()
    RETURNS trigger AS 'MODULE_PATHNAME', 'models_changed'
    LANGUAGE C;
CREATE TRIGGER models_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.scoring_models
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._models_changed();
COMMENT ON FUNCTION @extschema@._models_changed() IS
    'internal: tells every backend''s model cache that leadscore.scoring_models changed';

CREATE FUNCTION @extschema@.define_model(name text, definition jsonb)
    RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    normalised jsonb := @extschema@._check_model(name, definition);
    current_version integer;
    current_definition jsonb;
BEGIN
    -- One definer of a name at a time, so versions come out gap-free.
    PERFORM pg_advisory_xact_lock(hashtext('leadscore.define_model'), hashtext(name));
    SELECT m.version, m.definition INTO current_version, current_definition
    FROM @extschema@.scoring_models AS m
    WHERE m.name = define_model.name
    ORDER BY m.version DESC LIMIT 1;
    IF current_definition = normalised THEN
        RETURN current_version;  -- unchanged: defining it again is a no-op
    END IF;
    INSERT INTO @extschema@.scoring_models (name, version, definition)
    VALUES (define_model.name, coalesce(current_version, 0) + 1, normalised);
    RETURN coalesce(current_version, 0) + 1;
END
$$;
COMMENT ON FUNCTION @extschema@.define_model(text, jsonb) IS
    'validates a scoring model and stores it as the next version of its name (returned); an unchanged definition keeps its version';

CREATE FUNCTION @extschema@.model_definition(name text, version integer DEFAULT NULL)
    RETURNS jsonb
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    found jsonb;
BEGIN
    SELECT m.definition INTO found
    FROM @extschema@.scoring_models AS m
    WHERE m.name = model_definition.name
      AND (model_definition.version IS NULL OR m.version = model_definition.version)
    ORDER BY m.version DESC LIMIT 1;
    IF found IS NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'undefined_object',
            MESSAGE = format('scoring model %s%s does not exist', to_json(name),
                             CASE WHEN version IS NULL THEN '' ELSE ' version ' || version END),
            HINT = 'Defined models: ' || coalesce((SELECT string_agg(DISTINCT to_json(m.name)::text, ', '
                                                                     ORDER BY to_json(m.name)::text)
                                                   FROM @extschema@.scoring_models AS m), 'none') || '.';
    END IF;
    RETURN found;
END
$$;
COMMENT ON FUNCTION @extschema@.model_definition(text, integer) IS
    'the definition of a scoring model (its newest version unless one is given), every default written out';

CREATE VIEW @extschema@.models AS
SELECT m.name, m.version,
       m.version = max(m.version) OVER (PARTITION BY m.name) AS is_current,
       m.definition ->> 'description' AS description,
       m.defined_at, m.defined_by, m.definition
FROM @extschema@.scoring_models AS m;
GRANT SELECT ON @extschema@.models TO PUBLIC;
COMMENT ON VIEW @extschema@.models IS
    'every version of every scoring model; is_current marks the one the functions use';

------------------------------------------------------------------------------
-- Fit
------------------------------------------------------------------------------
CREATE FUNCTION @extschema@.fit_score(model text, attributes jsonb)
    RETURNS integer AS 'MODULE_PATHNAME', 'fit_score'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.fit_score(text, jsonb) IS
    'fit score of a lead''s attributes (a JSON object) under a scoring model''s fit rules; NULL attributes give NULL';

CREATE FUNCTION @extschema@.explain_fit(model text, attributes jsonb,
                                        OUT rule text, OUT points integer, OUT detail text)
    RETURNS SETOF record AS 'MODULE_PATHNAME', 'explain_fit'
    LANGUAGE C STABLE PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION @extschema@.explain_fit(text, jsonb) IS
    'fit_score line by line: one row per rule, then per group or total whose bounds changed the sum; the points add up to fit_score';

CREATE FUNCTION @extschema@.email_kind(model text, email text)
    RETURNS text AS 'MODULE_PATHNAME', 'email_kind_for_model'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.email_kind(text, text) IS
    'email_kind(email), with the scoring model''s competitor domains classified as competitor';

CREATE FUNCTION @extschema@.grade(model text, fit integer, engagement numeric)
    RETURNS text AS 'MODULE_PATHNAME', 'grade'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.grade(text, integer, numeric) IS
    'HubSpot-style grade: fit letter A-D and engagement digit 1-4 (A1 best), bands from the model';

CREATE FUNCTION @extschema@.meets_threshold(model text, threshold text, fit integer, engagement numeric)
    RETURNS boolean AS 'MODULE_PATHNAME', 'meets_threshold'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.meets_threshold(text, text, integer, numeric) IS
    'whether a lead with these scores reaches the model''s ''mql'' or ''sql'' threshold (score, fit and engagement conditions, all that are set)';

------------------------------------------------------------------------------
-- Engagement
------------------------------------------------------------------------------
CREATE FUNCTION @extschema@._engagement_transition(internal, text, text, timestamptz, timestamptz)
    RETURNS internal AS 'MODULE_PATHNAME', 'engagement_transition'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._engagement_transition(internal, text, text, timestamptz, timestamptz) IS
    'internal: engagement_score''s transition function';

CREATE FUNCTION @extschema@._engagement_combine(internal, internal)
    RETURNS internal AS 'MODULE_PATHNAME', 'engagement_combine'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._engagement_combine(internal, internal) IS
    'internal: engagement_score''s combine function (parallel aggregation)';

CREATE FUNCTION @extschema@._engagement_serialize(internal)
    RETURNS bytea AS 'MODULE_PATHNAME', 'engagement_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._engagement_serialize(internal) IS
    'internal: engagement_score''s state as bytes, for parallel workers';

CREATE FUNCTION @extschema@._engagement_deserialize(bytea, internal)
    RETURNS internal AS 'MODULE_PATHNAME', 'engagement_deserialize'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._engagement_deserialize(bytea, internal) IS
    'internal: engagement_score''s state from bytes, every byte checked';

CREATE FUNCTION @extschema@._engagement_final(internal)
    RETURNS numeric AS 'MODULE_PATHNAME', 'engagement_final'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._engagement_final(internal) IS
    'internal: engagement_score''s final function';

CREATE FUNCTION @extschema@._engagement_explain_final(internal)
    RETURNS jsonb AS 'MODULE_PATHNAME', 'engagement_explain_final'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._engagement_explain_final(internal) IS
    'internal: explain_engagement''s final function';

CREATE AGGREGATE @extschema@.engagement_score(model text, event_type text, occurred_at timestamptz,
                                              as_of timestamptz) (
    SFUNC = @extschema@._engagement_transition,
    STYPE = internal,
    -- The state of the default model: 16 + 40 + 9 * 16 bytes, in a 256-byte
    -- chunk. Without it the planner assumes 8 kB per group and avoids (or
    -- spills) hash aggregation over a million leads.
    SSPACE = 256,
    FINALFUNC = @extschema@._engagement_final,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@._engagement_combine,
    SERIALFUNC = @extschema@._engagement_serialize,
    DESERIALFUNC = @extschema@._engagement_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.engagement_score(text, text, timestamptz, timestamptz) IS
    'engagement score of a lead''s events at as_of under a scoring model: points per event type after decay, caps, frequency rules and inactivity';

CREATE AGGREGATE @extschema@.explain_engagement(model text, event_type text, occurred_at timestamptz,
                                                as_of timestamptz) (
    SFUNC = @extschema@._engagement_transition,
    STYPE = internal,
    -- The state of the default model: 16 + 40 + 9 * 16 bytes, in a 256-byte
    -- chunk. Without it the planner assumes 8 kB per group and avoids (or
    -- spills) hash aggregation over a million leads.
    SSPACE = 256,
    FINALFUNC = @extschema@._engagement_explain_final,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@._engagement_combine,
    SERIALFUNC = @extschema@._engagement_serialize,
    DESERIALFUNC = @extschema@._engagement_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.explain_engagement(text, text, timestamptz, timestamptz) IS
    'engagement_score rule by rule, as JSON: points per event type after decay and caps, frequency rules, inactivity, bounds; the points add up to the score';

-- For tests and debugging: the serialised state a parallel worker would send,
-- and the deserialisation function's checks applied to any bytes.
CREATE AGGREGATE @extschema@._engagement_state(model text, event_type text, occurred_at timestamptz,
                                               as_of timestamptz) (
    SFUNC = @extschema@._engagement_transition,
    STYPE = internal,
    -- The state of the default model: 16 + 40 + 9 * 16 bytes, in a 256-byte
    -- chunk. Without it the planner assumes 8 kB per group and avoids (or
    -- spills) hash aggregation over a million leads.
    SSPACE = 256,
    FINALFUNC = @extschema@._engagement_serialize,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@._engagement_combine,
    SERIALFUNC = @extschema@._engagement_serialize,
    DESERIALFUNC = @extschema@._engagement_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@._engagement_state(text, text, timestamptz, timestamptz) IS
    'internal: engagement_score''s state as the bytes parallel workers exchange';

CREATE FUNCTION @extschema@._explain_engagement_state(state bytea)
    RETURNS jsonb AS 'MODULE_PATHNAME', 'explain_engagement_state'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._explain_engagement_state(bytea) IS
    'internal: checks serialised engagement_score state bytes as the deserialisation function does, and explains them';

-- Size limits (54000) apply to the documents users define: _check_model and
-- _check_calendar, which define_model and define_calendar call. A row
-- written to the tables themselves, as pg_restore writes every stored model
-- and calendar, is normalised without them, so that everything stored
-- (earlier versions accepted any size) restores (test document_limits).
CREATE FUNCTION @extschema@._normalise_stored_model(name text, definition jsonb)
    RETURNS jsonb AS 'MODULE_PATHNAME', 'normalise_stored_model'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._normalise_stored_model(text, jsonb) IS
    'internal: validates a scoring model row and returns it with every default written out, without the size limits';
