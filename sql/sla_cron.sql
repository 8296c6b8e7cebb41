-- pg_cron runs leadscore.sla_sweep() every minute and flags a breach. (The
-- test cluster preloads pg_cron with cron.database_name = contrib_regression
-- and cron.use_background_workers = on, see scripts/run-tests.sh.) A lead
-- became an MQL an hour ago in a 24/7 calendar with a 5-minute
-- first-response SLA; nobody called.
CREATE EXTENSION IF NOT EXISTS pg_cron;
SELECT leadscore.define_calendar('cron_always', '{"time_zone": "UTC", "week": {
  "mon": [["00:00", "24:00"]], "tue": [["00:00", "24:00"]], "wed": [["00:00", "24:00"]], "thu": [["00:00", "24:00"]],
  "fri": [["00:00", "24:00"]], "sat": [["00:00", "24:00"]], "sun": [["00:00", "24:00"]]}}') IS NOT NULL AS defined;
CREATE TABLE cron_leads (id int PRIMARY KEY, stage text, mql_at timestamptz, contacted_at timestamptz,
                         sla_breached boolean NOT NULL DEFAULT false);
SELECT leadscore.attach('cron_leads', '{"stage_column": "stage", "stamps": {"mql": "mql_at"}, "notify_channel": null,
  "sla": {"calendar": "cron_always", "breached_column": "sla_breached",
          "policies": [{"name": "first_response", "within": "5 minutes", "met_by": {"column": "contacted_at"}}]}}')
  IS NOT NULL AS attached;
INSERT INTO cron_leads (id, stage, mql_at) VALUES (1, 'mql', now() - interval '1 hour');
SELECT c.status, l.sla_breached FROM leadscore.sla_clocks AS c JOIN cron_leads AS l ON c.lead_key = l.id::text;

SELECT cron.schedule('leadscore-sla-sweep', '* * * * *', 'SELECT leadscore.sla_sweep()') > 0 AS scheduled;
SELECT jobname, schedule, command FROM cron.job;
-- Wait for the first run (at the next full minute; at most two minutes).
DO $$
BEGIN
    FOR i IN 1..240 LOOP
        EXIT WHEN EXISTS (SELECT FROM cron.job_run_details WHERE status IN ('succeeded', 'failed'));
        PERFORM pg_sleep(0.5);
    END LOOP;
END
$$;
SELECT status, return_message FROM cron.job_run_details;
SELECT c.status, l.sla_breached FROM leadscore.sla_clocks AS c JOIN cron_leads AS l ON c.lead_key = l.id::text;

SELECT cron.unschedule('leadscore-sla-sweep');
SELECT leadscore.detach('cron_leads');
DROP TABLE cron_leads;
DELETE FROM leadscore.sla_clocks;
SELECT leadscore.drop_calendar('cron_always');
DROP EXTENSION pg_cron;
