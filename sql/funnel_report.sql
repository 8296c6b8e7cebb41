-- funnel_report: entries per period, cohort conversions by MQL month with
-- median times and rejections, SLA compliance, lead velocity, and verdicts
-- from the seeds' benchmark bands (which users can replace).
SET TimeZone = 'UTC';
CREATE TABLE fr_contacts (id int PRIMARY KEY, stage text, source text);
SELECT leadscore.attach('fr_contacts', '{"stage_column": "stage", "notify_channel": null}') IS NOT NULL AS attached;
-- The CRM rows (without a stage, so the trigger records nothing), and their
-- history with fixed dates, as leadscore would have recorded it.
INSERT INTO fr_contacts SELECT i, NULL, CASE WHEN i <= 10 THEN 'inbound' ELSE 'outbound' END
FROM generate_series(1, 15) AS i;
INSERT INTO leadscore.stage_history (target, lead_key, from_stage, to_stage, changed_at, reason)
SELECT 'fr_contacts'::regclass, lead::text, from_stage::leadscore.lifecycle_stage, to_stage::leadscore.lifecycle_stage,
       changed_at, reason
FROM (
    -- January: ten inbound MQLs; three become SQLs two days later, two of
    -- those opportunities ten days after that, one a customer; two rejected.
    SELECT i AS lead, NULL AS from_stage, 'lead' AS to_stage, timestamptz '2025-01-01' AS changed_at, NULL AS reason
    FROM generate_series(1, 10) AS i
    UNION ALL SELECT i, 'lead', 'mql', timestamptz '2025-01-02' + i * interval '1 day', NULL FROM generate_series(1, 10) AS i
    UNION ALL SELECT i, 'mql', 'sql', timestamptz '2025-01-04' + i * interval '1 day', NULL FROM generate_series(1, 3) AS i
    UNION ALL SELECT i, 'sql', 'opportunity', timestamptz '2025-01-14' + i * interval '1 day', NULL FROM generate_series(1, 2) AS i
    UNION ALL SELECT 1, 'opportunity', 'customer', timestamptz '2025-02-20', NULL
    UNION ALL SELECT 4, 'mql', 'disqualified', timestamptz '2025-01-10', 'not_icp'
    UNION ALL SELECT 5, 'mql', 'recycled', timestamptz '2025-01-10', 'no_budget'
    -- February: five outbound MQLs, none an SQL, three rejected.
    UNION ALL SELECT i, NULL, 'lead', timestamptz '2025-02-01', NULL FROM generate_series(11, 15) AS i
    UNION ALL SELECT i, 'lead', 'mql', timestamptz '2025-02-03', NULL FROM generate_series(11, 15) AS i
    UNION ALL SELECT i, 'mql', 'recycled', timestamptz '2025-02-10', CASE WHEN i < 13 THEN 'no_budget' ELSE 'bad_timing' END
    FROM generate_series(11, 13) AS i) AS journeys;
-- SLA clocks of three January leads: two met, one breached.
INSERT INTO leadscore.sla_clocks (target, lead_key, policy, stage, calendar, started_at, warn_at, due_at, met_at, closed_at, status)
VALUES ('fr_contacts', '1', 'first_response', 'mql', 'any', '2025-01-03', '2025-01-03 01:30', '2025-01-03 02:00', '2025-01-03 00:10', '2025-01-03 00:10', 'met'),
       ('fr_contacts', '2', 'first_response', 'mql', 'any', '2025-01-04', '2025-01-04 01:30', '2025-01-04 02:00', NULL, NULL, 'breached'),
       ('fr_contacts', '3', 'first_response', 'mql', 'any', '2025-01-05', '2025-01-05 01:30', '2025-01-05 02:00', '2025-01-05 01:00', '2025-01-05 01:00', 'met');

\x on
SELECT * FROM leadscore.funnel_report('fr_contacts', 'month', group_by => 'source');
\x off
-- Without groups, by quarter; and from February on.
SELECT period_start::date, entered_mql, cohort_mqls, mql_to_sql, mql_to_sql_verdict, mql_rejection_rate, rejection_verdict,
       top_rejection_reasons
FROM leadscore.funnel_report('fr_contacts', 'quarter');
SELECT period_start::date, group_value, entered_mql, entered_customer, lead_velocity_rate
FROM leadscore.funnel_report('fr_contacts', 'month', since => '2025-02-15', group_by => 'source');

-- The bands are a table: a team with its own MQL-to-SQL targets inserts
-- them, and they replace the built-in ones for that metric.
SELECT metric, lower_bound, upper_bound, verdict FROM leadscore.benchmark_bands WHERE metric = 'mql_to_sql' ORDER BY lower_bound NULLS FIRST;
INSERT INTO leadscore.benchmark_bands (metric, lower_bound, upper_bound, verdict)
VALUES ('mql_to_sql', NULL, 0.35, 'below our 35% target'), ('mql_to_sql', 0.35, NULL, 'on target');
SELECT leadscore.band_verdict('mql_to_sql', 0.30) AS ours, leadscore.band_verdict('sql_to_opportunity', 0.30) AS builtin;
SELECT period_start::date, group_value, mql_to_sql, mql_to_sql_verdict
FROM leadscore.funnel_report('fr_contacts', group_by => 'source') WHERE cohort_mqls > 0;
-- Built-in rows are not changed in place; unknown metrics are refused.
UPDATE leadscore.benchmark_bands SET verdict = 'fine' WHERE builtin AND metric = 'sql_to_opportunity';
DELETE FROM leadscore.benchmark_bands WHERE builtin;
INSERT INTO leadscore.benchmark_bands (metric, lower_bound, verdict) VALUES ('win_rate', 0.2, 'good');
INSERT INTO leadscore.benchmark_bands (metric, lower_bound, upper_bound, verdict) VALUES ('mql_to_sql', 0.5, 0.4, 'inverted');
INSERT INTO leadscore.benchmark_bands (metric, lower_bound, verdict, builtin) VALUES ('mql_to_sql_days', 0, 'any', true);
SELECT count(*) FILTER (WHERE builtin) AS builtin, count(*) FILTER (WHERE NOT builtin) AS ours FROM leadscore.benchmark_bands;
DELETE FROM leadscore.benchmark_bands WHERE NOT builtin;

-- Bad arguments.
CREATE TABLE fr_unattached (id int PRIMARY KEY);
SELECT * FROM leadscore.funnel_report('fr_unattached');
SELECT * FROM leadscore.funnel_report('fr_contacts', 'fortnight');
SELECT * FROM leadscore.funnel_report('fr_contacts', NULL);
SELECT * FROM leadscore.funnel_report('fr_contacts', group_by => 'campaign');
SELECT * FROM leadscore.funnel_report(NULL);

DELETE FROM leadscore.sla_clocks WHERE target = 'fr_contacts'::regclass;
SELECT leadscore.detach('fr_contacts');
DROP TABLE fr_contacts, fr_unattached;
