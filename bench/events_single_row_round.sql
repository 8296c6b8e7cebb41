-- One round of bench/events_single_row.sql: one single-row INSERT per lead,
-- each its own statement and transaction (\gexec runs them one by one).
SELECT clock_timestamp() AS started \gset
SELECT format('INSERT INTO bench_single_events VALUES (%s, ''email_open'', now())', i)
FROM generate_series(1, :leads) AS i \gexec
SELECT :round AS round, round((extract(epoch FROM clock_timestamp() - :'started') * 1000 / :leads)::numeric, 2)
       AS ms_per_insert;
SELECT :round + 1 AS round \gset
