-- Scoring models: define_model versions and validates, model_definition and
-- the models view read them back, and every function sees a new version at
-- once (the model cache is invalidated by the models table's trigger).

-- The built-in model carries the seeds' values (seed 000).
SELECT name, version, is_current, description FROM leadscore.models WHERE name = 'default';
SELECT key AS event_type, value -> 'points' AS points, value ->> 'group' AS "group"
FROM jsonb_each(leadscore.model_definition('default') -> 'engagement' -> 'events')
ORDER BY 2 DESC, 1;
SELECT leadscore.model_definition('default') -> 'engagement' -> 'inactivity' AS inactivity,
       leadscore.model_definition('default') -> 'thresholds' AS thresholds;
SELECT r ->> 'name' AS rule, r ->> 'attribute' AS attribute, r ->> 'group' AS "group",
       coalesce(r -> 'seniority', r -> 'email_kind', r -> 'ranges', r -> 'in') AS test,
       r -> 'points' AS points
FROM jsonb_array_elements(leadscore.model_definition('default') -> 'fit' -> 'rules') AS r;

-- A new model: version 1, stored normalised (every default written out).
SELECT leadscore.define_model('webinar-heavy', '{
  "engagement": {"events": {"webinar_attended": 40, "pricing_view": {"points": 10, "cap": 30}}},
  "thresholds": {"mql": 60}}');
SELECT jsonb_pretty(leadscore.model_definition('webinar-heavy'));
-- Defining the same thing again keeps the version; a change makes version 2.
SELECT leadscore.define_model('webinar-heavy', '{
  "engagement": {"events": {"pricing_view": {"cap": 30, "points": 10}, "webinar_attended": 40.0}},
  "thresholds": {"mql": 60}}') AS same_version;
SELECT leadscore.define_model('webinar-heavy', '{
  "engagement": {"events": {"webinar_attended": 50}}, "thresholds": {"mql": 60}}') AS new_version;
SELECT name, version, is_current FROM leadscore.models WHERE name = 'webinar-heavy' ORDER BY version;
SELECT leadscore.model_definition('webinar-heavy', 1) -> 'engagement' -> 'events' -> 'webinar_attended' AS v1,
       leadscore.model_definition('webinar-heavy') -> 'engagement' -> 'events' -> 'webinar_attended' AS current;

-- Functions see the new version at once, in this session and in a
-- transaction that defines it (and the old one again after a rollback).
CREATE TEMP TABLE webinar_events AS
SELECT 1 AS lead, 'webinar_attended'::text AS type, timestamptz '2026-11-20' AS at;
SELECT leadscore.engagement_score('webinar-heavy', type, at, '2026-11-22') FROM webinar_events;
BEGIN;
SELECT leadscore.define_model('webinar-heavy', '{"engagement": {"events": {"webinar_attended": 70}}}');
SELECT leadscore.engagement_score('webinar-heavy', type, at, '2026-11-22') FROM webinar_events;
ROLLBACK;
SELECT leadscore.engagement_score('webinar-heavy', type, at, '2026-11-22') FROM webinar_events;
-- Deleting the newest version makes the previous one current again.
DELETE FROM leadscore.scoring_models WHERE name = 'webinar-heavy' AND version = 2;
SELECT leadscore.engagement_score('webinar-heavy', type, at, '2026-11-22') FROM webinar_events;

-- Bad definitions: an ERROR naming the JSON path, and nothing stored.
\set SHOW_CONTEXT never
SELECT leadscore.define_model('bad', '{"engagement": {"events": {"pricing_view": "high"}}}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.define_model('bad', '{"engagement": {"events": {"pricing_view": {"points": 15, "group": "web"}}}}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.define_model('bad', '{"engagement": {"groups": {"web": {"decay": {"half_life": "0 days"}}}}}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.define_model('bad', '{"engagement": {"groups": {"web": {"decay": {"half_life": "-2 weeks"}}}}}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.define_model('bad', '{"engagement": {"decay": {"percent": 25, "every": "fortnightly"}}}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.define_model('bad', '{"engagement": {"groups": {"web": {"cap": -10}}}}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.define_model('bad', '{"engagement": {"groups": {"web": {"cap": 10, "floor": 20}}}}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.define_model('bad', '{"fit": {"rules": [{"attribute": "employees", "ranges": [{"min": "fifty", "points": 5}]}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.define_model('bad', '{"fit": {"rules": {"attribute": "title"}}}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.define_model('bad', '{"fit": {"rules": [{"attribute": "title", "seniority": {"vp": "lots"}}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.define_model('bad', '{"thresholds": {"mql": "eighty"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.define_model('bad', '{"grade": {"engagement": {"1": 10, "2": 30, "3": 5}}}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.define_model('bad', '{"engagement": {"unknown_events": "warn"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.define_model('bad', '[]');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.define_model('bad', '"a model"');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.define_model('bad', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.define_model(NULL, '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.define_model('', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.define_model(repeat('m', 64), '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.define_model(E'tab\there', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS bad_models_stored FROM leadscore.scoring_models WHERE name = 'bad';

-- Unknown models and versions: ERROR 42704 with the defined models as hint.
SELECT leadscore.model_definition('nope');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.model_definition('default', 7);
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.fit_score('nope', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.engagement_score('Default', 'x', now(), now());
\echo :LAST_ERROR_SQLSTATE

-- Everyone may read models; writing them takes a grant.
CREATE ROLE scoring_reader;
SET ROLE scoring_reader;
SELECT leadscore.fit_score('default', '{"title": "CEO"}');
SELECT leadscore.define_model('mine', '{}');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE scoring_reader;
