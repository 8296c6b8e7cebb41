-- Generates the scoring benchmark's data: leads with fit attributes and their
-- engagement events, a decay scoring model, and the hand-written competitors.
--   psql -v leads=1000000 -v events=10000000 -v seed=42 -f bench/generate_events.sql
-- Deterministic: every value comes from random() after setseed(seed), drawn
-- in one serial pass (random() is parallel restricted), so the same sizes and
-- seed give the same rows on every run.
--
-- bench_scoring_leads (id, attributes jsonb): title, employees, industry,
--   country and email in a B2B mix, with the usual dirt: keys missing, JSON
--   nulls, blank strings, numbers sent as strings, mixed case and padding.
-- bench_events (id, lead_id, event_type, occurred_at): an append-only event
--   log, so the table is in time order (not clustered by lead) with a btree
--   index on (lead_id, occurred_at), as a CRM keeps it. Events fall in the 200
--   days before the benchmark's as_of (2025-01-01 00:00 UTC), on whole
--   minutes (so some land exactly on the 14- and 30-day boundaries); 0.3% lie
--   up to a week after as_of (clock skew, scheduled sends). 70% of the events
--   belong to the 20% "engaged" leads (ids divisible by 5), the rest are
--   spread over all leads, so a few percent of the leads have no event. 10%
--   of the events are of types the default model does not score
--   (site_visit, form_view, unsubscribe, and 'Email_Open' from a sloppy
--   integration).
\set ON_ERROR_STOP 1
\if :{?leads}
\else
\set leads 1000000
\endif
\if :{?events}
\else
\set events 10000000
\endif
\if :{?seed}
\else
\set seed 42
\endif

SET client_min_messages = warning;
SET TimeZone = 'UTC';
CREATE EXTENSION IF NOT EXISTS leadscore;
DROP TABLE IF EXISTS bench_scoring_leads, bench_events, bench_decay_rules;

SELECT setseed((:seed % 1000000) / 1000000.0) AS seeded \gset

-- ---------------------------------------------------------------------------
-- Leads. Each list is an array with repeats, so that an element drawn
-- uniformly follows the mix.
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE lead_mix AS SELECT
    ARRAY['CEO', 'Founder', 'Co-Founder & CTO', 'Chief Marketing Officer', 'Owner',
          'VP of Marketing', 'Vice President, Sales', 'SVP Engineering', 'VP/GM EMEA',
          'Director of IT', 'Head of Growth', 'Marketing Director', 'Dir. Operations',
          'Marketing Manager', 'Sr. Mgr, Demand Generation', 'Product Manager', 'IT Manager',
          'Engineering Manager', 'Software Engineer', 'Senior Software Engineer',
          'Software Engineer', 'Data Analyst', 'Analyst', 'Consultant', 'Account Executive',
          'Marketing Specialist', 'Developer', 'Designer', 'Executive Assistant to the CEO',
          'Student', 'Intern', 'PhD Candidate', 'Geschäftsführer', 'Teacher', 'Retired',
          'n/a', '', '   ']::text[] AS titles,
    ARRAY['Software', 'software', 'SaaS', ' SaaS ', 'Financial Services', 'financial services',
          'Healthcare', 'HEALTHCARE', 'Software', 'Manufacturing', 'Retail', 'Education',
          'Government', 'Non-profit', 'Media', 'Telecommunications', 'Consulting',
          'Information Technology', 'Software & Services', '']::text[] AS industries,
    ARRAY['US', 'US', 'US', 'US', 'us', 'United States', 'CA', 'GB', 'GB', 'UK', 'DE', 'DE',
          ' de ', 'AT', 'CH', 'FR', 'NL', 'SE', 'IN', 'IN', 'BR', 'AU', 'JP', 'ES', 'IT',
          '']::text[] AS countries,
    ARRAY['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'icloud.com',
          'gmx.de']::text[] AS personal_domains,
    ARRAY['stanford.edu', 'mit.edu', 'ox.ac.uk', 'unimelb.edu.au']::text[] AS student_domains;

CREATE UNLOGGED TABLE lead_draws AS
SELECT i AS id, random() AS r_title, random() AS r_title_pick, random() AS r_size,
       random() AS r_size_form, random() AS r_industry, random() AS r_industry_pick,
       random() AS r_country, random() AS r_country_pick, random() AS r_email,
       random() AS r_email_pick
FROM generate_series(1, :leads::bigint) AS i;

CREATE TABLE bench_scoring_leads (id bigint PRIMARY KEY, attributes jsonb NOT NULL);
INSERT INTO bench_scoring_leads
SELECT id,
       -- Keys dropped: the attribute is missing.
       jsonb_build_object(
           'title', CASE WHEN r_title < 0.02 THEN NULL  -- JSON null
                         ELSE to_jsonb(titles[1 + floor(r_title_pick * cardinality(titles))::int])
                    END,
           'employees', CASE WHEN r_size_form < 0.78 THEN to_jsonb(employees)
                             WHEN r_size_form < 0.88 THEN to_jsonb(employees::text)
                             WHEN r_size_form < 0.90 THEN to_jsonb(' ' || employees || ' ')
                             WHEN r_size_form < 0.92 THEN to_jsonb(''::text)
                             WHEN r_size_form < 0.94 THEN 'null'::jsonb
                             ELSE NULL END,
           'industry',
               to_jsonb(industries[1 + floor(r_industry_pick * cardinality(industries))::int]),
           'country', to_jsonb(countries[1 + floor(r_country_pick * cardinality(countries))::int]),
           'email', to_jsonb(CASE
               WHEN r_email < 0.62 THEN 'contact' || id || '@company' || (id % 50000) || '.com'
               WHEN r_email < 0.67 THEN (ARRAY['info', 'sales', 'support'])[1 + id % 3]
                                        || '@company' || (id % 50000) || '.com'
               WHEN r_email < 0.89 THEN 'contact' || id || '@'
                   || personal_domains[1 + floor(r_email_pick * cardinality(personal_domains))::int]
               WHEN r_email < 0.95 THEN 'contact' || id || '@'
                   || student_domains[1 + floor(r_email_pick * cardinality(student_domains))::int]
               WHEN r_email < 0.97 THEN 'n/a'
               ELSE '' END))
       - array_remove(ARRAY[CASE WHEN r_title >= 0.02 AND r_title < 0.10 THEN 'title' END,
                            CASE WHEN r_size_form >= 0.94 THEN 'employees' END,
                            CASE WHEN r_industry < 0.12 THEN 'industry' END,
                            CASE WHEN r_country < 0.15 THEN 'country' END,
                            CASE WHEN r_email >= 0.99 THEN 'email' END], NULL)
FROM lead_draws, lead_mix,
     -- Company size: log-uniform from 1 to 100000 employees.
     LATERAL (SELECT floor(exp(r_size * ln(100000)))::int AS employees) AS size;
DROP TABLE lead_draws;

-- ---------------------------------------------------------------------------
-- Events, in time order.
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE event_mix AS
SELECT array_agg(event_type ORDER BY position, n) AS types
FROM (VALUES (1, 'email_open', 360), (2, 'email_click', 80), (3, 'blog_view', 220),
             (4, 'pricing_view', 50), (5, 'demo_view', 20), (6, 'content_download', 60),
             (7, 'video_75', 50), (8, 'chat', 30), (9, 'webinar_attended', 30),
             -- not in the default model (10%):
             (10, 'site_visit', 70), (11, 'form_view', 17), (12, 'unsubscribe', 3),
             (13, 'Email_Open', 10)) AS mix (position, event_type, weight),
     generate_series(1, weight) AS n;

CREATE UNLOGGED TABLE event_draws AS
SELECT CASE WHEN random() < 0.7
            THEN 5 * (1 + floor(random() * (:leads / 5)))::bigint
            ELSE 1 + floor(random() * :leads)::bigint END AS lead_id,
       types[1 + floor(random() * cardinality(types))::int] AS event_type,
       CASE WHEN random() < 0.003
            THEN timestamptz '2025-01-01 00:00+00'
                 + make_interval(mins => 1 + floor(random() * 7 * 1440)::int)
            ELSE timestamptz '2025-01-01 00:00+00'
                 - make_interval(mins => floor(random() * 200 * 1440)::int)
       END AS occurred_at
FROM generate_series(1, :events::bigint), event_mix;

CREATE TABLE bench_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lead_id bigint NOT NULL,
    event_type text NOT NULL,
    occurred_at timestamptz NOT NULL
);
INSERT INTO bench_events (lead_id, event_type, occurred_at)
SELECT lead_id, event_type, occurred_at FROM event_draws ORDER BY occurred_at, lead_id, event_type;
DROP TABLE event_draws;
CREATE INDEX bench_events_lead ON bench_events (lead_id, occurred_at);

-- ---------------------------------------------------------------------------
-- The decay model: groups with caps, floors and half-lives, a type cap and a
-- floor, a negative event, frequency rules and the inactivity penalty.
-- bench_decay_rules is the same model as a plain table, for the plain-SQL
-- formulation (a team without leadscore keeps its rules in such a table).
-- ---------------------------------------------------------------------------
SELECT leadscore.define_model('bench_decay', '{
  "description": "bench: decay, caps, floors, frequency rules, inactivity",
  "engagement": {
    "decay": {"half_life": "90 days"},
    "cap": 150,
    "groups": {
      "email":  {"cap": 20, "floor": 0, "decay": {"half_life": "14 days"}},
      "web":    {"cap": 60, "decay": {"half_life": "30 days"}},
      "events": {"cap": 50, "decay": {"half_life": "60 days"}}
    },
    "events": {
      "email_open":       {"points": 2, "group": "email", "cap": 12},
      "email_click":      {"points": 5, "group": "email"},
      "unsubscribe":      {"points": -20, "group": "email", "floor": -20},
      "blog_view":        {"points": 3, "group": "web", "cap": 15},
      "pricing_view":     {"points": 15, "group": "web"},
      "demo_view":        {"points": 20, "group": "web"},
      "content_download": {"points": 8, "group": "web"},
      "video_75":         {"points": 10, "group": "web"},
      "site_visit":       {"points": 1, "group": "web", "cap": 10},
      "chat":             {"points": 20, "group": "events"},
      "webinar_attended": 25
    },
    "frequency": [
      {"name": "repeat_visits", "events": ["site_visit", "blog_view"], "at_least": 3,
       "within": "30 days", "points": 15, "group": "web"},
      {"name": "pricing_interest", "events": ["pricing_view", "demo_view"], "at_least": 2,
       "within": "14 days", "points": 10}
    ],
    "inactivity": {"after": "30 days", "points": -10}
  }
}') AS bench_decay_version \gset

CREATE TABLE bench_decay_rules (
    event_type text PRIMARY KEY,
    points float8 NOT NULL,
    grp text,                    -- NULL: ungrouped
    half_life_seconds float8 NOT NULL,
    type_cap numeric,
    type_floor numeric
);
INSERT INTO bench_decay_rules VALUES
    ('email_open', 2, 'email', 14 * 86400, 12, NULL),
    ('email_click', 5, 'email', 14 * 86400, NULL, NULL),
    ('unsubscribe', -20, 'email', 14 * 86400, NULL, -20),
    ('blog_view', 3, 'web', 30 * 86400, 15, NULL),
    ('pricing_view', 15, 'web', 30 * 86400, NULL, NULL),
    ('demo_view', 20, 'web', 30 * 86400, NULL, NULL),
    ('content_download', 8, 'web', 30 * 86400, NULL, NULL),
    ('video_75', 10, 'web', 30 * 86400, NULL, NULL),
    ('site_visit', 1, 'web', 30 * 86400, 10, NULL),
    ('chat', 20, 'events', 60 * 86400, NULL, NULL),
    ('webinar_attended', 25, NULL, 90 * 86400, NULL, NULL);

\i bench/plpgsql_engagement.sql

VACUUM (ANALYZE) bench_scoring_leads, bench_events, bench_decay_rules;
