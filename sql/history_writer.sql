-- The history writer keeps leadscore.stage_history open for the whole
-- transaction. Savepoints, errors and an index created mid-transaction must
-- leave the history and its indexes exact, with no resource-leak WARNINGs.

SET search_path = public, leadscore;
CREATE EXTENSION IF NOT EXISTS amcheck;
CREATE TABLE writer_contacts (id int PRIMARY KEY, stage text);
SELECT leadscore.attach('writer_contacts', '{"stage_column": "stage", "notify_channel": null}') IS NOT NULL AS attached;
INSERT INTO writer_contacts SELECT i, 'lead' FROM generate_series(1, 5) AS i;

-- A rolled-back savepoint takes its history rows with it; the rest stays.
BEGIN;
UPDATE writer_contacts SET stage = 'mql' WHERE id = 1;
SAVEPOINT before_two;
UPDATE writer_contacts SET stage = 'mql' WHERE id = 2;
ROLLBACK TO SAVEPOINT before_two;
UPDATE writer_contacts SET stage = 'mql' WHERE id = 3;
SAVEPOINT failing;
UPDATE writer_contacts SET stage = 'visitor' WHERE id = 4;
ROLLBACK TO SAVEPOINT failing;
UPDATE writer_contacts SET stage = 'sql' WHERE id = 4;
COMMIT;
SELECT lead_key, from_stage, to_stage FROM leadscore.stage_history
WHERE target = 'writer_contacts'::regclass AND from_stage IS NOT NULL ORDER BY id;

-- DDL on the history table in the middle of a transaction that has written
-- history works, and an index created then is maintained for later rows.
BEGIN;
UPDATE writer_contacts SET stage = 'sal' WHERE id = 1;
CREATE INDEX stage_history_by_reason ON leadscore.stage_history (reason, lead_key);
UPDATE writer_contacts SET stage = 'sal' WHERE id = 5;
COMMIT;
SELECT bt_index_check('leadscore.stage_history_by_reason', true) IS NOT NULL AS by_reason_complete,
       bt_index_check('leadscore.stage_history_by_lead', true) IS NOT NULL AS by_lead_complete,
       bt_index_check('leadscore.stage_history_pkey', true) IS NOT NULL AS pkey_complete;
SET enable_seqscan = off;
SELECT count(*) AS found_through_new_index FROM leadscore.stage_history
WHERE reason IS NULL AND lead_key IN ('1', '5') AND to_stage = 'sal';
RESET enable_seqscan;
DROP INDEX leadscore.stage_history_by_reason;

-- A failed statement in a transaction that had written history, then more.
BEGIN;
UPDATE writer_contacts SET stage = 'sql' WHERE id = 1;
SAVEPOINT s;
UPDATE writer_contacts SET stage = 'lead' WHERE id IN (2, 3);
ROLLBACK TO SAVEPOINT s;
UPDATE writer_contacts SET stage = 'sql' WHERE id = 2;
COMMIT;
SELECT lead_key, to_stage FROM leadscore.stage_history
WHERE target = 'writer_contacts'::regclass AND to_stage = 'sql' ORDER BY id;

SELECT leadscore.detach('writer_contacts');
DROP TABLE writer_contacts;
