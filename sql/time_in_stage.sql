-- time_in_stage over history rows: per stage, how often the lead entered it,
-- its latest stay and all its stays together (HubSpot's "time in stage"),
-- per lead and per cohort.
SET TimeZone = 'UTC';
CREATE TABLE journeys (lead int, id int, to_stage leadscore.lifecycle_stage, changed_at timestamptz);
-- Lead 1: lead, mql for 2 days, recycled, mql again for 1 day, sql since.
-- Lead 2: mql then sql and opportunity within one transaction (same instant).
-- Lead 3: an mql that left the funnel (stage set to NULL).
INSERT INTO journeys VALUES
    (1, 1, 'lead', '2025-01-01'), (1, 2, 'mql', '2025-01-05'), (1, 3, 'recycled', '2025-01-07'),
    (1, 4, 'mql', '2025-02-01'), (1, 5, 'sql', '2025-02-02'),
    (2, 6, 'mql', '2025-01-10'), (2, 8, 'opportunity', '2025-01-12'), (2, 7, 'sql', '2025-01-12'),
    (3, 9, 'mql', '2025-01-20'), (3, 10, NULL, '2025-01-25');
SELECT lead, (t).*
FROM (SELECT lead, unnest(leadscore.time_in_stage(to_stage, changed_at, '2025-03-01' ORDER BY id)) AS t
      FROM journeys GROUP BY lead) AS x
ORDER BY lead, (t).stage;
-- As of an earlier time, later rows are ignored and the stage then is current.
SELECT (t).* FROM (SELECT unnest(leadscore.time_in_stage(to_stage, changed_at, '2025-01-06' ORDER BY id)) AS t
                   FROM journeys WHERE lead = 1) AS x;
-- Per cohort: the average time leads spent as MQLs, over all their stays.
SELECT (t).stage::text AS stage, count(*) AS leads, avg((t).cumulative) AS average_cumulative
FROM (SELECT unnest(leadscore.time_in_stage(to_stage, changed_at, '2025-03-01' ORDER BY id)) AS t
      FROM journeys GROUP BY lead) AS x
WHERE (t).stage::text IN ('mql', 'sql') GROUP BY (t).stage::text ORDER BY (t).stage::text;

-- Over leadscore's own history: a lead moved through stages in separate
-- transactions spends, over all stages, exactly the time since its first row.
CREATE TABLE tis_contacts (id int PRIMARY KEY, stage text);
SELECT leadscore.attach('tis_contacts', '{"stage_column": "stage", "notify_channel": null}') IS NOT NULL AS attached;
INSERT INTO tis_contacts VALUES (1, 'lead');
UPDATE tis_contacts SET stage = 'mql';
UPDATE tis_contacts SET stage = 'sql';
SELECT sum((t).cumulative) = now() - min_changed AS all_time_accounted, count(*) AS stages,
       bool_and((t).current = ((t).stage::text = 'sql')) AS sql_is_current
FROM (SELECT unnest(leadscore.time_in_stage(to_stage, changed_at, now() ORDER BY id)) AS t, min(changed_at) AS min_changed
      FROM leadscore.stage_history WHERE target = 'tis_contacts'::regclass) AS x
GROUP BY min_changed;

-- NULL times are ignored; no rows, an empty result; as_of must be given.
SELECT leadscore.time_in_stage(s, t, '2025-01-10') AS with_null_time
FROM (VALUES ('mql'::leadscore.lifecycle_stage, timestamptz '2025-01-01'), ('sql', NULL)) AS v(s, t);
SELECT leadscore.time_in_stage(s, t, '2025-01-10') AS no_rows
FROM (VALUES ('mql'::leadscore.lifecycle_stage, timestamptz '2025-01-01')) AS v(s, t) WHERE false;
SELECT leadscore.time_in_stage(to_stage, changed_at, NULL) FROM journeys;
SELECT leadscore.time_in_stage(to_stage, changed_at, 'infinity') FROM journeys;
SELECT leadscore.time_in_stage(to_stage, changed_at, changed_at) FROM journeys;
SELECT leadscore.detach('tis_contacts');
DROP TABLE tis_contacts, journeys;
