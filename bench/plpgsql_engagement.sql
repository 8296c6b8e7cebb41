-- The PL/pgSQL aggregates a team would write instead of leadscore.engagement_score:
-- a composite state, a PL/pgSQL transition function (one call per event), a
-- PL/pgSQL final function, and a combine function so that they can run in
-- parallel too. The models are written into the code (the most favourable
-- case for PL/pgSQL: no rule lookup per event).
--
-- plpgsql_engagement_default(event_type, occurred_at, as_of): leadscore's
--   'default' model (points per type, no decay, no caps, -10 after 30 days
--   without a scored event).
-- plpgsql_engagement_decay(event_type, occurred_at, as_of): the benchmark's
--   'bench_decay' model (bench/generate_events.sql): half-lives per group,
--   type and group caps and floors, two frequency rules, inactivity, a cap on
--   the total. Decayed points are summed as double precision and rounded to
--   0.01 per event type at the end.
DROP AGGREGATE IF EXISTS plpgsql_engagement_default(text, timestamptz, timestamptz);
DROP AGGREGATE IF EXISTS plpgsql_engagement_decay(text, timestamptz, timestamptz);
DROP FUNCTION IF EXISTS plpgsql_default_step, plpgsql_default_combine, plpgsql_default_final,
    plpgsql_decay_step, plpgsql_decay_combine, plpgsql_decay_final;
DROP TYPE IF EXISTS plpgsql_default_state, plpgsql_decay_state;

-- ---------------------------------------------------------------------------
-- The default model
-- ---------------------------------------------------------------------------
CREATE TYPE plpgsql_default_state AS (
    points bigint,
    last_activity timestamptz,  -- latest scored event at or before as_of
    as_of timestamptz
);

CREATE FUNCTION plpgsql_default_step(state plpgsql_default_state, event_type text,
                                     occurred_at timestamptz, as_of timestamptz)
RETURNS plpgsql_default_state
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    points int;
BEGIN
    state.as_of := as_of;
    IF occurred_at IS NULL OR occurred_at > as_of THEN
        RETURN state;
    END IF;
    points := CASE event_type
        WHEN 'email_open' THEN 2
        WHEN 'email_click' THEN 5
        WHEN 'blog_view' THEN 3
        WHEN 'pricing_view' THEN 15
        WHEN 'demo_view' THEN 20
        WHEN 'content_download' THEN 8
        WHEN 'video_75' THEN 10
        WHEN 'chat' THEN 20
        WHEN 'webinar_attended' THEN 25
    END;
    IF points IS NULL THEN
        RETURN state;
    END IF;
    state.points := state.points + points;
    IF state.last_activity IS NULL OR occurred_at > state.last_activity THEN
        state.last_activity := occurred_at;
    END IF;
    RETURN state;
END
$$;

CREATE FUNCTION plpgsql_default_combine(a plpgsql_default_state, b plpgsql_default_state)
RETURNS plpgsql_default_state
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    a.points := a.points + b.points;
    a.as_of := coalesce(a.as_of, b.as_of);
    IF a.last_activity IS NULL OR b.last_activity > a.last_activity THEN
        a.last_activity := b.last_activity;
    END IF;
    RETURN a;
END
$$;

CREATE FUNCTION plpgsql_default_final(state plpgsql_default_state)
RETURNS numeric
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN round(state.points
                 + CASE WHEN state.last_activity IS NULL
                             OR state.as_of - state.last_activity >= interval '30 days'
                        THEN -10 ELSE 0 END, 2);
END
$$;

CREATE AGGREGATE plpgsql_engagement_default(text, timestamptz, timestamptz) (
    SFUNC = plpgsql_default_step,
    STYPE = plpgsql_default_state,
    INITCOND = '(0,,)',
    FINALFUNC = plpgsql_default_final,
    COMBINEFUNC = plpgsql_default_combine,
    PARALLEL = SAFE
);

-- ---------------------------------------------------------------------------
-- The decay model (bench_decay). Event types by position:
--   1 email_open, 2 email_click, 3 unsubscribe            (group email)
--   4 blog_view, 5 pricing_view, 6 demo_view, 7 content_download,
--   8 video_75, 9 site_visit                               (group web)
--   10 chat                                                (group events)
--   11 webinar_attended                                    (no group)
-- ---------------------------------------------------------------------------
CREATE TYPE plpgsql_decay_state AS (
    as_of timestamptz,
    last_activity timestamptz,
    decayed float8[],      -- per type: sum of decayed points
    counts int[],          -- per type: events
    repeat_visits int,     -- site_visit and blog_view within 30 days
    pricing_interest int   -- pricing_view and demo_view within 14 days
);

CREATE FUNCTION plpgsql_decay_step(state plpgsql_decay_state, event_type text,
                                   occurred_at timestamptz, as_of timestamptz)
RETURNS plpgsql_decay_state
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    i int;
    points float8;
    half_life_days float8;
    age interval;
BEGIN
    state.as_of := as_of;
    IF occurred_at IS NULL OR occurred_at > as_of THEN
        RETURN state;
    END IF;
    CASE event_type
        WHEN 'email_open' THEN i := 1; points := 2; half_life_days := 14;
        WHEN 'email_click' THEN i := 2; points := 5; half_life_days := 14;
        WHEN 'unsubscribe' THEN i := 3; points := -20; half_life_days := 14;
        WHEN 'blog_view' THEN i := 4; points := 3; half_life_days := 30;
        WHEN 'pricing_view' THEN i := 5; points := 15; half_life_days := 30;
        WHEN 'demo_view' THEN i := 6; points := 20; half_life_days := 30;
        WHEN 'content_download' THEN i := 7; points := 8; half_life_days := 30;
        WHEN 'video_75' THEN i := 8; points := 10; half_life_days := 30;
        WHEN 'site_visit' THEN i := 9; points := 1; half_life_days := 30;
        WHEN 'chat' THEN i := 10; points := 20; half_life_days := 60;
        WHEN 'webinar_attended' THEN i := 11; points := 25; half_life_days := 90;
        ELSE RETURN state;
    END CASE;
    age := as_of - occurred_at;
    state.decayed[i] := state.decayed[i]
        + points * power(0.5, date_part('epoch', age) / (half_life_days * 86400));
    state.counts[i] := state.counts[i] + 1;
    IF i IN (4, 9) AND age <= interval '30 days' THEN
        state.repeat_visits := state.repeat_visits + 1;
    ELSIF i IN (5, 6) AND age <= interval '14 days' THEN
        state.pricing_interest := state.pricing_interest + 1;
    END IF;
    IF state.last_activity IS NULL OR occurred_at > state.last_activity THEN
        state.last_activity := occurred_at;
    END IF;
    RETURN state;
END
$$;

CREATE FUNCTION plpgsql_decay_combine(a plpgsql_decay_state, b plpgsql_decay_state)
RETURNS plpgsql_decay_state
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    FOR i IN 1..11 LOOP
        a.decayed[i] := a.decayed[i] + b.decayed[i];
        a.counts[i] := a.counts[i] + b.counts[i];
    END LOOP;
    a.repeat_visits := a.repeat_visits + b.repeat_visits;
    a.pricing_interest := a.pricing_interest + b.pricing_interest;
    a.as_of := coalesce(a.as_of, b.as_of);
    IF a.last_activity IS NULL OR b.last_activity > a.last_activity THEN
        a.last_activity := b.last_activity;
    END IF;
    RETURN a;
END
$$;

CREATE FUNCTION plpgsql_decay_final(state plpgsql_decay_state)
RETURNS numeric
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    caps constant numeric[] := ARRAY[12, NULL, NULL, 15, NULL, NULL, NULL, NULL, 10, NULL, NULL];
    floors constant numeric[] := ARRAY[NULL, NULL, -20, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                       NULL];
    type_points numeric;
    email numeric := 0;
    web numeric := 0;
    events numeric := 0;
    ungrouped numeric := 0;
BEGIN
    FOR i IN 1..11 LOOP
        CONTINUE WHEN state.counts[i] = 0;
        type_points := greatest(least(round(state.decayed[i]::numeric, 2), caps[i]), floors[i]);
        IF i <= 3 THEN
            email := email + type_points;
        ELSIF i <= 9 THEN
            web := web + type_points;
        ELSIF i = 10 THEN
            events := events + type_points;
        ELSE
            ungrouped := ungrouped + type_points;
        END IF;
    END LOOP;
    IF state.repeat_visits >= 3 THEN
        web := web + 15;
    END IF;
    IF state.pricing_interest >= 2 THEN
        ungrouped := ungrouped + 10;
    END IF;
    IF state.last_activity IS NULL OR state.as_of - state.last_activity >= interval '30 days' THEN
        ungrouped := ungrouped - 10;
    END IF;
    RETURN least(ungrouped + greatest(least(email, 20), 0) + least(web, 60) + least(events, 50),
                 150);
END
$$;

CREATE AGGREGATE plpgsql_engagement_decay(text, timestamptz, timestamptz) (
    SFUNC = plpgsql_decay_step,
    STYPE = plpgsql_decay_state,
    INITCOND = '(,,"{0,0,0,0,0,0,0,0,0,0,0}","{0,0,0,0,0,0,0,0,0,0,0}",0,0)',
    FINALFUNC = plpgsql_decay_final,
    COMBINEFUNC = plpgsql_decay_combine,
    PARALLEL = SAFE
);
