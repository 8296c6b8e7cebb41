-- leadscore: Business calendars and business-time arithmetic.
-- Concatenated into leadscore--<version>.sql by the Makefile (SQL_SOURCES), after
-- the files whose objects it uses.

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
SELECT pg_catalog.pg_extension_config_dump('@extschema@.calendars', '');
GRANT SELECT ON @extschema@.calendars TO PUBLIC;
COMMENT ON TABLE @extschema@.calendars IS
    'business calendars: an IANA time zone, weekly windows in local time, holidays. Write through leadscore.define_calendar';

CREATE OR REPLACE FUNCTION @extschema@._normalise_calendar_row()
    RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    zone text;
BEGIN
    NEW.definition := @extschema@._normalise_stored_calendar(NEW.name, NEW.definition);
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
CREATE TRIGGER normalise_definition
    BEFORE INSERT OR UPDATE OF name, definition ON @extschema@.calendars
    FOR EACH ROW EXECUTE FUNCTION @extschema@._normalise_calendar_row();
COMMENT ON FUNCTION @extschema@._normalise_calendar_row() IS
    'internal: validates and normalises a definition written to leadscore.calendars';

CREATE FUNCTION @extschema@._config_changed()
    RETURNS trigger AS 'MODULE_PATHNAME', 'config_changed'
    LANGUAGE C;
CREATE TRIGGER calendars_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.calendars
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._config_changed();
COMMENT ON FUNCTION @extschema@._config_changed() IS
    'internal: tells every backend''s caches that one of leadscore''s config tables changed';

CREATE OR REPLACE FUNCTION @extschema@.define_calendar(name text, definition jsonb)
    RETURNS jsonb
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    INSERT INTO @extschema@.calendars AS c (name, definition)
    VALUES (define_calendar.name, @extschema@._check_calendar(define_calendar.name, define_calendar.definition))
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

CREATE FUNCTION @extschema@._normalise_stored_calendar(name text, definition jsonb)
    RETURNS jsonb AS 'MODULE_PATHNAME', 'normalise_stored_calendar'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._normalise_stored_calendar(text, jsonb) IS
    'internal: validates a calendar row and returns it normalised, without the size limits';
