-- Handoff notifications: entering mql or sql sends a JSON payload on the
-- attachment's channel, delivered at commit; rollbacks and other stages send
-- nothing. psql prints notifications as they arrive; they are captured in a
-- file and shown with the timestamp and the sender's PID masked.

CREATE TABLE contacts (id int PRIMARY KEY, lifecyclestage text);
SELECT leadscore.attach('contacts', '{"stage_column": "lifecyclestage"}') ->> 'notify_channel' AS channel;
INSERT INTO contacts VALUES (7, 'lead'), (8, 'lead');
LISTEN leadscore_handoff;
\o results/handoff_notify.txt

BEGIN;
UPDATE contacts SET lifecyclestage = 'mql' WHERE id = 7;
\o
-- Nothing yet: the transaction is open.
\! sed -E 's/"at":"[^"]+"/"at":"<at>"/; s/PID [0-9]+/PID <pid>/' results/handoff_notify.txt
\o results/handoff_notify.txt
COMMIT;
\o
-- Delivered at commit.
\! sed -E 's/"at":"[^"]+"/"at":"<at>"/; s/PID [0-9]+/PID <pid>/' results/handoff_notify.txt

\o results/handoff_notify.txt
UPDATE contacts SET lifecyclestage = 'sal' WHERE id = 7;
BEGIN;
UPDATE contacts SET lifecyclestage = 'sql' WHERE id = 8;
ROLLBACK;
UPDATE contacts SET lifecyclestage = 'sql' WHERE id = 7;
\o
-- sal sends nothing, the rolled-back sql nothing; the committed sql does.
\! sed -E 's/"at":"[^"]+"/"at":"<at>"/; s/PID [0-9]+/PID <pid>/' results/handoff_notify.txt

-- A channel of one's own, and no notifications at all.
SELECT leadscore.attach('contacts', '{"stage_column": "lifecyclestage", "notify_channel": "sales_router"}') IS NOT NULL AS attached;
LISTEN sales_router;
\o results/handoff_notify.txt
UPDATE contacts SET lifecyclestage = 'mql' WHERE id = 8;
\o
\! sed -E 's/"at":"[^"]+"/"at":"<at>"/; s/PID [0-9]+/PID <pid>/' results/handoff_notify.txt
SELECT leadscore.attach('contacts', '{"stage_column": "lifecyclestage", "notify_channel": null}') ->> 'notify_channel' AS channel;
\o results/handoff_notify.txt
UPDATE contacts SET lifecyclestage = 'sql' WHERE id = 8;
\o
\! sed -E 's/"at":"[^"]+"/"at":"<at>"/; s/PID [0-9]+/PID <pid>/' results/handoff_notify.txt
-- The "at" field is the transaction time as ISO 8601, the same instant as the stamps.
UNLISTEN *;
SELECT leadscore.detach('contacts');
DROP TABLE contacts;
