-- leadscore 0.2: scoring models, fit and engagement scores, explanations,
-- grades and thresholds.
\echo Use "ALTER EXTENSION leadscore UPDATE TO '0.2'" to load this file. \quit

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
COMMENT ON TABLE @extschema@.scoring_models IS
    'scoring models, every version kept; the newest version of a name is the one functions use. Write through leadscore.define_model';
-- pg_dump keeps every model but the one this script installs.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.scoring_models',
                                           'WHERE NOT (name = ''default'' AND version = 1)');
GRANT SELECT ON @extschema@.scoring_models TO PUBLIC;

INSERT INTO @extschema@.scoring_models (name, version, definition)
VALUES ('default', 1, @extschema@._builtin_default_model());

-- Rows written directly (not through define_model) are validated and
-- normalised too, so every stored definition is one the functions can read.
CREATE FUNCTION @extschema@._normalise_model_row()
    RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.definition := @extschema@._check_model(NEW.name, NEW.definition);
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@._normalise_model_row() IS
    'internal: validates and normalises a definition written to leadscore.scoring_models';
CREATE TRIGGER normalise_definition
    BEFORE INSERT OR UPDATE OF name, definition ON @extschema@.scoring_models
    FOR EACH ROW EXECUTE FUNCTION @extschema@._normalise_model_row();

CREATE FUNCTION @extschema@._models_changed()
    RETURNS trigger AS 'MODULE_PATHNAME', 'models_changed'
    LANGUAGE C;
COMMENT ON FUNCTION @extschema@._models_changed() IS
    'internal: tells every backend''s model cache that leadscore.scoring_models changed';
CREATE TRIGGER models_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.scoring_models
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._models_changed();

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
CREATE FUNCTION @extschema@._engagement_combine(internal, internal)
    RETURNS internal AS 'MODULE_PATHNAME', 'engagement_combine'
    LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@._engagement_serialize(internal)
    RETURNS bytea AS 'MODULE_PATHNAME', 'engagement_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@._engagement_deserialize(bytea, internal)
    RETURNS internal AS 'MODULE_PATHNAME', 'engagement_deserialize'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@._engagement_final(internal)
    RETURNS numeric AS 'MODULE_PATHNAME', 'engagement_final'
    LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@._engagement_explain_final(internal)
    RETURNS jsonb AS 'MODULE_PATHNAME', 'engagement_explain_final'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._engagement_transition(internal, text, text, timestamptz, timestamptz) IS
    'internal: engagement_score''s transition function';
COMMENT ON FUNCTION @extschema@._engagement_combine(internal, internal) IS
    'internal: engagement_score''s combine function (parallel aggregation)';
COMMENT ON FUNCTION @extschema@._engagement_serialize(internal) IS
    'internal: engagement_score''s state as bytes, for parallel workers';
COMMENT ON FUNCTION @extschema@._engagement_deserialize(bytea, internal) IS
    'internal: engagement_score''s state from bytes, every byte checked';
COMMENT ON FUNCTION @extschema@._engagement_final(internal) IS
    'internal: engagement_score''s final function';
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

------------------------------------------------------------------------------
-- Scores that move stages: attach accepts score_column, fit_column,
-- engagement_column, model and sql_stage; the triggers then also fire when a
-- score column changes.
------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION @extschema@.attach(target regclass, config jsonb)
    RETURNS jsonb LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    normalised jsonb := @extschema@._attachment_config(target, config);
    watched text[] := ARRAY[normalised ->> 'stage_column'];
    score_key text;
    changed text;
    is_set text;
BEGIN
    FOREACH score_key IN ARRAY ARRAY['score_column', 'fit_column', 'engagement_column'] LOOP
        IF normalised ->> score_key IS NOT NULL THEN
            watched := watched || (normalised ->> score_key);
        END IF;
    END LOOP;
    -- Triggers fire only when a watched column changes, so an UPDATE of other
    -- columns costs no more than PostgreSQL's own per-row trigger floor.
    -- The stage compares as text (any column type); scores compare as numbers.
    SELECT string_agg(CASE WHEN c.n = 1 THEN format('(OLD.%1$I)::text IS DISTINCT FROM (NEW.%1$I)::text', c.name)
                           ELSE format('OLD.%1$I IS DISTINCT FROM NEW.%1$I', c.name) END, ' OR ' ORDER BY c.n),
           string_agg(format('NEW.%I IS NOT NULL', c.name), ' OR ' ORDER BY c.n)
      INTO changed, is_set
      FROM unnest(watched) WITH ORDINALITY AS c(name, n);
    PERFORM @extschema@._drop_triggers(target);
    -- The zz_ prefix makes these fire after the table's other BEFORE triggers
    -- (PostgreSQL fires them in name order), so they see the final row. There
    -- is deliberately no AFTER UPDATE trigger (see lifecycle_trigger.cpp).
    EXECUTE format('CREATE TRIGGER zz_leadscore_before_insert BEFORE INSERT ON %s FOR EACH ROW '
                   'WHEN (%s) EXECUTE FUNCTION @extschema@.lifecycle_trigger(%L)',
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
    RETURN normalised;
END
$$;
COMMENT ON FUNCTION @extschema@.attach(regclass, jsonb) IS
    'attaches leadscore to a CRM table: its INSERTs and UPDATEs are validated, stamped and recorded, and with score columns a crossed MQL or SQL threshold moves the lead forward; returns the normalised config; attaching again replaces the config';

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
COMMENT ON TABLE @extschema@.event_attachments IS
    'events tables attached with leadscore.attach_events: whose leads they score, and how their columns map';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.event_attachments', '');

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

-- The UPDATE that rescores `leads` from all its events tables at `as_of`:
-- only the leads whose key is in `only_keys` (a query), or all of them.
CREATE FUNCTION @extschema@._rescore_statement(leads regclass, only_keys text)
    RETURNS text LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    config jsonb;
    key text;
    fit text;
    engagement text;
    event_rows text;
    assignments text[] := '{}';
    changed text[] := '{}';
BEGIN
    SELECT a.config INTO config FROM @extschema@.attachment_configs AS a WHERE a.target = leads;
    IF config IS NULL OR config ->> 'model' IS NULL THEN
        RAISE EXCEPTION 'table % is not attached with a scoring model', leads USING
            ERRCODE = '55000',
            HINT = 'Attach it with score columns: leadscore.attach(table, ''{"stage_column": ..., "score_column": "score"}'').';
    END IF;
    key := format('%I', config ->> 'key_column');
    -- Fit: from the attributes when the config names them, else as stored.
    IF config -> 'fit_attributes' <> '{}' THEN
        SELECT format('@extschema@.fit_score(%L, pg_catalog.jsonb_build_object(%s))', config ->> 'model',
                      string_agg(format('%L, l.%I', a.key, a.value), ', ' ORDER BY a.key))
          INTO fit FROM jsonb_each_text(config -> 'fit_attributes') AS a;
    ELSIF config ->> 'fit_column' IS NOT NULL THEN
        fit := format('l.%I', config ->> 'fit_column');
    END IF;
    -- Engagement: the rows of every attached events table, aggregated per
    -- lead; a lead without events gets what no events score (the inactivity
    -- penalty).
    SELECT string_agg(format('SELECT e.%I AS lead, e.%I::text AS type, e.%I AS at FROM %s AS e%s',
                             x.config ->> 'lead_column', x.config ->> 'type_column', x.config ->> 'time_column',
                             x.events,
                             CASE WHEN only_keys IS NULL THEN ''
                                  ELSE format(' WHERE e.%I IN (%s)', x.config ->> 'lead_column', only_keys) END),
                      ' UNION ALL ')
      INTO event_rows
      FROM @extschema@.event_attachments AS x
      JOIN pg_class AS c ON c.oid = x.events  -- an events table dropped since is left out
     WHERE x.leads = _rescore_statement.leads;
    IF event_rows IS NOT NULL THEN
        engagement := format('coalesce(s.engagement, (SELECT @extschema@.engagement_score(%L, NULL, NULL, $1)))',
                             config ->> 'model');
        event_rows := format(' LEFT JOIN (SELECT ev.lead, @extschema@.engagement_score(%L, ev.type, ev.at, $1) AS engagement '
                             'FROM (%s) AS ev GROUP BY ev.lead) AS s ON s.lead = l.%s',
                             config ->> 'model', event_rows, key);
    ELSIF config ->> 'engagement_column' IS NOT NULL THEN
        engagement := format('l.%I', config ->> 'engagement_column');
    END IF;
    -- Each value is cast to its column's type before it is compared, so that
    -- an integer column holding a rounded score is not rewritten every time.
    IF config ->> 'fit_column' IS NOT NULL AND config -> 'fit_attributes' <> '{}' THEN
        assignments := assignments || format('%I = n.fit', config ->> 'fit_column');
        changed := changed || format('l.%I IS DISTINCT FROM (n.fit)::%s', config ->> 'fit_column',
                                     @extschema@._column_type(leads, config ->> 'fit_column'));
    END IF;
    IF config ->> 'engagement_column' IS NOT NULL AND event_rows IS NOT NULL THEN
        assignments := assignments || format('%I = n.engagement', config ->> 'engagement_column');
        changed := changed || format('l.%I IS DISTINCT FROM (n.engagement)::%s', config ->> 'engagement_column',
                                     @extschema@._column_type(leads, config ->> 'engagement_column'));
    END IF;
    -- The total, when its engagement part has a source (events, or the
    -- engagement column): fit + engagement, fit counting 0 when the
    -- attachment has no fit source. Without an engagement source the total
    -- is left alone rather than cut down to its fit.
    IF config ->> 'score_column' IS NOT NULL AND engagement IS NOT NULL THEN
        assignments := assignments || format('%I = coalesce(n.fit, 0) + coalesce(n.engagement, 0)', config ->> 'score_column');
        changed := changed || format('l.%I IS DISTINCT FROM (coalesce(n.fit, 0) + coalesce(n.engagement, 0))::%s',
                                     config ->> 'score_column',
                                     @extschema@._column_type(leads, config ->> 'score_column'));
    END IF;
    IF cardinality(assignments) = 0 THEN
        RETURN NULL;  -- nothing this attachment can recompute
    END IF;
    -- One pass: compute per lead, then write only the rows whose scores change
    -- (so unchanged leads get no new row version, no trigger, no history).
    RETURN format('UPDATE %1$s AS l SET %2$s FROM (SELECT l.%3$s AS lead, %4$s AS fit, %5$s AS engagement '
                  'FROM %1$s AS l%6$s%7$s) AS n WHERE l.%3$s = n.lead AND (%8$s)',
                  leads, array_to_string(assignments, ', '), key, coalesce(fit, 'NULL::integer'),
                  coalesce(engagement, 'NULL::numeric'), coalesce(event_rows, ''),
                  CASE WHEN only_keys IS NULL THEN '' ELSE format(' WHERE l.%s IN (%s)', key, only_keys) END,
                  array_to_string(changed, ' OR '));
END
$$;
COMMENT ON FUNCTION @extschema@._rescore_statement(regclass, text) IS
    'internal: the UPDATE that recomputes an attached table''s scores from its attributes and events';

CREATE FUNCTION @extschema@.rescore(target regclass, as_of timestamptz DEFAULT pg_catalog.now())
    RETURNS bigint LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    statement text;
    updated bigint;
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
    statement := @extschema@._rescore_statement(target, NULL);
    IF statement IS NULL THEN
        RETURN 0;
    END IF;
    EXECUTE statement USING as_of;
    GET DIAGNOSTICS updated = ROW_COUNT;
    RETURN updated;
END
$$;
COMMENT ON FUNCTION @extschema@.rescore(regclass, timestamptz) IS
    'recomputes every score of an attached table exactly at as_of (fit from fit_attributes, engagement from the attached events tables: decay, caps, frequency, inactivity) in one set-based UPDATE; returns the number of leads whose scores changed, which may promote them';

CREATE FUNCTION @extschema@._events_inserted()
    RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    leads regclass;
    lead_column text;
    statement text;
BEGIN
    SELECT x.leads, x.config ->> 'lead_column' INTO leads, lead_column
    FROM @extschema@.event_attachments AS x WHERE x.events = TG_RELID;
    IF leads IS NULL THEN
        RETURN NULL;  -- detached within this transaction
    END IF;
    statement := @extschema@._rescore_statement(
        leads, format('SELECT DISTINCT n.%I FROM leadscore_new_events AS n', lead_column));
    IF statement IS NOT NULL THEN
        EXECUTE statement USING pg_catalog.now();
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@._events_inserted() IS
    'internal: statement trigger on attached events tables: rescores the leads of the inserted events';

CREATE FUNCTION @extschema@._attach_events(events regclass, leads regclass, config jsonb)
    RETURNS jsonb LANGUAGE plpgsql
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
    INSERT INTO @extschema@.event_attachments AS x (events, leads, config)
    VALUES (events, leads, normalised)
    ON CONFLICT ON CONSTRAINT event_attachments_pkey DO UPDATE SET leads = excluded.leads, config = excluded.config,
                                       attached_at = now(), attached_by = current_user;
    RETURN normalised;
END
$$;
COMMENT ON FUNCTION @extschema@._attach_events(regclass, regclass, jsonb) IS
    'internal: attach_events, with the leads table resolved in the caller''s search_path';

-- The leads table's name in the config is resolved with the caller's
-- search_path, like the events regclass argument: hence a SQL wrapper without
-- SET search_path (every name in it is schema-qualified).
CREATE FUNCTION @extschema@.attach_events(events regclass, config jsonb)
    RETURNS jsonb LANGUAGE sql
AS $$
    SELECT @extschema@._attach_events(
        events,
        CASE WHEN pg_catalog.jsonb_typeof(config OPERATOR(pg_catalog.->) 'leads') OPERATOR(pg_catalog.=) 'string'
             THEN (config OPERATOR(pg_catalog.->>) 'leads')::pg_catalog.regclass END,
        config)
$$;
COMMENT ON FUNCTION @extschema@.attach_events(regclass, jsonb) IS
    'attaches an events table to an attached leads table: each INSERT rescores the leads of its events at once (which may promote them); config keys leads, lead_column, type_column, time_column';

CREATE FUNCTION @extschema@.detach_events(events regclass)
    RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    DELETE FROM @extschema@.event_attachments AS x WHERE x.events = detach_events.events;
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
COMMENT ON FUNCTION @extschema@.detach_events(regclass) IS
    'removes the rescoring trigger from an events table';

-- detach also removes the rescoring triggers of the table's events tables
-- (their event_attachments rows go with the attachment).
CREATE OR REPLACE FUNCTION @extschema@.detach(target regclass)
    RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    events regclass;
BEGIN
    IF target IS NULL THEN
        RAISE EXCEPTION 'leadscore.detach needs a table, got NULL'
            USING ERRCODE = '22004', HINT = 'Example: SELECT leadscore.detach(''crm.contacts'');';
    END IF;
    FOR events IN SELECT x.events FROM @extschema@.event_attachments AS x WHERE x.leads = target LOOP
        PERFORM @extschema@.detach_events(events);
    END LOOP;
    DELETE FROM @extschema@.attachment_configs AS a WHERE a.target = detach.target;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'table % is not attached to leadscore', target
            USING ERRCODE = '42704', HINT = 'leadscore.attachments lists the attached tables.';
    END IF;
    PERFORM @extschema@._drop_triggers(target);
END
$$;
