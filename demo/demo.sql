-- leadscore demo: a small CRM whose contacts carry lifecycle stages the way
-- HubSpot and Salesforce exports spell them.
\pset footer off
\set ECHO queries
CREATE EXTENSION leadscore;
SET search_path = public, leadscore;

\echo
\echo '== 1. The stages, in sort order: side stages first, then the funnel'
SELECT s AS stage, stage_rank(s) AS rank, is_funnel_stage(s) AS in_funnel FROM stages() AS s;

\echo
\echo '== 2. A CRM table with labels as exported from HubSpot and Salesforce'
CREATE SCHEMA crm;
CREATE TABLE crm.contacts (
    id int PRIMARY KEY,
    email text NOT NULL,
    exported_stage text NOT NULL
);
INSERT INTO crm.contacts VALUES
    (1, 'ana@acme.io',        'subscriber'),
    (2, 'ben@globex.com',     'marketingqualifiedlead'),
    (3, 'chen@initech.com',   'Sales Accepted Lead'),
    (4, 'dora@umbrella.com',  'salesqualifiedlead'),
    (5, 'eli@hooli.com',      'opportunity'),
    (6, 'fay@stark.com',      'evangelist'),
    (7, 'gus@wayne.com',      'Nurture'),
    (8, 'hal@tyrell.com',     '  MQL '),
    (9, 'ivy@cyberdyne.com',  'Product Qualified Lead'),
    (10, 'jon@soylent.com',   'Unqualified');

-- One statement turns the labels into the type; every alias lands on its
-- canonical stage.
ALTER TABLE crm.contacts ADD COLUMN stage lifecycle_stage;
UPDATE crm.contacts SET stage = exported_stage::lifecycle_stage;
SELECT id, email, exported_stage, stage FROM crm.contacts ORDER BY stage DESC, id;

\echo
\echo '== 3. "Reached MQL" is a comparison, and it can use an index'
CREATE INDEX contacts_stage ON crm.contacts (stage);
SELECT count(*) FILTER (WHERE stage >= 'mql') AS reached_mql,
       count(*) FILTER (WHERE stage >= 'sql') AS reached_sql,
       count(*) FILTER (WHERE NOT is_funnel_stage(stage)) AS out_of_funnel,
       max(stage) AS furthest
FROM crm.contacts;

\echo
\echo '== 4. Labels that cannot be mapped are refused with a reason'
\set ON_ERROR_STOP 0
SELECT 'other'::lifecycle_stage;
SELECT 'hot lead'::lifecycle_stage;
\set ON_ERROR_STOP 1

\echo
\echo '== 5. The transition policy: which proposed moves are allowed, and why not'
SELECT c.email, c.stage AS "from", m.proposed AS "to",
       can_transition(c.stage, m.proposed) AS allowed,
       transition_error(c.stage, m.proposed) AS why_not
FROM crm.contacts AS c
JOIN (VALUES (1, 'sql'::lifecycle_stage),   -- skip ahead: allowed
             (4, 'mql'),                    -- backward in the funnel: refused
             (4, 'recycled'),               -- backward into recycled: allowed
             (6, 'recycled'),               -- customers never move back
             (7, 'mql'),                    -- recycled re-enters at mql
             (7, 'sal'),                    -- ...but not at sal
             (10, 'lead'))                  -- disqualified reactivated to lead
     AS m(id, proposed) USING (id)
ORDER BY c.id, m.proposed;

\echo
\echo '== 6. The whole policy matrix (rows: from, columns: to)'
SELECT f AS "from",
       string_agg(CASE WHEN f = t THEN '·' WHEN can_transition(f, t) THEN '✓' ELSE '✗' END,
                  ' ' ORDER BY t) AS "dq rc vi le mq pq sa sq op cu"
FROM stages() AS f, stages() AS t GROUP BY f ORDER BY f;

\echo
\echo '== 7. Attach leadscore to the CRM table, as it is: one statement, no app change'
CREATE TABLE crm.hubspot_contacts (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    lifecyclestage text,                 -- HubSpot's internal values, as the app writes them
    hs_lifecyclestage_lead_date timestamptz,
    hs_lifecyclestage_marketingqualifiedlead_date timestamptz,
    hs_lifecyclestage_salesqualifiedlead_date timestamptz,
    hs_lifecyclestage_customer_date timestamptz,
    hs_lead_status text,
    lost_reason text
);
SELECT jsonb_pretty(attach('crm.hubspot_contacts', '{
    "stage_column": "lifecyclestage",
    "stamps": {"lead": "hs_lifecyclestage_lead_date",
               "mql": "hs_lifecyclestage_marketingqualifiedlead_date",
               "sql": "hs_lifecyclestage_salesqualifiedlead_date",
               "customer": "hs_lifecyclestage_customer_date"},
    "reason_column": "lost_reason"}'));

\echo
\echo '== 8. A lead''s journey: the app inserts and updates as always'
-- A router listens for handoffs (entering mql or sql), delivered at commit.
LISTEN leadscore_handoff;
INSERT INTO crm.hubspot_contacts (id, email, lifecyclestage) VALUES (101, 'kim@initech.com', 'subscriber');
-- Sales qualifies the lead straight from lead: the MQL date is stamped too.
UPDATE crm.hubspot_contacts SET lifecyclestage = 'salesqualifiedlead' WHERE id = 101;
SELECT id, lifecyclestage,
       hs_lifecyclestage_lead_date IS NOT NULL AS lead_date,
       hs_lifecyclestage_marketingqualifiedlead_date IS NOT NULL AS mql_date,
       hs_lifecyclestage_salesqualifiedlead_date IS NOT NULL AS sql_date
FROM crm.hubspot_contacts WHERE id = 101;

\echo
\echo '== 9. A backward move is refused, naming the lead and the rule'
\set ON_ERROR_STOP 0
UPDATE crm.hubspot_contacts SET lifecyclestage = 'marketingqualifiedlead' WHERE id = 101;
-- Recycling needs a reason code from the list...
UPDATE crm.hubspot_contacts SET lifecyclestage = 'recycled' WHERE id = 101;
\set ON_ERROR_STOP 1
-- ...given in the reason column, or with SET LOCAL leadscore.reason.
UPDATE crm.hubspot_contacts SET lifecyclestage = 'recycled', lost_reason = 'bad_timing' WHERE id = 101;
-- Re-qualified later: it keeps its first dates.
UPDATE crm.hubspot_contacts SET lifecyclestage = 'marketingqualifiedlead', lost_reason = NULL WHERE id = 101;

\echo
\echo '== 10. The history, with reasons'
SELECT lead_key, from_stage, to_stage, reason, crm_label, changed_by
FROM stage_history WHERE target = 'crm.hubspot_contacts'::regclass ORDER BY id;
SELECT target, stage_column, mode, triggers_present FROM attachments;

\echo
\echo '== 11. Scoring: the built-in model carries the seeds'' point values'
SELECT key AS event_type, value -> 'points' AS points
FROM jsonb_each(model_definition('default') -> 'engagement' -> 'events') ORDER BY 2 DESC, 1;
SELECT model_definition('default') -> 'thresholds' AS thresholds;

\echo
\echo '== 12. A scored CRM: contacts with attributes and score columns, and their activities'
CREATE TABLE crm.leads (
    id bigint PRIMARY KEY,
    lifecyclestage text NOT NULL DEFAULT 'lead',
    job_title text, employees integer, industry text, country text, email text,
    fit integer, engagement numeric, score numeric,
    mql_date timestamptz, sal_date timestamptz
);
CREATE TABLE crm.activities (
    id bigserial PRIMARY KEY,
    lead_id bigint NOT NULL REFERENCES crm.leads,
    kind text NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON crm.activities (lead_id);
SELECT attach('crm.leads', '{
    "stage_column": "lifecyclestage",
    "stamps": {"mql": "mql_date", "sal": "sal_date"},
    "model": "default",
    "score_column": "score", "fit_column": "fit", "engagement_column": "engagement",
    "fit_attributes": {"title": "job_title", "employees": "employees", "industry": "industry",
                       "country": "country", "email": "email"}}') ->> 'model' AS model;
SELECT attach_events('crm.activities', '{"leads": "crm.leads", "lead_column": "lead_id", "type_column": "kind"}');
INSERT INTO crm.leads (id, job_title, employees, industry, country, email) VALUES
    (1, 'SVP, Revenue', 120, 'SaaS', 'US', 'ann@acme.io'),
    (2, 'Marketing Intern', 8, 'Retail', 'FR', 'bo@gmail.com'),
    (3, 'Head of Growth', 900, 'Healthcare', 'DE', 'cy@clinic.de');
-- The insert computes fit from the attributes at once, and the total from
-- it (no activity yet: the inactivity penalty); the nightly rescore
-- (pg_cron in production) agrees and changes nothing.
SELECT id, fit, engagement, score FROM crm.leads ORDER BY id;
SELECT rescore('crm.leads') AS leads_rescored;
-- Activities from the last weeks, as the marketing tool syncs them: each
-- insert rescores its leads at once.
INSERT INTO crm.activities (lead_id, kind, occurred_at) VALUES
    (1, 'email_open', now() - interval '20 days'), (1, 'blog_view', now() - interval '12 days'),
    (2, 'email_open', now() - interval '3 days'), (2, 'webinar_attended', now() - interval '2 days'),
    (3, 'content_download', now() - interval '40 days');
SELECT id, lifecyclestage, fit, engagement, score, grade('default', fit, engagement) AS grade
FROM crm.leads ORDER BY id;

\echo
\echo '== 13. Ann visits the pricing and demo pages: her score crosses 80 and she becomes an MQL at once'
INSERT INTO crm.activities (lead_id, kind) VALUES (1, 'pricing_view'), (1, 'demo_view');
SELECT id, lifecyclestage, fit, engagement, score, mql_date IS NOT NULL AS mql_stamped
FROM crm.leads WHERE id = 1;
SELECT lead_key, from_stage, to_stage, reason FROM stage_history
WHERE target = 'crm.leads'::regclass AND from_stage IS NOT NULL ORDER BY id;

\echo
\echo '== 14. Why: her fit and her engagement, rule by rule (the lines add up to the scores)'
SELECT * FROM explain_fit('default', (SELECT jsonb_build_object('title', job_title, 'employees', employees,
    'industry', industry, 'country', country, 'email', email) FROM crm.leads WHERE id = 1));
SELECT r ->> 'rule' AS rule, r -> 'events' AS events, r -> 'points' AS points, r ->> 'detail' AS detail
FROM (SELECT explain_engagement('default', kind, occurred_at, now()) AS e FROM crm.activities WHERE lead_id = 1) AS x,
     jsonb_array_elements(x.e -> 'rules') AS r;

\echo
\echo '== 15. Scores fade: a model with decay and caps, defined as JSON, scored today and 30 days from now'
SELECT define_model('decaying', '{
  "engagement": {
    "groups": {"email": {"cap": 10, "floor": 0, "decay": {"half_life": "14 days"}},
               "web": {"cap": 60, "decay": {"half_life": "30 days"}}},
    "events": {"email_open": {"points": 2, "group": "email"}, "blog_view": {"points": 3, "group": "web"},
               "pricing_view": {"points": 15, "group": "web"}, "demo_view": {"points": 20, "group": "web"},
               "content_download": {"points": 8, "group": "web"}, "webinar_attended": 25},
    "inactivity": {"after": "30 days", "points": -10}}}') AS version;
SELECT lead_id,
       engagement_score('decaying', kind, occurred_at, now()) AS today,
       engagement_score('decaying', kind, occurred_at, now() + interval '30 days') AS in_30_days
FROM crm.activities GROUP BY lead_id ORDER BY lead_id;

\echo
\echo '== 16. Business hours: the sales team''s calendar (New York, lunch break, holidays)'
SET TimeZone = 'America/New_York';
SELECT define_calendar('sales_ny', '{"time_zone": "America/New_York",
  "week": {"mon": [["09:00", "12:30"], ["13:30", "17:00"]], "tue": [["09:00", "12:30"], ["13:30", "17:00"]],
           "wed": [["09:00", "12:30"], ["13:30", "17:00"]], "thu": [["09:00", "12:30"], ["13:30", "17:00"]],
           "fri": [["09:00", "12:30"], ["13:30", "17:00"]]},
  "holidays": ["2026-11-26", "2026-12-25", "2027-01-01"]}') -> 'week' -> 'mon' AS monday;
-- Friday 16:30 of the week before last, in New York.
SELECT (date_trunc('week', now() AT TIME ZONE 'America/New_York') - interval '10 days' + interval '16 hours 30 minutes')
       AT TIME ZONE 'America/New_York' AS friday \gset
SELECT :'friday'::timestamptz AS friday_16_30,
       business_add('sales_ny', :'friday', '2 hours') AS plus_2_business_hours,
       business_diff('sales_ny', :'friday', :'friday'::timestamptz + interval '3 days') AS business_time_by_monday_16_30,
       is_business_time('sales_ny', :'friday'::timestamptz + interval '1 day') AS saturday_is_business_time;

\echo
\echo '== 17. SLAs: every MQL is contacted within 2 business hours (seed 000)'
CREATE TABLE crm.inbound (
    id int PRIMARY KEY, stage text NOT NULL, owner text,
    mql_at timestamptz, first_contacted_at timestamptz,
    sla_due_at timestamptz, sla_breached boolean NOT NULL DEFAULT false
);
SELECT attach('crm.inbound', '{"stage_column": "stage", "stamps": {"mql": "mql_at"},
  "sla": {"calendar": "sales_ny", "due_column": "sla_due_at", "breached_column": "sla_breached",
          "owner_column": "owner",
          "policies": [{"name": "first_response", "met_by": {"column": "first_contacted_at"}}]}}')
       -> 'sla' -> 'policies' AS policies;
-- Two MQLs arrive on that Friday at 16:30 (the CRM syncs its own MQL date).
-- Dana calls hers 20 minutes later; nobody calls Eli's.
INSERT INTO crm.inbound (id, stage, owner, mql_at) VALUES
    (1, 'mql', 'dana', :'friday'), (2, 'mql', 'eli', :'friday');
UPDATE crm.inbound SET first_contacted_at = mql_at + interval '20 minutes' WHERE id = 1;
SELECT id, owner, sla_due_at, sla_breached FROM crm.inbound ORDER BY id;

\echo
\echo '== 18. The minutely sweep (pg_cron in production) flags Eli''s lead: due Monday 10:30, breached over the weekend'
LISTEN leadscore_sla;
SELECT sla_sweep() AS clocks_changed;
UNLISTEN leadscore_sla;
SELECT lead_key, policy, started_at, due_at, met_at, status FROM sla_clocks ORDER BY lead_key, id;
SELECT id, owner, sla_due_at, sla_breached FROM crm.inbound ORDER BY id;
SELECT dimension, value, clocks, met, breached, compliance, median_response, within_30_minutes,
       within_2_business_hours
FROM sla_compliance('crm.inbound') WHERE dimension <> 'source' ORDER BY dimension, value;

\echo
\echo '== 19. How far do leads get? A window funnel over the activities (blog -> pricing -> demo within 30 days)'
SELECT lead_id,
       window_funnel('30 days', occurred_at, kind = 'blog_view', kind = 'pricing_view', kind = 'demo_view') AS level,
       window_funnel_times('30 days', occurred_at, kind = 'blog_view', kind = 'pricing_view', kind = 'demo_view') AS step_times
FROM crm.activities GROUP BY lead_id ORDER BY lead_id;

\echo
\echo '== 20. The funnel report of the scored CRM, graded against the seeds'' benchmark bands'
\x on
SELECT period_start::date, entered_mql, entered_sql, cohort_mqls, mql_to_sql, mql_to_sql_verdict,
       mql_rejection_rate, rejection_verdict, sla_compliance
FROM funnel_report('crm.leads', 'month');
SELECT period_start::date, entered_mql, cohort_mqls, sla_compliance
FROM funnel_report('crm.inbound', 'month');
\x off
