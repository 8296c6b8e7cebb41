-- leadscore 0.3: business calendars and business-time arithmetic.
\echo Use "ALTER EXTENSION leadscore UPDATE TO '0.3'" to load this file. \quit

------------------------------------------------------------------------------
-- Calendars
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@._check_calendar(name text, definition jsonb)
    RETURNS jsonb AS 'MODULE_PATHNAME', 'check_calendar'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._check_calendar(text, jsonb) IS
    'internal: validates a calendar definition (but for its time zone) and returns it normalised';

CREATE TABLE @extschema@.calendars (
    name text PRIMARY KEY CHECK (octet_length(name) BETWEEN 1 AND 63),
    definition jsonb NOT NULL,
    defined_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    defined_by name NOT NULL DEFAULT CURRENT_USER
);
COMMENT ON TABLE @extschema@.calendars IS
    'business calendars: an IANA time zone, weekly windows in local time, holidays. Write through leadscore.define_calendar';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.calendars', '');
GRANT SELECT ON @extschema@.calendars TO PUBLIC;

-- Rows written directly are validated and normalised too; the time zone must
-- be one of the IANA zones PostgreSQL knows, spelled as pg_timezone_names
-- spells it (a POSIX rule such as 'UTC+3', which means three hours *west*
-- of Greenwich, is refused).
CREATE FUNCTION @extschema@._normalise_calendar_row()
    RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    zone text;
BEGIN
    NEW.definition := @extschema@._check_calendar(NEW.name, NEW.definition);
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
COMMENT ON FUNCTION @extschema@._normalise_calendar_row() IS
    'internal: validates and normalises a definition written to leadscore.calendars';
CREATE TRIGGER normalise_definition
    BEFORE INSERT OR UPDATE OF name, definition ON @extschema@.calendars
    FOR EACH ROW EXECUTE FUNCTION @extschema@._normalise_calendar_row();

CREATE FUNCTION @extschema@._config_changed()
    RETURNS trigger AS 'MODULE_PATHNAME', 'config_changed'
    LANGUAGE C;
COMMENT ON FUNCTION @extschema@._config_changed() IS
    'internal: tells every backend''s caches that one of leadscore''s config tables changed';
CREATE TRIGGER calendars_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.calendars
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._config_changed();

CREATE FUNCTION @extschema@.define_calendar(name text, definition jsonb)
    RETURNS jsonb
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    INSERT INTO @extschema@.calendars AS c (name, definition)
    VALUES (define_calendar.name, define_calendar.definition)
    ON CONFLICT ON CONSTRAINT calendars_pkey DO UPDATE
        SET definition = excluded.definition, defined_at = pg_catalog.now(),
            defined_by = CURRENT_USER
    RETURNING c.definition;
END;
COMMENT ON FUNCTION @extschema@.define_calendar(text, jsonb) IS
    'validates a business calendar and stores it under its name (replacing an earlier definition); returns the normalised definition';

CREATE FUNCTION @extschema@.drop_calendar(name text)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    users text;
BEGIN
    SELECT string_agg(DISTINCT a.target::text, ', ') INTO users
    FROM @extschema@.attachment_configs AS a, jsonb_array_elements(a.config -> 'sla' -> 'policies') AS p
    WHERE p ->> 'calendar' = drop_calendar.name;
    IF users IS NOT NULL THEN
        RAISE EXCEPTION 'calendar % is used by the SLA policies of %', to_json(name), users
            USING ERRCODE = 'dependent_objects_still_exist',
                  HINT = 'Attach those tables with other calendars first.';
    END IF;
    DELETE FROM @extschema@.calendars AS c WHERE c.name = drop_calendar.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING
            ERRCODE = 'undefined_object',
            MESSAGE = format('calendar %s does not exist', to_json(name)),
            HINT = 'Defined calendars: ' || coalesce((SELECT string_agg(to_json(c.name)::text, ', ' ORDER BY c.name)
                                                      FROM @extschema@.calendars AS c), 'none') || '.';
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.drop_calendar(text) IS
    'removes a business calendar';

CREATE FUNCTION @extschema@.business_add(calendar text, start timestamptz, amount interval)
    RETURNS timestamptz AS 'MODULE_PATHNAME', 'business_add'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.business_add(text, timestamptz, interval) IS
    'the instant at which amount (hours, minutes, seconds; negative goes back) of the calendar''s business time has passed since start; NULL when start or amount is NULL';

CREATE FUNCTION @extschema@.business_diff(calendar text, start timestamptz, finish timestamptz)
    RETURNS interval AS 'MODULE_PATHNAME', 'business_diff'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.business_diff(text, timestamptz, timestamptz) IS
    'business time between start and finish in hours, minutes and seconds (negative when finish < start); NULL when either is NULL';

CREATE FUNCTION @extschema@.is_business_time(calendar text, ts timestamptz)
    RETURNS boolean AS 'MODULE_PATHNAME', 'is_business_time'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.is_business_time(text, timestamptz) IS
    'whether ts lies inside one of the calendar''s windows (start inclusive, end exclusive)';

CREATE FUNCTION @extschema@.next_business_start(calendar text, ts timestamptz)
    RETURNS timestamptz AS 'MODULE_PATHNAME', 'next_business_start'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.next_business_start(text, timestamptz) IS
    'ts itself inside business time, otherwise the start of the calendar''s next window';

------------------------------------------------------------------------------
-- SLA clocks: attach's "sla" key (policies on stage entries, measured in a
-- calendar's business time), the clocks, the sweep and the report.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.sla_clocks (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target regclass NOT NULL,
    lead_key text NOT NULL,
    policy text NOT NULL,
    stage @extschema@.lifecycle_stage NOT NULL,
    calendar text NOT NULL,
    started_at timestamptz NOT NULL,
    warn_at timestamptz NOT NULL,
    due_at timestamptz NOT NULL,
    met_at timestamptz,
    closed_at timestamptz,
    status text NOT NULL DEFAULT 'running'
        CHECK (status IN ('running', 'warned', 'met', 'met_late', 'breached', 'cancelled')),
    owner text,
    source text,
    CHECK (warn_at <= due_at AND started_at <= due_at)
);
COMMENT ON TABLE @extschema@.sla_clocks IS
    'one row per lead, SLA policy and stage entry: when the clock started, warns and is due, when it was met, and its status (running, warned, met, met_late, breached, cancelled)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sla_clocks', '');
COMMENT ON SEQUENCE @extschema@.sla_clocks_id_seq IS 'identity of leadscore.sla_clocks rows';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sla_clocks_id_seq', '');
-- The sweep reads only what is due (or warns) by as_of: with nothing due it
-- is one empty index probe.
CREATE INDEX sla_clocks_due ON @extschema@.sla_clocks (due_at) WHERE status IN ('running', 'warned');
CREATE INDEX sla_clocks_warn ON @extschema@.sla_clocks (warn_at) WHERE status = 'running';
CREATE INDEX sla_clocks_open ON @extschema@.sla_clocks (target, lead_key) WHERE closed_at IS NULL;
CREATE INDEX sla_clocks_started ON @extschema@.sla_clocks USING brin (started_at);

-- Whether a JSON value (from to_jsonb of a row) is a timestamp, and which.
CREATE FUNCTION @extschema@._json_timestamp(value jsonb)
    RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN jsonb_typeof(value) = 'string'
                      AND value #>> '{}' ~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}(:\d{2})?)?$'
                THEN (value #>> '{}')::timestamptz END
$$;
COMMENT ON FUNCTION @extschema@._json_timestamp(jsonb) IS
    'internal: a timestamp column''s value in to_jsonb form, or NULL for anything else';

-- The lead's SLA columns (due_column, breached_column) from its open clocks.
CREATE FUNCTION @extschema@._sla_lead_columns(target regclass, lead_key text)
    RETURNS TABLE (next_due timestamptz, breached boolean)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT min(c.due_at) FILTER (WHERE c.status IN ('running', 'warned')),
           coalesce(bool_or(c.status = 'breached'), false)
    FROM @extschema@.sla_clocks AS c
    WHERE c.target = _sla_lead_columns.target AND c.lead_key = _sla_lead_columns.lead_key
      AND c.closed_at IS NULL
$$;
COMMENT ON FUNCTION @extschema@._sla_lead_columns(regclass, text) IS
    'internal: the earliest due time of a lead''s running clocks and whether an open clock breached';

-- The CRM table is written as its owner, in a security-restricted operation
-- (its triggers are its owner's code, not the superuser's).
CREATE FUNCTION @extschema@._update_as_owner(target regclass, statement text, keys text[],
                                             dues timestamptz[], breaches boolean[])
    RETURNS bigint AS 'MODULE_PATHNAME', 'update_as_owner'
    LANGUAGE C;
REVOKE ALL ON FUNCTION @extschema@._update_as_owner(regclass, text, text[], timestamptz[], boolean[]) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._update_as_owner(regclass, text, text[], timestamptz[], boolean[]) IS
    'internal: runs leadscore''s UPDATE of a CRM table''s SLA columns as the table''s owner';

-- Writes the SLA columns of the given leads (after an INSERT, from the sweep
-- and from the events trigger, where the row is not being changed anyway).
-- Rows another transaction holds are skipped rather than waited for: that
-- transaction may be waiting for the clocks this one holds (a deadlock);
-- its own stage or met-column change refreshes the columns.
CREATE FUNCTION @extschema@._sla_write_lead_columns(target regclass, keys text[])
    RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    config jsonb;
    assignments text[] := '{}';
    dues timestamptz[];
    breaches boolean[];
BEGIN
    SELECT a.config INTO config FROM @extschema@.attachment_configs AS a WHERE a.target = _sla_write_lead_columns.target;
    IF config IS NULL OR cardinality(keys) = 0 OR NOT EXISTS (SELECT FROM pg_class WHERE oid = target) THEN
        RETURN;  -- detached, nothing to write, or dropped
    END IF;
    IF config -> 'sla' ->> 'due_column' IS NOT NULL THEN
        assignments := assignments || format('%I = locked.next_due', config -> 'sla' ->> 'due_column');
    END IF;
    IF config -> 'sla' ->> 'breached_column' IS NOT NULL THEN
        assignments := assignments || format('%I = locked.breached', config -> 'sla' ->> 'breached_column');
    END IF;
    IF cardinality(assignments) = 0 THEN
        RETURN;
    END IF;
    SELECT array_agg(s.next_due ORDER BY k.n), array_agg(s.breached ORDER BY k.n), array_agg(k.lead_key ORDER BY k.n)
      INTO dues, breaches, keys
      FROM unnest(keys) WITH ORDINALITY AS k(lead_key, n), LATERAL @extschema@._sla_lead_columns(target, k.lead_key) AS s;
    -- The key compares in its own type, so the table's key index is used.
    PERFORM @extschema@._update_as_owner(target, format(
        'WITH locked AS (SELECT l.ctid AS row_id, u.next_due, u.breached '
        '                FROM %1$s AS l JOIN unnest($1, $2, $3) AS u(lead_key, next_due, breached) '
        '                  ON l.%2$I = u.lead_key::%3$s FOR UPDATE OF l SKIP LOCKED) '
        'UPDATE %1$s AS t SET %4$s FROM locked WHERE t.ctid = locked.row_id',
        target, config ->> 'key_column', @extschema@._column_type(target, config ->> 'key_column')::regtype,
        array_to_string(assignments, ', ')), keys, dues, breaches);
END
$$;
REVOKE ALL ON FUNCTION @extschema@._sla_write_lead_columns(regclass, text[]) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._sla_write_lead_columns(regclass, text[]) IS
    'internal: writes the due and breached columns of the given leads from their open SLA clocks';

-- Called by the lifecycle trigger (as the extension's owner, so the CRM's
-- role needs no rights on sla_clocks) for every recorded stage change of a
-- table attached with SLAs. Closes the clocks of the stage the lead left
-- (met when it left for a listed stage or its column was set; cancelled when
-- it left before they were due; breached ones stay breached) and starts the
-- policies of the stage it entered: at started_at (the stage's stamp when
-- this change set it: the CRM gave the real date), else now. Returns the earliest due time it started, for
-- the trigger to write into the row; after an INSERT it writes the row's SLA
-- columns itself.
CREATE FUNCTION @extschema@._sla_stage_changed(target regclass, lead_key text,
                                               from_stage @extschema@.lifecycle_stage,
                                               to_stage @extschema@.lifecycle_stage,
                                               is_insert boolean, new_row jsonb,
                                               started_at timestamptz)
    RETURNS timestamptz LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    config jsonb;
    sla jsonb;
    policy jsonb;
    started timestamptz;
    due timestamptz;
    warn timestamptz;
    met timestamptz;
    first_due timestamptz;
BEGIN
    SELECT a.config INTO config FROM @extschema@.attachment_configs AS a
    WHERE a.target = _sla_stage_changed.target;
    sla := config -> 'sla';
    IF sla IS NULL THEN
        RETURN NULL;
    END IF;
    UPDATE @extschema@.sla_clocks AS c
    SET status = CASE WHEN l.met IS NOT NULL THEN CASE WHEN l.met <= c.due_at THEN 'met' ELSE 'met_late' END
                      -- out of time when it left, swept or not
                      WHEN c.status = 'breached' OR c.due_at < now() THEN 'breached'
                      ELSE 'cancelled' END,
        met_at = l.met,
        closed_at = now()
    FROM (SELECT o.id,
                 CASE WHEN to_stage::text IN (SELECT jsonb_array_elements_text(p -> 'met_by' -> 'leaves_for'))
                      THEN now()
                      -- its column set in this very change (a timestamp from the
                      -- clock's start on)
                      WHEN @extschema@._json_timestamp(new_row -> (p -> 'met_by' ->> 'column')) >= o.started_at
                      THEN @extschema@._json_timestamp(new_row -> (p -> 'met_by' ->> 'column'))
                 END AS met
          FROM @extschema@.sla_clocks AS o
          LEFT JOIN LATERAL jsonb_array_elements(sla -> 'policies') AS p ON p ->> 'name' = o.policy
          WHERE o.target = _sla_stage_changed.target AND o.lead_key = _sla_stage_changed.lead_key
            AND o.closed_at IS NULL
            AND (to_stage IS NULL OR o.stage OPERATOR(@extschema@.<>) to_stage)) AS l
    WHERE c.id = l.id;

    IF to_stage IS NOT NULL AND (from_stage IS NULL OR from_stage OPERATOR(@extschema@.<>) to_stage) THEN
        started := coalesce(started_at, now());
        FOR policy IN SELECT p FROM jsonb_array_elements(sla -> 'policies') AS p WHERE p ->> 'stage' = to_stage::text LOOP
            due := @extschema@.business_add(policy ->> 'calendar', started, (policy ->> 'within')::interval);
            warn := @extschema@.business_add(policy ->> 'calendar', started,
                                              (policy ->> 'within')::interval * (sla ->> 'warn_at')::float8);
            -- A timestamp column already set at entry counts only from the
            -- entry on (a recycled lead's old first contact does not).
            met := NULL;
            IF policy -> 'met_by' ? 'column' THEN
                met := @extschema@._json_timestamp(new_row -> (policy -> 'met_by' ->> 'column'));
                IF met < started THEN
                    met := NULL;
                END IF;
            END IF;
            INSERT INTO @extschema@.sla_clocks AS c
                (target, lead_key, policy, stage, calendar, started_at, warn_at, due_at, met_at, closed_at,
                 status, owner, source)
            VALUES (target, lead_key, policy ->> 'name', to_stage, policy ->> 'calendar', started, warn, due, met,
                    CASE WHEN met IS NOT NULL THEN now() END,
                    CASE WHEN met IS NULL THEN 'running' WHEN met <= due THEN 'met' ELSE 'met_late' END,
                    new_row ->> (sla ->> 'owner_column'), new_row ->> (sla ->> 'source_column'));
            IF met IS NULL THEN
                first_due := least(first_due, due);
            END IF;
        END LOOP;
    END IF;
    IF is_insert THEN
        PERFORM @extschema@._sla_write_lead_columns(target, ARRAY[lead_key]);
    END IF;
    RETURN first_due;
END
$$;
REVOKE ALL ON FUNCTION @extschema@._sla_stage_changed(regclass, text, @extschema@.lifecycle_stage,
                                                      @extschema@.lifecycle_stage, boolean, jsonb, timestamptz) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._sla_stage_changed(regclass, text, @extschema@.lifecycle_stage,
                                                   @extschema@.lifecycle_stage, boolean, jsonb, timestamptz) IS
    'internal: closes and starts a lead''s SLA clocks on a stage change (called by the lifecycle trigger)';

-- BEFORE UPDATE OF the columns that meet policies: closes the lead's open
-- clocks met by a column that was just set, and refreshes the row's SLA
-- columns. Arguments: the attached table, its key column, the sla config.
CREATE FUNCTION @extschema@._sla_column_set()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    attached regclass := TG_ARGV[0]::oid::regclass;
    sla jsonb := TG_ARGV[2]::jsonb;
    new_row jsonb := to_jsonb(NEW);
    old_row jsonb := to_jsonb(OLD);
    key_value text := new_row ->> TG_ARGV[1];
    columns jsonb := '{}';
BEGIN
    UPDATE @extschema@.sla_clocks AS c
    SET met_at = l.met,
        status = CASE WHEN l.met <= c.due_at THEN 'met' ELSE 'met_late' END,
        closed_at = now()
    FROM (SELECT o.id,
                 -- a timestamp says when; any other value counts from now
                 coalesce(@extschema@._json_timestamp(new_row -> (p -> 'met_by' ->> 'column')),
                          greatest(now(), o.started_at)) AS met
          FROM @extschema@.sla_clocks AS o
          JOIN LATERAL jsonb_array_elements(sla -> 'policies') AS p ON p ->> 'name' = o.policy
          WHERE o.target = attached AND o.lead_key = key_value
            AND o.closed_at IS NULL AND p -> 'met_by' ? 'column'
            AND new_row -> (p -> 'met_by' ->> 'column') <> 'null'::jsonb
            AND new_row -> (p -> 'met_by' ->> 'column') IS DISTINCT FROM old_row -> (p -> 'met_by' ->> 'column')) AS l
    -- a time before the clock started (an old contact) does not meet it
    WHERE c.id = l.id AND l.met >= c.started_at;
    IF FOUND AND (sla ->> 'due_column' IS NOT NULL OR sla ->> 'breached_column' IS NOT NULL) THEN
        SELECT CASE WHEN sla ->> 'due_column' IS NOT NULL
                    THEN jsonb_build_object(sla ->> 'due_column', s.next_due) ELSE '{}' END
               || CASE WHEN sla ->> 'breached_column' IS NOT NULL
                       THEN jsonb_build_object(sla ->> 'breached_column', s.breached) ELSE '{}' END
          INTO columns
          FROM @extschema@._sla_lead_columns(attached, key_value) AS s;
        NEW := jsonb_populate_record(NEW, columns);
    END IF;
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION @extschema@._sla_column_set() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._sla_column_set() IS
    'internal: trigger closing SLA clocks met by a column being set (SECURITY DEFINER: the CRM''s role needs no rights on sla_clocks)';

-- AFTER INSERT ... FOR EACH STATEMENT on an events table named by a policy:
-- a lead's clock is met at the time of its at_least-th qualifying activity
-- since the clock started. Arguments: the attached table, its key column's
-- type, the policies met by this events table.
CREATE FUNCTION @extschema@._sla_events_inserted()
    RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    target regclass := TG_ARGV[0]::oid::regclass;
    policy jsonb;
    met_keys text[];
    all_keys text[] := '{}';
BEGIN
    FOR policy IN SELECT p FROM jsonb_array_elements(TG_ARGV[1]::jsonb) AS p LOOP
        EXECUTE format(
            'WITH met AS ('
            '  UPDATE @extschema@.sla_clocks AS c'
            '  SET met_at = l.met, status = CASE WHEN l.met <= c.due_at THEN ''met'' ELSE ''met_late'' END,'
            '      closed_at = now()'
            '  FROM (SELECT o.id, (SELECT e.%2$I FROM %1$s AS e'
            '                      WHERE e.%3$I = o.lead_key::%5$s AND e.%2$I >= o.started_at %4$s'
            '                      ORDER BY e.%2$I OFFSET $3 - 1 LIMIT 1) AS met'
            '        FROM @extschema@.sla_clocks AS o'
            '        WHERE o.target = $1 AND o.policy = $2 AND o.closed_at IS NULL'
            '          AND o.lead_key IN (SELECT DISTINCT n.%3$I::text FROM leadscore_new_events AS n)) AS l'
            '  WHERE c.id = l.id AND l.met IS NOT NULL'
            '  RETURNING c.lead_key)'
            'SELECT coalesce(array_agg(DISTINCT lead_key), ''{}'') FROM met',
            TG_RELID::regclass, policy -> 'met_by' ->> 'time_column', policy -> 'met_by' ->> 'lead_column',
            CASE WHEN policy -> 'met_by' -> 'types' <> 'null'::jsonb
                 THEN format('AND e.%I::text IN (SELECT jsonb_array_elements_text($4))', policy -> 'met_by' ->> 'type_column')
                 ELSE '' END,
            (policy ->> 'lead_type')::regtype)
            INTO met_keys
            USING target, policy ->> 'name', (policy -> 'met_by' ->> 'at_least')::int, policy -> 'met_by' -> 'types';
        all_keys := all_keys || met_keys;
    END LOOP;
    PERFORM @extschema@._sla_write_lead_columns(target, all_keys);
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION @extschema@._sla_events_inserted() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@._sla_events_inserted() IS
    'internal: statement trigger closing SLA clocks met by activity rows (SECURITY DEFINER: the CRM''s role needs no rights on sla_clocks)';

-- The SLA triggers of `target`: on the table for the met columns, and on
-- each events table a policy counts.
CREATE FUNCTION @extschema@._drop_sla_triggers(target regclass)
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
               OR (t.tgrelid = target AND t.tgname = 'zz_leadscore_sla_met'))
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', found.tgname, found.relation);
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@._drop_sla_triggers(regclass) IS
    'internal: drops the SLA triggers leadscore.attach created for a table';

-- Checks what the core cannot see (calendars, events tables and their
-- columns) and creates the SLA triggers.
CREATE FUNCTION @extschema@._attach_sla(target regclass, normalised jsonb)
    RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    sla jsonb := normalised -> 'sla';
    policy jsonb;
    i integer := 0;
    events regclass;
    met_columns text[] := '{}';
    events_tables jsonb := '{}';
    table_name text;
    column_key text;
BEGIN
    PERFORM @extschema@._drop_sla_triggers(target);
    IF sla IS NULL THEN
        RETURN;
    END IF;
    FOR policy IN SELECT p FROM jsonb_array_elements(sla -> 'policies') AS p LOOP
        IF NOT EXISTS (SELECT FROM @extschema@.calendars AS c WHERE c.name = policy ->> 'calendar') THEN
            RAISE EXCEPTION 'invalid leadscore.attach config at sla.policies[%].calendar: calendar % does not exist',
                    i, to_json(policy ->> 'calendar')
                USING ERRCODE = 'undefined_object',
                      HINT = 'Defined calendars: ' || coalesce((SELECT string_agg(to_json(c.name)::text, ', ' ORDER BY c.name)
                                                                FROM @extschema@.calendars AS c), 'none')
                             || '. Define one with leadscore.define_calendar(name, definition).';
        END IF;
        IF policy -> 'met_by' ? 'column' THEN
            met_columns := met_columns || (policy -> 'met_by' ->> 'column');
        ELSIF policy -> 'met_by' ? 'events' THEN
            events := to_regclass(policy -> 'met_by' ->> 'events');
            IF events IS NULL THEN
                RAISE EXCEPTION 'invalid leadscore.attach config at sla.policies[%].met_by.events: table % does not exist',
                        i, to_json(policy -> 'met_by' ->> 'events')
                    USING ERRCODE = 'undefined_table',
                          HINT = 'Name the events table with its schema, e.g. "crm.activities".';
            END IF;
            FOREACH column_key IN ARRAY ARRAY['lead_column', 'time_column', 'type_column'] LOOP
                IF policy -> 'met_by' ->> column_key IS NOT NULL
                   AND @extschema@._column_type(events, policy -> 'met_by' ->> column_key) IS NULL THEN
                    RAISE EXCEPTION 'invalid leadscore.attach config at sla.policies[%].met_by.%: column % does not exist in %',
                            i, column_key, to_json(policy -> 'met_by' ->> column_key), events
                        USING ERRCODE = 'undefined_column',
                              HINT = 'Column names are case-sensitive, as in quoted SQL identifiers.';
                END IF;
            END LOOP;
            -- (with the type the lead's key is compared in, so the events
            -- table's index on its lead column serves the count)
            events_tables := jsonb_set(events_tables, ARRAY[events::oid::text],
                                       coalesce(events_tables -> (events::oid::text), '[]')
                                       || jsonb_build_array(policy || jsonb_build_object(
                                              'lead_type', @extschema@._column_type(events, policy -> 'met_by' ->> 'lead_column'))));
        END IF;
        i := i + 1;
    END LOOP;
    IF cardinality(met_columns) > 0 THEN
        EXECUTE format('CREATE TRIGGER zz_leadscore_sla_met BEFORE UPDATE OF %s ON %s FOR EACH ROW '
                       'WHEN (%s) EXECUTE FUNCTION @extschema@._sla_column_set(%L, %L, %L)',
                       (SELECT string_agg(DISTINCT format('%I', c), ', ') FROM unnest(met_columns) AS c),
                       target,
                       (SELECT string_agg(DISTINCT format('OLD.%1$I IS DISTINCT FROM NEW.%1$I', c), ' OR ')
                        FROM unnest(met_columns) AS c),
                       target::oid, normalised ->> 'key_column', sla);
    END IF;
    FOR table_name IN SELECT jsonb_object_keys(events_tables) LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %s REFERENCING NEW TABLE AS leadscore_new_events '
                       'FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._sla_events_inserted(%L, %L)',
                       format('zz_leadscore_sla_events_%s', target::oid), table_name::oid::regclass,
                       target::oid, events_tables -> table_name);
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@._attach_sla(regclass, jsonb) IS
    'internal: checks an attach config''s SLA calendars and events tables, and creates the SLA triggers';

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
    PERFORM @extschema@._attach_sla(target, normalised);
    RETURN normalised;
END
$$;

COMMENT ON FUNCTION @extschema@.attach(regclass, jsonb) IS
    'attaches leadscore to a CRM table: its INSERTs and UPDATEs are validated, stamped and recorded, with score columns a crossed MQL or SQL threshold moves the lead forward, and with an sla key stage entries start response clocks; returns the normalised config; attaching again replaces the config';

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
    PERFORM @extschema@._drop_sla_triggers(target);
    -- Clocks of a table leadscore no longer watches would never be met.
    UPDATE @extschema@.sla_clocks AS c
    SET status = CASE WHEN c.status = 'breached' THEN 'breached' ELSE 'cancelled' END, closed_at = now()
    WHERE c.target = detach.target AND c.closed_at IS NULL;
END
$$;


-- The sweep: clocks due by as_of with no met event become breached, those
-- past their warning point warned; each change is announced with pg_notify
-- on the attachment's SLA channel and reflected in its breached column.
-- Clocks are taken with SKIP LOCKED, so sweeps running at once share the
-- work and never announce a clock twice; a clock already changed is not
-- changed again (idempotent).
CREATE FUNCTION @extschema@.sla_sweep(as_of timestamptz DEFAULT now())
    RETURNS integer LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    changed integer := 0;
    batch record;
BEGIN
    IF as_of IS NULL OR NOT isfinite(as_of) THEN
        RAISE EXCEPTION 'sla_sweep needs a finite as_of, got %', coalesce(as_of::text, 'NULL')
            USING ERRCODE = CASE WHEN as_of IS NULL THEN '22004' ELSE '22008' END,
                  HINT = 'Sweep as of now(), the default.';
    END IF;
    FOR batch IN
        WITH breached AS (
            UPDATE @extschema@.sla_clocks AS c SET status = 'breached'
            WHERE c.id IN (SELECT d.id FROM @extschema@.sla_clocks AS d
                           WHERE d.status IN ('running', 'warned') AND d.due_at <= as_of
                           FOR UPDATE SKIP LOCKED)
              AND c.status IN ('running', 'warned')
            RETURNING c.*),
        warned AS (
            UPDATE @extschema@.sla_clocks AS c SET status = 'warned'
            WHERE c.id IN (SELECT w.id FROM @extschema@.sla_clocks AS w
                           WHERE w.status = 'running' AND w.warn_at <= as_of AND w.due_at > as_of
                           FOR UPDATE SKIP LOCKED)
              AND c.status = 'running'
            RETURNING c.*),
        changes AS (SELECT 'breached' AS event, * FROM breached UNION ALL SELECT 'warned', * FROM warned)
        SELECT x.target, a.config -> 'sla' ->> 'notify_channel' AS channel,
               array_agg(x.lead_key) FILTER (WHERE x.event = 'breached') AS breached_keys,
               -- (values clipped: NOTIFY refuses payloads of 8000 bytes or more)
               array_agg(json_build_object('event', x.event, 'table', left(x.target::text, 200),
                                           'key', left(x.lead_key, 200), 'policy', x.policy, 'stage', x.stage,
                                           'started_at', x.started_at, 'due_at', x.due_at,
                                           'owner', left(x.owner, 200))::text ORDER BY x.id) AS payloads,
               count(*) AS clocks
        FROM changes AS x
        LEFT JOIN @extschema@.attachment_configs AS a ON a.target = x.target
        GROUP BY x.target, a.config
    LOOP
        changed := changed + batch.clocks;
        IF batch.channel IS NOT NULL THEN
            PERFORM pg_notify(batch.channel, payload) FROM unnest(batch.payloads) AS payload;
        END IF;
        IF batch.breached_keys IS NOT NULL THEN
            PERFORM @extschema@._sla_write_lead_columns(batch.target, batch.breached_keys);
        END IF;
    END LOOP;
    RETURN changed;
END
$$;
COMMENT ON FUNCTION @extschema@.sla_sweep(timestamptz) IS
    'flags SLA clocks due by as_of with no met event as breached and those past their warning point as warned, notifies, and returns how many clocks changed; safe to run concurrently (schedule it with pg_cron every minute)';

-- Compliance per period of clock start, table and policy, overall and by
-- owner and by source: response times in business time, speed-to-lead
-- bands (seed 000: within 5 minutes, 30 minutes, 1 hour, 2 business hours).
CREATE FUNCTION @extschema@.sla_compliance(target regclass DEFAULT NULL, since timestamptz DEFAULT NULL,
                                           period text DEFAULT 'month')
    RETURNS TABLE (period_start timestamptz, target_table regclass, policy text, dimension text, value text,
                   clocks bigint, met bigint, met_late bigint, breached bigint, cancelled bigint, open bigint,
                   compliance numeric, median_response interval, mean_response interval,
                   within_5_minutes numeric, within_30_minutes numeric, within_1_hour numeric,
                   within_2_business_hours numeric)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF period IS NULL OR period NOT IN ('day', 'week', 'month', 'quarter', 'year') THEN
        RAISE EXCEPTION 'sla_compliance: unknown period %', coalesce(to_json(period)::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use day, week, month, quarter or year.';
    END IF;
    IF target IS NOT NULL AND NOT EXISTS (SELECT FROM @extschema@.attachment_configs AS a
                                          WHERE a.target = sla_compliance.target AND a.config ? 'sla') THEN
        RAISE EXCEPTION 'table % is not attached with SLA policies', target
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Attach it with an "sla" key, e.g. {"sla": {"calendar": ..., "policies": [...]}}.';
    END IF;
    RETURN QUERY
    WITH clocks AS (
        SELECT c.*, date_trunc(period, c.started_at) AS bucket,
               -- (no response time for clocks of a calendar dropped since)
               CASE WHEN c.met_at IS NOT NULL AND EXISTS (SELECT FROM @extschema@.calendars AS k WHERE k.name = c.calendar)
                    THEN @extschema@.business_diff(c.calendar, c.started_at, c.met_at) END AS response
        FROM @extschema@.sla_clocks AS c
        WHERE (sla_compliance.target IS NULL OR c.target = sla_compliance.target)
          AND (since IS NULL OR c.started_at >= since))
    SELECT c.bucket, c.target, c.policy,
           CASE WHEN GROUPING(c.owner) = 0 THEN 'owner' WHEN GROUPING(c.source) = 0 THEN 'source' ELSE 'all' END,
           CASE WHEN GROUPING(c.owner) = 0 THEN c.owner WHEN GROUPING(c.source) = 0 THEN c.source END,
           count(*), count(*) FILTER (WHERE c.status = 'met'), count(*) FILTER (WHERE c.status = 'met_late'),
           count(*) FILTER (WHERE c.status = 'breached'), count(*) FILTER (WHERE c.status = 'cancelled'),
           count(*) FILTER (WHERE c.status IN ('running', 'warned')),
           round(count(*) FILTER (WHERE c.status = 'met')::numeric
                 / nullif(count(*) FILTER (WHERE c.status IN ('met', 'met_late', 'breached')), 0), 4),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY c.response),
           avg(c.response),
           round(avg((c.met_at - c.started_at <= interval '5 minutes')::int) FILTER (WHERE c.met_at IS NOT NULL), 4),
           round(avg((c.met_at - c.started_at <= interval '30 minutes')::int) FILTER (WHERE c.met_at IS NOT NULL), 4),
           round(avg((c.met_at - c.started_at <= interval '1 hour')::int) FILTER (WHERE c.met_at IS NOT NULL), 4),
           round(avg((c.response <= interval '2 hours')::int) FILTER (WHERE c.met_at IS NOT NULL), 4)
    FROM clocks AS c
    GROUP BY GROUPING SETS ((c.bucket, c.target, c.policy), (c.bucket, c.target, c.policy, c.owner),
                            (c.bucket, c.target, c.policy, c.source))
    ORDER BY 1, 2, 3, 4, 5;
END
$$;
COMMENT ON FUNCTION @extschema@.sla_compliance(regclass, timestamptz, text) IS
    'SLA compliance per period (of clock start), table and policy, overall (dimension all) and by owner and source: clock counts by status, share met in time among decided clocks, median and mean response in business time, and speed-to-lead bands';

------------------------------------------------------------------------------
-- Window funnels (ClickHouse's windowFunnel, and the times of each step)
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@._window_funnel_transition(internal, interval, timestamptz, boolean[])
    RETURNS internal AS 'MODULE_PATHNAME', 'window_funnel_transition'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._window_funnel_transition(internal, interval, timestamptz, boolean[]) IS
    'internal: window_funnel''s transition function (collects the rows that match a step)';
CREATE FUNCTION @extschema@._window_funnel_transition(internal, interval, text, timestamptz, boolean[])
    RETURNS internal AS 'MODULE_PATHNAME', 'window_funnel_transition'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._window_funnel_transition(internal, interval, text, timestamptz, boolean[]) IS
    'internal: window_funnel''s transition function with modes';
CREATE FUNCTION @extschema@._window_funnel_combine(internal, internal)
    RETURNS internal AS 'MODULE_PATHNAME', 'window_funnel_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._window_funnel_combine(internal, internal) IS
    'internal: merges two window_funnel states (parallel aggregation)';
CREATE FUNCTION @extschema@._window_funnel_serialize(internal)
    RETURNS bytea AS 'MODULE_PATHNAME', 'window_funnel_serialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._window_funnel_serialize(internal) IS
    'internal: a window_funnel state as bytes';
CREATE FUNCTION @extschema@._window_funnel_deserialize(bytea, internal)
    RETURNS internal AS 'MODULE_PATHNAME', 'window_funnel_deserialize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._window_funnel_deserialize(bytea, internal) IS
    'internal: a window_funnel state from bytes, every byte checked';
CREATE FUNCTION @extschema@._window_funnel_final(internal)
    RETURNS integer AS 'MODULE_PATHNAME', 'window_funnel_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._window_funnel_final(internal) IS
    'internal: the deepest step a group reached';
CREATE FUNCTION @extschema@._window_funnel_times_final(internal)
    RETURNS timestamptz[] AS 'MODULE_PATHNAME', 'window_funnel_times_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._window_funnel_times_final(internal) IS
    'internal: the step times of the first chain to reach the deepest step';

CREATE AGGREGATE @extschema@.window_funnel("window" interval, ts timestamptz, VARIADIC steps boolean[]) (
    SFUNC = @extschema@._window_funnel_transition, STYPE = internal,
    FINALFUNC = @extschema@._window_funnel_final,
    COMBINEFUNC = @extschema@._window_funnel_combine,
    SERIALFUNC = @extschema@._window_funnel_serialize,
    DESERIALFUNC = @extschema@._window_funnel_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(interval, timestamptz, VARIADIC boolean[]) IS
    'the deepest step (0 to the number of steps) reached by a chain of rows whose steps come in order within window of its first step (ClickHouse windowFunnel)';
CREATE AGGREGATE @extschema@.window_funnel("window" interval, modes text, ts timestamptz, VARIADIC steps boolean[]) (
    SFUNC = @extschema@._window_funnel_transition, STYPE = internal,
    FINALFUNC = @extschema@._window_funnel_final,
    COMBINEFUNC = @extschema@._window_funnel_combine,
    SERIALFUNC = @extschema@._window_funnel_serialize,
    DESERIALFUNC = @extschema@._window_funnel_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(interval, text, timestamptz, VARIADIC boolean[]) IS
    'window_funnel with modes, comma-separated: strict_deduplication, strict_order, strict_increase, strict_once, allow_reentry';
CREATE AGGREGATE @extschema@.window_funnel_times("window" interval, ts timestamptz, VARIADIC steps boolean[]) (
    SFUNC = @extschema@._window_funnel_transition, STYPE = internal,
    FINALFUNC = @extschema@._window_funnel_times_final,
    COMBINEFUNC = @extschema@._window_funnel_combine,
    SERIALFUNC = @extschema@._window_funnel_serialize,
    DESERIALFUNC = @extschema@._window_funnel_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel_times(interval, timestamptz, VARIADIC boolean[]) IS
    'the time of each step of the first chain (in time) that reached window_funnel''s deepest step; empty when no row matched step 1';
CREATE AGGREGATE @extschema@.window_funnel_times("window" interval, modes text, ts timestamptz, VARIADIC steps boolean[]) (
    SFUNC = @extschema@._window_funnel_transition, STYPE = internal,
    FINALFUNC = @extschema@._window_funnel_times_final,
    COMBINEFUNC = @extschema@._window_funnel_combine,
    SERIALFUNC = @extschema@._window_funnel_serialize,
    DESERIALFUNC = @extschema@._window_funnel_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel_times(interval, text, timestamptz, VARIADIC boolean[]) IS
    'window_funnel_times with modes';

-- For tests of the deserialisation checks: a group's serialised state, and
-- the level of a state given as bytes.
CREATE AGGREGATE @extschema@._window_funnel_state("window" interval, modes text, ts timestamptz, VARIADIC steps boolean[]) (
    SFUNC = @extschema@._window_funnel_transition, STYPE = internal,
    FINALFUNC = @extschema@._window_funnel_serialize,
    COMBINEFUNC = @extschema@._window_funnel_combine,
    SERIALFUNC = @extschema@._window_funnel_serialize,
    DESERIALFUNC = @extschema@._window_funnel_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@._window_funnel_state(interval, text, timestamptz, VARIADIC boolean[]) IS
    'internal: window_funnel''s state as the bytes parallel workers exchange';
CREATE FUNCTION @extschema@._window_funnel_level_of_state(state bytea)
    RETURNS integer AS 'MODULE_PATHNAME', 'window_funnel_level_of_state'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._window_funnel_level_of_state(bytea) IS
    'internal: checks serialised window_funnel state bytes as deserialisation does, and evaluates them';

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

------------------------------------------------------------------------------
-- Time in stage, from the stage history
------------------------------------------------------------------------------

CREATE TYPE @extschema@.stage_time AS (
    stage @extschema@.lifecycle_stage,
    entries integer,
    latest interval,
    cumulative interval,
    current boolean
);
COMMENT ON TYPE @extschema@.stage_time IS
    'time a lead spent in one stage: how often it entered, its latest stay, all its stays together, and whether it is there at as_of';
CREATE FUNCTION @extschema@._time_in_stage_transition(internal, @extschema@.lifecycle_stage, timestamptz, timestamptz)
    RETURNS internal AS 'MODULE_PATHNAME', 'time_in_stage_transition'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._time_in_stage_transition(internal, @extschema@.lifecycle_stage, timestamptz, timestamptz) IS
    'internal: collects a lead''s stage entries';
CREATE FUNCTION @extschema@._time_in_stage_final(internal)
    RETURNS @extschema@.stage_time[] AS 'MODULE_PATHNAME', 'time_in_stage_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._time_in_stage_final(internal) IS
    'internal: the stays per stage of the collected entries';
CREATE AGGREGATE @extschema@.time_in_stage(stage @extschema@.lifecycle_stage, changed_at timestamptz, as_of timestamptz) (
    SFUNC = @extschema@._time_in_stage_transition, STYPE = internal,
    FINALFUNC = @extschema@._time_in_stage_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.time_in_stage(@extschema@.lifecycle_stage, timestamptz, timestamptz) IS
    'over a lead''s history rows (to_stage, changed_at): per stage, entries, latest and cumulative time in it up to as_of (HubSpot''s time in stage); rows at one instant count in the order given, so call it with ORDER BY id';

------------------------------------------------------------------------------
-- Funnel report, graded against benchmark bands
------------------------------------------------------------------------------

CREATE TABLE @extschema@.benchmark_bands (
    metric text NOT NULL,
    lower_bound numeric,   -- inclusive; NULL: no lower bound
    upper_bound numeric,   -- exclusive; NULL: no upper bound
    verdict text NOT NULL,
    builtin boolean NOT NULL DEFAULT false,
    CHECK (lower_bound IS NULL OR upper_bound IS NULL OR lower_bound < upper_bound)
);
COMMENT ON TABLE @extschema@.benchmark_bands IS
    'the bands funnel_report grades its metrics against (value in [lower_bound, upper_bound)); the built-in rows come from the seeds; insert your own rows for a metric and they replace the built-in ones for it';
COMMENT ON COLUMN @extschema@.benchmark_bands.metric IS
    'mql_to_sql, sql_to_opportunity, opportunity_to_customer (rates 0 to 1), mql_to_sql_days, sql_to_opportunity_days (median days), mql_rejection_rate (0 to 1)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.benchmark_bands', 'WHERE NOT builtin');
GRANT SELECT ON @extschema@.benchmark_bands TO PUBLIC;
INSERT INTO @extschema@.benchmark_bands (metric, lower_bound, upper_bound, verdict, builtin) VALUES
    -- seed 000: "25-40% for aligned teams; below 15% signals a qualification or
    -- follow-up problem"; seed 000 FAQ: "above 50% may indicate the MQL
    -- definition is too strict"
    ('mql_to_sql', NULL, 0.15, 'low: loose MQL criteria or slow follow-up', true),
    ('mql_to_sql', 0.15, 0.25, 'below benchmark (25-40%)', true),
    ('mql_to_sql', 0.25, 0.40, 'healthy', true),
    ('mql_to_sql', 0.40, 0.50, 'above benchmark (25-40%)', true),
    ('mql_to_sql', 0.50, NULL, 'high: threshold may be too strict', true),
    -- seed 000: "50-70% benchmark; below 40% signals qualification issue"
    ('sql_to_opportunity', NULL, 0.40, 'low: qualification issue', true),
    ('sql_to_opportunity', 0.40, 0.50, 'below benchmark (50-70%)', true),
    ('sql_to_opportunity', 0.50, 0.70, 'healthy', true),
    ('sql_to_opportunity', 0.70, NULL, 'above benchmark (50-70%)', true),
    -- seed 000: "20-35% benchmark for B2B"
    ('opportunity_to_customer', NULL, 0.20, 'low: below the 20-35% B2B benchmark', true),
    ('opportunity_to_customer', 0.20, 0.35, 'healthy', true),
    ('opportunity_to_customer', 0.35, NULL, 'above benchmark (20-35%)', true),
    -- MQL to SQL in 1-3 days, SQL to opportunity in 7-14 days
    ('mql_to_sql_days', NULL, 1, 'fast', true),
    ('mql_to_sql_days', 1, 3, 'healthy', true),
    ('mql_to_sql_days', 3, NULL, 'slow: sales follow-up lags (1-3 days)', true),
    ('sql_to_opportunity_days', NULL, 7, 'fast', true),
    ('sql_to_opportunity_days', 7, 14, 'healthy', true),
    ('sql_to_opportunity_days', 14, NULL, 'slow: deals take long to open (7-14 days)', true),
    -- seed 000: "under 20% healthy; above 30% means the scoring model needs
    -- recalibration"
    ('mql_rejection_rate', NULL, 0.20, 'healthy', true),
    ('mql_rejection_rate', 0.20, 0.30, 'watch: rejections rising (healthy under 20%)', true),
    ('mql_rejection_rate', 0.30, NULL, 'high: recalibrate the scoring model', true);

-- Only known metrics; the built-in rows stay as they are (yours replace them).
CREATE FUNCTION @extschema@._check_benchmark_band()
    RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.builtin THEN
        RAISE EXCEPTION 'the built-in benchmark band for % is not changed in place', OLD.metric
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Insert your own bands for the metric: they replace the built-in ones.';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF NEW.lower_bound >= NEW.upper_bound THEN
        RAISE EXCEPTION 'a benchmark band from % to % is empty', NEW.lower_bound, NEW.upper_bound
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'A band covers lower_bound (inclusive) up to upper_bound (exclusive); NULL leaves a side open.';
    END IF;
    IF NEW.metric NOT IN ('mql_to_sql', 'sql_to_opportunity', 'opportunity_to_customer', 'mql_to_sql_days',
                          'sql_to_opportunity_days', 'mql_rejection_rate') THEN
        RAISE EXCEPTION 'unknown benchmark metric %', to_json(NEW.metric)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Metrics: mql_to_sql, sql_to_opportunity, opportunity_to_customer, mql_to_sql_days, '
                         'sql_to_opportunity_days, mql_rejection_rate.';
    END IF;
    -- Only the rows this script inserted (before the trigger existed) are built in.
    NEW.builtin := false;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@._check_benchmark_band() IS
    'internal: checks rows written to leadscore.benchmark_bands';
CREATE TRIGGER check_band BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.benchmark_bands
    FOR EACH ROW EXECUTE FUNCTION @extschema@._check_benchmark_band();

-- The verdict for a metric's value: the user's bands for it if any, else
-- the built-in ones.
CREATE FUNCTION @extschema@.band_verdict(metric text, value numeric)
    RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT b.verdict FROM @extschema@.benchmark_bands AS b
    WHERE b.metric = band_verdict.metric AND value IS NOT NULL
      AND (b.lower_bound IS NULL OR value >= b.lower_bound) AND (b.upper_bound IS NULL OR value < b.upper_bound)
      AND b.builtin = NOT EXISTS (SELECT FROM @extschema@.benchmark_bands AS u
                                  WHERE u.metric = band_verdict.metric AND NOT u.builtin)
    ORDER BY b.lower_bound NULLS FIRST
    LIMIT 1
$$;
COMMENT ON FUNCTION @extschema@.band_verdict(text, numeric) IS
    'the verdict of leadscore.benchmark_bands for a metric''s value (NULL when no band covers it)';

CREATE FUNCTION @extschema@.funnel_report(target regclass, period text DEFAULT 'month',
                                          since timestamptz DEFAULT NULL, group_by text DEFAULT NULL)
    RETURNS TABLE (period_start timestamptz, group_value text,
                   entered_mql bigint, entered_sql bigint, entered_opportunity bigint, entered_customer bigint,
                   cohort_mqls bigint,
                   mql_to_sql numeric, sql_to_opportunity numeric, opportunity_to_customer numeric,
                   mql_to_customer numeric,
                   median_mql_to_sql interval, median_sql_to_opportunity interval,
                   mql_rejection_rate numeric, top_rejection_reasons text,
                   sla_compliance numeric, lead_velocity_rate numeric,
                   mql_to_sql_verdict text, sql_to_opportunity_verdict text, opportunity_to_customer_verdict text,
                   mql_to_sql_time_verdict text, sql_to_opportunity_time_verdict text, rejection_verdict text)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    config jsonb;
    grouping_expression text := 'NULL::text';
BEGIN
    IF target IS NULL THEN
        RAISE EXCEPTION 'funnel_report needs a table, got NULL'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass an attached table, e.g. ''crm.contacts''.';
    END IF;
    IF period IS NULL OR period NOT IN ('day', 'week', 'month', 'quarter', 'year') THEN
        RAISE EXCEPTION 'funnel_report: unknown period %', coalesce(to_json(period)::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use day, week, month, quarter or year.';
    END IF;
    SELECT a.config INTO config FROM @extschema@.attachment_configs AS a WHERE a.target = funnel_report.target;
    IF config IS NULL THEN
        RAISE EXCEPTION 'table % is not attached to leadscore', target
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'The report reads the stage history leadscore.attach records; attach the table first.';
    END IF;
    IF group_by IS NOT NULL THEN
        IF @extschema@._column_type(target, group_by) IS NULL THEN
            RAISE EXCEPTION 'funnel_report: column % does not exist in %', to_json(group_by), target
                USING ERRCODE = 'undefined_column',
                      HINT = 'Name a column of the attached table, e.g. the lead source (inbound/outbound).';
        END IF;
        grouping_expression := format('t.%I::text', group_by);
    END IF;
    RETURN QUERY EXECUTE format($report$
    WITH history AS (
        SELECT h.lead_key, h.from_stage, h.to_stage, h.changed_at, h.reason
        FROM @extschema@.stage_history AS h WHERE h.target = $1),
    -- When each lead first reached each milestone (or a later stage: leads
    -- skip stages), whether sales rejected it as an MQL, and why.
    leads AS (
        SELECT h.lead_key,
               min(h.changed_at) FILTER (WHERE h.to_stage OPERATOR(@extschema@.>=) 'mql') AS mql_at,
               min(h.changed_at) FILTER (WHERE h.to_stage OPERATOR(@extschema@.>=) 'sql') AS sql_at,
               min(h.changed_at) FILTER (WHERE h.to_stage OPERATOR(@extschema@.>=) 'opportunity') AS opportunity_at,
               min(h.changed_at) FILTER (WHERE h.to_stage OPERATOR(@extschema@.=) 'customer') AS customer_at,
               (array_agg(coalesce(h.reason, 'no reason') ORDER BY h.changed_at)
                   FILTER (WHERE h.from_stage OPERATOR(@extschema@.>=) 'mql'
                             AND h.from_stage OPERATOR(@extschema@.<) 'sql'
                             AND h.to_stage OPERATOR(@extschema@.<=) 'recycled'))[1] AS rejection
        FROM history AS h GROUP BY h.lead_key),
    grouped AS (
        SELECT l.*, %1$s AS group_value
        FROM leads AS l LEFT JOIN %2$s AS t ON t.%3$I::text = l.lead_key),
    milestones AS (
        SELECT g.group_value, date_trunc($2, m.at) AS bucket, m.milestone
        FROM grouped AS g,
             LATERAL (VALUES ('mql', g.mql_at), ('sql', g.sql_at), ('opportunity', g.opportunity_at),
                             ('customer', g.customer_at)) AS m(milestone, at)
        WHERE m.at IS NOT NULL),
    entered AS (
        SELECT m.bucket, m.group_value,
               count(*) FILTER (WHERE m.milestone = 'mql') AS mql, count(*) FILTER (WHERE m.milestone = 'sql') AS sql,
               count(*) FILTER (WHERE m.milestone = 'opportunity') AS opportunity,
               count(*) FILTER (WHERE m.milestone = 'customer') AS customer
        FROM milestones AS m GROUP BY m.bucket, m.group_value),
    -- Cohorts by the period of their MQL date: what became of them since.
    cohorts AS (
        SELECT date_trunc($2, g.mql_at) AS bucket, g.group_value, count(*) AS mqls,
               count(g.sql_at) AS sqls, count(g.opportunity_at) AS opportunities,
               count(g.opportunity_at) FILTER (WHERE g.sql_at IS NOT NULL) AS sql_opportunities,
               count(g.customer_at) FILTER (WHERE g.opportunity_at IS NOT NULL) AS opportunity_customers,
               count(g.customer_at) AS customers,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY g.sql_at - g.mql_at) AS mql_to_sql,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY g.opportunity_at - g.sql_at)
                   FILTER (WHERE g.sql_at IS NOT NULL) AS sql_to_opportunity,
               count(g.rejection) AS rejected
        FROM grouped AS g WHERE g.mql_at IS NOT NULL
        GROUP BY 1, 2),
    reasons AS (
        SELECT r.bucket, r.group_value,
               string_agg(format('%%s (%%s)', r.rejection, r.n), ', ' ORDER BY r.n DESC, r.rejection) AS top
        FROM (SELECT date_trunc($2, g.mql_at) AS bucket, g.group_value, g.rejection, count(*) AS n,
                     row_number() OVER (PARTITION BY date_trunc($2, g.mql_at), g.group_value
                                        ORDER BY count(*) DESC, g.rejection) AS place
              FROM grouped AS g WHERE g.rejection IS NOT NULL AND g.mql_at IS NOT NULL GROUP BY 1, 2, 3) AS r
        WHERE r.place <= 3 GROUP BY 1, 2),
    sla AS (
        SELECT date_trunc($2, c.started_at) AS bucket, %1$s AS group_value,
               count(*) FILTER (WHERE c.status = 'met')::numeric
                   / nullif(count(*) FILTER (WHERE c.status IN ('met', 'met_late', 'breached')), 0) AS compliance
        FROM @extschema@.sla_clocks AS c LEFT JOIN %2$s AS t ON t.%3$I::text = c.lead_key
        WHERE c.target = $1 GROUP BY 1, 2),
    report AS (
        SELECT coalesce(e.bucket, c.bucket) AS bucket, coalesce(e.group_value, c.group_value) AS group_value,
               coalesce(e.mql, 0) AS mql, coalesce(e.sql, 0) AS sql, coalesce(e.opportunity, 0) AS opportunity,
               coalesce(e.customer, 0) AS customer, coalesce(c.mqls, 0) AS cohort_mqls,
               round(c.sqls::numeric / nullif(c.mqls, 0), 4) AS mql_to_sql,
               round(c.sql_opportunities::numeric / nullif(c.sqls, 0), 4) AS sql_to_opportunity,
               round(c.opportunity_customers::numeric / nullif(c.opportunities, 0), 4) AS opportunity_to_customer,
               round(c.customers::numeric / nullif(c.mqls, 0), 4) AS mql_to_customer,
               c.mql_to_sql AS median_mql_to_sql, c.sql_to_opportunity AS median_sql_to_opportunity,
               round(c.rejected::numeric / nullif(c.mqls, 0), 4) AS rejection_rate
        FROM entered AS e FULL JOIN cohorts AS c ON c.bucket = e.bucket AND c.group_value IS NOT DISTINCT FROM e.group_value)
    SELECT * FROM (
    SELECT r.bucket, r.group_value, r.mql, r.sql, r.opportunity, r.customer, r.cohort_mqls,
           r.mql_to_sql, r.sql_to_opportunity, r.opportunity_to_customer, r.mql_to_customer,
           r.median_mql_to_sql, r.median_sql_to_opportunity, r.rejection_rate, rs.top,
           round(s.compliance, 4),
           -- lead velocity: growth of new MQLs over the previous period of the
           -- group (computed before `since` cuts the earlier periods off)
           CASE WHEN lag(r.bucket) OVER w = r.bucket - CASE $2 WHEN 'quarter' THEN interval '3 months'
                                                               ELSE ('1 ' || $2)::interval END
                THEN round((r.mql - lag(r.mql) OVER w)::numeric / nullif(lag(r.mql) OVER w, 0), 4) END,
           @extschema@.band_verdict('mql_to_sql', r.mql_to_sql),
           @extschema@.band_verdict('sql_to_opportunity', r.sql_to_opportunity),
           @extschema@.band_verdict('opportunity_to_customer', r.opportunity_to_customer),
           @extschema@.band_verdict('mql_to_sql_days', extract(epoch FROM r.median_mql_to_sql) / 86400),
           @extschema@.band_verdict('sql_to_opportunity_days', extract(epoch FROM r.median_sql_to_opportunity) / 86400),
           @extschema@.band_verdict('mql_rejection_rate', r.rejection_rate)
    FROM report AS r
    LEFT JOIN reasons AS rs ON rs.bucket = r.bucket AND rs.group_value IS NOT DISTINCT FROM r.group_value
    LEFT JOIN sla AS s ON s.bucket = r.bucket AND s.group_value IS NOT DISTINCT FROM r.group_value
    WINDOW w AS (PARTITION BY r.group_value ORDER BY r.bucket)) AS graded
    WHERE $3 IS NULL OR graded.bucket >= date_trunc($2, $3)
    ORDER BY graded.bucket, graded.group_value
    $report$, grouping_expression, target, config ->> 'key_column')
    USING target, period, since;
END
$$;
COMMENT ON FUNCTION @extschema@.funnel_report(regclass, text, timestamptz, text) IS
    'per period (and group): leads entering mql, sql, opportunity and customer; for the cohort of MQLs of the period, conversion MQL->SQL, SQL->opportunity, opportunity->customer and MQL->customer, median times, rejection rate and top reasons; SLA compliance; lead velocity; verdicts from leadscore.benchmark_bands';
