-- fit_score, explain_fit, email_kind(model, email), grade and
-- meets_threshold, with the default model and with a model that uses every
-- kind of fit rule.

-- The default model (seed 000) on leads a CRM really has.
CREATE TEMP TABLE prospects (id int PRIMARY KEY, attributes jsonb);
INSERT INTO prospects VALUES
  (1, '{"title": "SVP, Revenue", "employees": 120, "industry": "SaaS", "country": "US", "email": "ann@acme.io"}'),
  (2, '{"title": "Co-Founder & CEO", "employees": 2000, "industry": "Healthcare", "country": "DE", "email": "bo@clinic.de"}'),
  (3, '{"title": "Sr. Mgr, Demand Gen", "employees": 35, "industry": "Retail", "country": "FR", "email": "cy@gmail.com"}'),
  (4, '{"title": "Marketing Intern", "employees": "80", "industry": "software", "email": "di@mit.edu"}'),
  (5, '{"title": "", "employees": null, "email": "info@acme.io"}'),
  (6, '{}'),
  (7, '{"title": "Head of Growth", "employees": 9000, "industry": ["saas", "fintech"], "country": "GB", "phone": "+44"}');
SELECT id, leadscore.fit_score('default', attributes) AS fit FROM prospects ORDER BY id;
SELECT * FROM leadscore.explain_fit('default', (SELECT attributes FROM prospects WHERE id = 1));
SELECT * FROM leadscore.explain_fit('default', (SELECT attributes FROM prospects WHERE id = 3));
SELECT * FROM leadscore.explain_fit('default', (SELECT attributes FROM prospects WHERE id = 5));

-- A model with every rule kind, group and total bounds.
SELECT leadscore.define_model('enterprise', '{
  "competitors": ["rival.com", "other-crm.io"],
  "fit": {
    "cap": 60, "floor": -25,
    "groups": {"firmographics": {"cap": 25}},
    "rules": [
      {"name": "seniority", "attribute": "title", "seniority": {"c_level": 25, "vp": 20, "director": 12, "manager": 6}},
      {"name": "revenue", "attribute": "annual_revenue", "group": "firmographics",
       "ranges": [{"min": 100000000, "points": 20}, {"min": 10000000, "max": 99999999, "points": 10}]},
      {"name": "region", "attribute": "country", "group": "firmographics", "in": ["US", "CA"], "points": 8},
      {"name": "uses_crm", "attribute": "technologies", "in": ["salesforce", "hubspot", "pipedrive"], "points": 4, "cap": 8},
      {"name": "enterprise_plan", "attribute": "plan", "equals": "enterprise", "points": 5},
      {"name": "verified", "attribute": "verified", "equals": true, "points": 2},
      {"name": "phone", "attribute": "phone", "exists": true, "points": 3},
      {"name": "email", "attribute": "email", "email_kind": {"competitor": -40, "personal": -10, "role": -5, "invalid": -15}}
    ]}}');
SELECT * FROM leadscore.explain_fit('enterprise', '{"title": "Chief Revenue Officer", "annual_revenue": 250000000,
  "country": "us", "technologies": ["Salesforce", "HubSpot", "Pipedrive", "Excel"], "plan": "Enterprise",
  "verified": true, "phone": "+1 555", "email": "cro@big.example"}');
SELECT * FROM leadscore.explain_fit('enterprise', '{"title": "Analyst", "email": "spy@eu.rival.com", "verified": "true"}');
SELECT leadscore.email_kind('enterprise', 'spy@eu.rival.com') AS with_model,
       leadscore.email_kind('spy@eu.rival.com') AS without_model,
       leadscore.email_kind('enterprise', NULL) AS null_email;

-- Explanations add up to the score, always: 2000 generated leads, both models.
CREATE TEMP TABLE generated AS
SELECT g AS id, jsonb_strip_nulls(jsonb_build_object(
    'title', (ARRAY['CEO', 'VP Sales', 'Director of IT', 'Marketing Manager', 'Engineer', 'Student', NULL])[1 + g % 7],
    'employees', CASE WHEN g % 5 = 0 THEN NULL ELSE (g * 37) % 6000 END,
    'industry', (ARRAY['saas', 'retail', 'healthcare', NULL])[1 + g % 4],
    'country', (ARRAY['US', 'DE', 'BR', 'CA', 'JP'])[1 + g % 5],
    'annual_revenue', (g * 7919) % 300000000,
    'technologies', CASE WHEN g % 3 = 0 THEN '["hubspot", "salesforce", "pipedrive"]'::jsonb END,
    'email', (ARRAY['a@acme.io', 'b@gmail.com', 'c@rival.com', 'sales@acme.io', 'bad@', 'e@uni.edu'])[1 + g % 6])) AS attributes
FROM generate_series(1, 2000) AS g;
SELECT m.model, count(*) AS leads,
       count(*) FILTER (WHERE leadscore.fit_score(m.model, g.attributes) IS DISTINCT FROM
                              (SELECT sum(e.points) FROM leadscore.explain_fit(m.model, g.attributes) AS e)) AS mismatches,
       min(leadscore.fit_score(m.model, g.attributes)) AS lowest, max(leadscore.fit_score(m.model, g.attributes)) AS highest
FROM generated AS g CROSS JOIN (VALUES ('default'), ('enterprise')) AS m(model)
GROUP BY m.model ORDER BY m.model;

-- Grade (HubSpot's A1-D4 matrix) and thresholds, including seed 002's
-- "fit AND engagement" MQL rule.
SELECT fit, engagement, leadscore.grade('default', fit, engagement) AS grade,
       leadscore.meets_threshold('default', 'mql', fit, engagement) AS mql,
       leadscore.meets_threshold('default', 'sql', fit, engagement) AS sql
FROM (VALUES (45, 60.0), (40, 59.99), (25, 30), (10, 10), (9, 9.99), (50, 30), (50, 100)) AS s(fit, engagement);
SELECT leadscore.define_model('fit-and-engagement', '{"thresholds": {"mql": {"fit": 20, "engagement": 40}, "sql": {"score": 150, "fit": 30}}}');
SELECT fit, engagement, leadscore.meets_threshold('fit-and-engagement', 'mql', fit, engagement) AS mql,
       leadscore.meets_threshold('fit-and-engagement', 'sql', fit, engagement) AS sql
FROM (VALUES (20, 40), (19, 200), (50, 39.99), (30, 120), (29, 200)) AS s(fit, engagement);
SELECT leadscore.grade('default', NULL, 10) AS null_fit, leadscore.meets_threshold('default', 'mql', 1, NULL) AS null_engagement,
       leadscore.fit_score('default', NULL) AS null_attributes,
       (SELECT count(*) FROM leadscore.explain_fit('default', NULL)) AS null_explained;

-- Extreme scores compare without overflow.
SELECT leadscore.meets_threshold('default', 'mql', 2147483647, 999999999999999) AS huge,
       leadscore.meets_threshold('default', 'mql', -2147483648, -999999999999999) AS tiny;
\set SHOW_CONTEXT never
SELECT leadscore.grade('default', 10, 1e20);
\echo :LAST_ERROR_SQLSTATE

-- Bad input: ERROR with SQLSTATE, the offending value and a hint.
\set SHOW_CONTEXT never
SELECT leadscore.fit_score('default', '[1, 2]');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.fit_score('default', '"VP Sales"');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.fit_score('default', '{"title": 42}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.fit_score('default', '{"title": ["CEO"]}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.fit_score('default', '{"employees": "51-200"}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.fit_score('default', '{"industry": {"name": "saas"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.fit_score('default', '{"employees": 1e400}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.fit_score(NULL, '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.grade('default', 10, 'NaN');
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.meets_threshold('default', 'opportunity', 10, 10);
\echo :LAST_ERROR_SQLSTATE
SELECT leadscore.meets_threshold('default', NULL, 10, 10);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM leadscore.explain_fit('nope', '{}');
\echo :LAST_ERROR_SQLSTATE
