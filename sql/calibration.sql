-- Calibration: score_auc (ROC AUC, ties as half), recommend_threshold (the
-- lowest score whose leads at or above it convert at the target rate) and
-- threshold_curve; checked against plain SQL, with NULLs, bad arguments,
-- corrupted states and parallel plans.
CREATE TABLE scored_leads (id int, source text, score numeric, converted boolean);
-- Scores 10 to 100 in steps of 10, ten leads each; at score s, s/10 of the
-- ten converted (score 100: all ten).
INSERT INTO scored_leads
SELECT s * 10 + i, CASE WHEN i % 2 = 0 THEN 'inbound' ELSE 'outbound' END, s * 10, i < s
FROM generate_series(1, 10) AS s, generate_series(0, 9) AS i;
SELECT leadscore.score_auc(score::float8, converted) AS auc,
       leadscore.recommend_threshold(score, converted, 0.25) AS threshold_25,
       leadscore.recommend_threshold(score, converted, 0.75) AS threshold_75,
       leadscore.recommend_threshold(score, converted, 0.76) AS threshold_76,
       leadscore.recommend_threshold(score, converted, 1) AS threshold_100
FROM scored_leads;
-- The AUC by its definition, over every (converted, unconverted) pair.
SELECT round((sum(CASE WHEN p.score > n.score THEN 1 WHEN p.score = n.score THEN 0.5 ELSE 0 END)
              / count(*))::numeric, 12) AS pairwise_auc
FROM scored_leads AS p JOIN scored_leads AS n ON p.converted AND NOT n.converted;
-- The curve, and the same numbers in plain SQL.
SELECT (p).* FROM (SELECT unnest(leadscore.threshold_curve(score, converted)) AS p FROM scored_leads) AS c;
SELECT t.score AS threshold, count(*) AS leads, count(*) FILTER (WHERE l.converted) AS converted
FROM (SELECT DISTINCT score FROM scored_leads) AS t JOIN scored_leads AS l ON l.score >= t.score
GROUP BY t.score ORDER BY t.score;
-- Per group.
SELECT source, leadscore.score_auc(score::float8, converted) AS auc,
       leadscore.recommend_threshold(score, converted, 0.5) AS threshold_50
FROM scored_leads GROUP BY source ORDER BY source;

-- NULL scores and outcomes are ignored; a group with one kind of outcome
-- has no AUC; none reaching the rate, no threshold; no rows, an empty curve.
SELECT leadscore.score_auc(s, c) AS auc, leadscore.recommend_threshold(s::numeric, c, 0.9) AS threshold
FROM (VALUES (1.0::float8, true), (NULL, false), (2.0, NULL), (3.0, false)) AS v(s, c);
SELECT leadscore.score_auc(s, c) AS one_kind_auc FROM (VALUES (1.0::float8, true), (2.0, true)) AS v(s, c);
SELECT leadscore.score_auc(s, c) AS no_rows_auc, leadscore.threshold_curve(s::numeric, c) AS no_rows_curve
FROM (VALUES (1.0::float8, true)) AS v(s, c) WHERE false;
-- Infinite scores are scores (highest and lowest).
SELECT leadscore.score_auc(s, c) AS auc_with_infinities
FROM (VALUES ('infinity'::float8, true), ('-infinity', false), (5, true), (5, false)) AS v(s, c);

-- Bad arguments.
SELECT leadscore.recommend_threshold(score, converted, 0) FROM scored_leads;
SELECT leadscore.recommend_threshold(score, converted, 1.5) FROM scored_leads;
SELECT leadscore.recommend_threshold(score, converted, NULL) FROM scored_leads;
SELECT leadscore.recommend_threshold(score, converted, 'NaN') FROM scored_leads;
SELECT leadscore.recommend_threshold(score, converted, CASE WHEN id < 50 THEN 0.2 ELSE 0.3 END) FROM scored_leads;
SELECT leadscore.score_auc('NaN'::float8, true);
SELECT leadscore.recommend_threshold('NaN'::numeric, true, 0.25);

-- Corrupted states: the deserialisation function checks every byte.
SELECT leadscore._score_auc_of_state(leadscore._calibration_state(score::float8, converted)) AS auc_of_state
FROM scored_leads;
SELECT leadscore._score_auc_of_state('\x');
SELECT leadscore._score_auc_of_state(overlay(s PLACING '\x58' FROM 1))
FROM (SELECT leadscore._calibration_state(score::float8, converted) AS s FROM scored_leads) AS x;
SELECT leadscore._score_auc_of_state(substring(s FROM 1 FOR 30))
FROM (SELECT leadscore._calibration_state(score::float8, converted) AS s FROM scored_leads) AS x;
-- (entry 1's converted count set above its leads)
SELECT leadscore._score_auc_of_state(overlay(s PLACING '\xff' FROM 17 + 24 + 16 + 1))
FROM (SELECT leadscore._calibration_state(score::float8, converted) AS s FROM scored_leads) AS x;

-- Parallel plans give the serial answers (300,000 leads, 1,000 scores).
CREATE TABLE calibration_big AS
SELECT i, (i * 7919 % 1000)::numeric / 10 AS score, (i * 104729 % 1000) < (i * 7919 % 1000) / 2 AS converted
FROM generate_series(1::bigint, 300000) AS i;
ANALYZE calibration_big;
SELECT leadscore.score_auc(score::float8, converted) AS auc, leadscore.recommend_threshold(score, converted, 0.4) AS threshold,
       md5(leadscore.threshold_curve(score, converted)::text) AS curve
FROM calibration_big \gset serial_
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT leadscore.score_auc(score::float8, converted) FROM calibration_big;
SELECT leadscore.score_auc(score::float8, converted) = :serial_auc AS same_auc,
       leadscore.recommend_threshold(score, converted, 0.4) = :serial_threshold AS same_threshold,
       md5(leadscore.threshold_curve(score, converted)::text) = :'serial_curve' AS same_curve,
       :serial_threshold AS threshold, round(:serial_auc::numeric, 6) AS auc
FROM calibration_big;
RESET max_parallel_workers_per_gather;
DROP TABLE calibration_big, scored_leads;
