-- engagement_score and explain_engagement: points per event type, decay,
-- caps, floors, frequency rules, inactivity; order independence; parallel
-- aggregation; bad input, including corrupted serialised states.

CREATE TEMP TABLE events (lead int, type text, at timestamptz);
INSERT INTO events VALUES
  -- lead 1: seed 000's high-intent actions this month
  (1, 'pricing_view', '2026-11-02 10:00+00'), (1, 'demo_view', '2026-11-10 09:00+00'),
  (1, 'webinar_attended', '2026-11-12 16:00+00'), (1, 'email_click', '2026-11-20 08:00+00'),
  (1, 'page_scroll', '2026-11-20 08:01+00'),  -- not in the model: ignored
  -- lead 2: one open, months ago: inactive
  (2, 'email_open', '2026-06-01 12:00+00'),
  -- lead 3: events after as_of are ignored
  (3, 'pricing_view', '2026-11-21 12:00+00'), (3, 'demo_view', '2026-12-01 12:00+00'),
  -- lead 4: NULL type and time are ignored
  (4, NULL, '2026-11-21 12:00+00'), (4, 'chat', NULL), (4, 'chat', '2026-11-21 13:00+00');

SELECT lead, leadscore.engagement_score('default', type, at, '2026-11-22 00:00+00') AS engagement
FROM events GROUP BY lead ORDER BY lead;
SELECT jsonb_pretty(leadscore.explain_engagement('default', type, at, '2026-11-22 00:00+00'))
FROM events WHERE lead = 1;
SELECT jsonb_pretty(leadscore.explain_engagement('default', type, at, '2026-11-22 00:00+00'))
FROM events WHERE lead = 2;
-- No rows: NULL, like sum().
SELECT leadscore.engagement_score('default', type, at, now()) IS NULL AS no_rows FROM events WHERE false;

-- A model with decay (half-life and HubSpot's linear percentage per
-- period), type and group caps, a group floor, frequency rules.
SELECT leadscore.define_model('decaying', '{
  "engagement": {
    "decay": {"percent": 25, "every": "30 days"},
    "groups": {
      "email": {"cap": 20, "floor": 0, "decay": {"half_life": "14 days"}},
      "web": {"cap": 60, "decay": {"half_life": "30 days"}}
    },
    "events": {
      "email_open": {"points": 2, "group": "email"},
      "email_click": {"points": 5, "group": "email"},
      "unsubscribe": {"points": -25, "group": "email"},
      "site_visit": {"points": 1, "group": "web", "cap": 10},
      "pricing_view": {"points": 15, "group": "web"},
      "webinar_attended": 25
    },
    "frequency": [
      {"name": "repeat_visits", "events": ["site_visit"], "at_least": 3, "within": "30 days", "points": 15, "group": "web"},
      {"name": "opened_3_emails", "events": ["email_open"], "at_least": 3, "points": 5}
    ],
    "inactivity": {"after": "30 days", "points": -10}
  }}');
CREATE TEMP TABLE decaying_events (lead int, type text, at timestamptz);
INSERT INTO decaying_events VALUES
  (1, 'pricing_view', '2026-10-23 00:00+00'),       -- 30 days old: half of 15
  (1, 'webinar_attended', '2026-09-22 00:00+00'),   -- 61 days, two 25% steps: half of 25
  (1, 'site_visit', '2026-11-21 00:00+00'),
  (2, 'unsubscribe', '2026-11-21 00:00+00'), (2, 'email_open', '2026-11-21 00:00+00'),  -- email floor 0
  (3, 'email_open', '2026-11-01 00:00+00'), (3, 'email_open', '2026-11-08 00:00+00'),
  (3, 'email_open', '2026-11-15 00:00+00'), (3, 'email_click', '2026-11-21 00:00+00');
INSERT INTO decaying_events SELECT 4, 'site_visit', timestamptz '2026-11-21 00:00+00' - g * interval '1 hour'
FROM generate_series(1, 40) AS g;  -- 40 visits: type cap 10, plus repeat_visits
SELECT lead, leadscore.engagement_score('decaying', type, at, '2026-11-22 00:00+00') AS engagement
FROM decaying_events GROUP BY lead ORDER BY lead;
SELECT r ->> 'rule' AS rule, r ->> 'group' AS "group", r -> 'events' AS events, r -> 'points' AS points, r ->> 'detail' AS detail
FROM (SELECT leadscore.explain_engagement('decaying', type, at, '2026-11-22 00:00+00') AS e
      FROM decaying_events WHERE lead = 1) AS x, jsonb_array_elements(x.e -> 'rules') AS r;
SELECT r ->> 'rule' AS rule, r -> 'points' AS points, r ->> 'detail' AS detail
FROM (SELECT leadscore.explain_engagement('decaying', type, at, '2026-11-22 00:00+00') AS e
      FROM decaying_events WHERE lead IN (2, 3, 4) GROUP BY lead ORDER BY lead) AS x, jsonb_array_elements(x.e -> 'rules') AS r;
-- The same events scored a year later: everything has decayed away, the
-- inactivity penalty is what is left.
SELECT lead, leadscore.engagement_score('decaying', type, at, '2027-11-22 00:00+00') AS a_year_later
FROM decaying_events GROUP BY lead ORDER BY lead;

-- Generated events for 3000 leads (deterministic): explanations add up to
-- the score, and the input order does not matter.
CREATE TABLE engagement_events AS
SELECT (g % 3000) + 1 AS lead,
       (ARRAY['email_open', 'email_click', 'unsubscribe', 'site_visit', 'pricing_view', 'webinar_attended',
              'blog_view', 'demo_view', 'tweet'])[1 + (g * 7) % 9] AS type,
       timestamptz '2026-11-22 00:00+00' - ((g * 7919) % (200 * 86400)) * interval '1 second' AS at
FROM generate_series(1, 60000) AS g;
ANALYZE engagement_events;
SELECT m.model,
       count(*) FILTER (WHERE score IS DISTINCT FROM (explained ->> 'score')::numeric) AS score_mismatches,
       count(*) FILTER (WHERE score IS DISTINCT FROM
                        (SELECT sum((r ->> 'points')::numeric) FROM jsonb_array_elements(explained -> 'rules') AS r)) AS sum_mismatches,
       count(*) FILTER (WHERE score IS DISTINCT FROM backwards) AS order_mismatches,
       min(score), max(score)
FROM (VALUES ('default'), ('decaying')) AS m(model)
CROSS JOIN LATERAL (
    SELECT lead,
           leadscore.engagement_score(m.model, type, at, '2026-11-22 00:00+00' ORDER BY at, type) AS score,
           leadscore.engagement_score(m.model, type, at, '2026-11-22 00:00+00' ORDER BY at DESC, type DESC) AS backwards,
           leadscore.explain_engagement(m.model, type, at, '2026-11-22 00:00+00') AS explained
    FROM engagement_events GROUP BY lead) AS s
GROUP BY m.model ORDER BY m.model;

-- Parallel aggregation: a Partial Aggregate plan, same result as serial.
CREATE TEMP TABLE serial_scores AS
SELECT type, leadscore.engagement_score('decaying', type, at, '2026-11-22 00:00+00') AS score,
       leadscore.explain_engagement('decaying', type, at, '2026-11-22 00:00+00') AS explained
FROM engagement_events GROUP BY type;
SELECT leadscore.explain_engagement('decaying', type, at, '2026-11-22 00:00+00') AS whole_table,
       leadscore.explain_engagement('default', type, at, '2026-11-22 00:00+00') AS default_whole_table
FROM engagement_events \gset serial_
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT type, leadscore.engagement_score('decaying', type, at, '2026-11-22 00:00+00')
FROM engagement_events GROUP BY type;
SELECT count(*) AS types,
       count(*) FILTER (WHERE p.score IS DISTINCT FROM s.score) AS score_mismatches,
       count(*) FILTER (WHERE p.explained IS DISTINCT FROM s.explained) AS explanation_mismatches
FROM (SELECT type, leadscore.engagement_score('decaying', type, at, '2026-11-22 00:00+00') AS score,
             leadscore.explain_engagement('decaying', type, at, '2026-11-22 00:00+00') AS explained
      FROM engagement_events GROUP BY type) AS p
FULL JOIN serial_scores AS s USING (type);
-- One group for the whole table: the workers' partial states are combined.
EXPLAIN (COSTS OFF)
SELECT leadscore.explain_engagement('decaying', type, at, '2026-11-22 00:00+00') FROM engagement_events;
SELECT leadscore.explain_engagement('decaying', type, at, '2026-11-22 00:00+00') = :'serial_whole_table'::jsonb AS same_as_serial,
       leadscore.explain_engagement('decaying', type, at, '2026-11-22 00:00+00') -> 'rules' -> 0 AS first_rule
FROM engagement_events;
-- The default model keeps counts only (no decay): its states combine too.
SELECT leadscore.explain_engagement('default', type, at, '2026-11-22 00:00+00') = :'serial_default_whole_table'::jsonb AS default_same_as_serial,
       leadscore.explain_engagement('default', type, at, '2026-11-22 00:00+00') -> 'rules' -> 0 AS default_first_rule
FROM engagement_events;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- Serialised states: what a worker sends, and every corruption refused.
SELECT leadscore._engagement_state('decaying', type, at, '2026-11-22 00:00+00') AS state
FROM decaying_events WHERE lead = 1 \gset
SELECT octet_length(:'state'::bytea) AS state_bytes,
       leadscore._explain_engagement_state(:'state') = (
           SELECT leadscore.explain_engagement('decaying', type, at, '2026-11-22 00:00+00')
           FROM decaying_events WHERE lead = 1) AS round_trip;
\set SHOW_CONTEXT never
SELECT leadscore._explain_engagement_state('\x');
\echo :LAST_ERROR_SQLSTATE
-- the serialised form: the model name (64 bytes), magic at 64, version at
-- 68, the block's shape (counts of event types, frequency rules and
-- decaying types) from 72, then the state block from 84: as_of at 84, last
-- activity at 92, ignored at 100, a count per event type from 104 and per
-- frequency rule from 128, the decayed points of each type from 140)
SELECT leadscore._explain_engagement_state(set_byte(:'state'::bytea, 64, 0));
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore._explain_engagement_state(substring(:'state'::bytea from 1 for 110));
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore._explain_engagement_state(:'state'::bytea || '\x00000000'::bytea);
\echo :LAST_ERROR_SQLSTATE
-- the shape: 5 decaying types instead of 6 (then the length is wrong)
SELECT leadscore._explain_engagement_state(set_byte(:'state'::bytea, 80, 5));
\echo :LAST_ERROR_SQLSTATE
-- no events counted (counters and points zeroed), yet a last activity
SELECT leadscore._explain_engagement_state(overlay(:'state'::bytea placing decode(repeat('00', 84), 'hex') from 105));
\echo :LAST_ERROR_SQLSTATE
-- the model name: "decaying" becomes "nomodelg", then loses its terminator
SELECT leadscore._explain_engagement_state(overlay(:'state'::bytea placing 'nomodel'::bytea from 1));
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore._explain_engagement_state(overlay(:'state'::bytea placing decode(repeat('41', 64), 'hex') from 1));
\echo :LAST_ERROR_SQLSTATE
-- the version: version 9 of the model does not exist
SELECT leadscore._explain_engagement_state(set_byte(:'state'::bytea, 68, 9));
\echo :LAST_ERROR_SQLSTATE
-- another model's name: "default" version 1 has 9 event types, not 6
SELECT leadscore._explain_engagement_state(overlay(:'state'::bytea placing '\x64656661756c740000'::bytea from 1));
\echo :LAST_ERROR_SQLSTATE
-- the first event type's points: more than its events can give
SELECT leadscore._explain_engagement_state(set_byte(:'state'::bytea, 140 + 7, 127));
\echo :LAST_ERROR_SQLSTATE
-- the last activity after as_of
SELECT leadscore._explain_engagement_state(set_byte(:'state'::bytea, 92 + 7, 127));
\echo :LAST_ERROR_SQLSTATE

-- Bad input.
SELECT leadscore.engagement_score(NULL, type, at, now()) FROM events;
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.engagement_score('default', type, at, NULL) FROM events;
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.engagement_score('default', type, at, 'infinity') FROM events;
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.engagement_score('default', type, at, at) FROM events WHERE at IS NOT NULL;
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.engagement_score(CASE WHEN lead = 1 THEN 'default' ELSE 'decaying' END, type, at, now()) FROM events;
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.engagement_score('nope', type, at, now()) FROM events;
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.define_model('strict', '{"engagement": {"unknown_events": "error", "events": {"pricing_view": 15}}}');
SELECT leadscore.engagement_score('strict', type, at, now()) FROM events WHERE lead = 1;
\echo :LAST_ERROR_SQLSTATE
-- Events at -infinity or +infinity are no point in time: ignored.
SELECT leadscore.engagement_score('decaying', type, at, '2026-11-22 00:00+00') AS infinite_times,
       leadscore.explain_engagement('decaying', type, at, '2026-11-22 00:00+00') -> 'ignored_events' AS ignored
FROM (VALUES ('pricing_view', '-infinity'::timestamptz), ('webinar_attended', 'infinity'),
             ('site_visit', '2026-11-21 00:00+00')) AS v(type, at);
-- A model name from a column: every row is checked, one model per group.
SELECT leadscore.engagement_score(m, type, now(), now())
FROM (VALUES ('default', 'chat'), ('decaying', 'chat')) AS v(m, type);
\echo :LAST_ERROR_SQLSTATE
DROP TABLE engagement_events;
