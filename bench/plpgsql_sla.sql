-- The SLA clocks a team would write in PL/pgSQL next to leadscore's
-- lifecycle trigger: the same two policies as the leadscore variant (first
-- response within 2 business hours, met by first_contacted_at; a
-- disposition within 16, met by leaving for sql, recycled or disqualified;
-- warnings at 75%), written into a clocks table shaped and indexed like
-- leadscore.sla_clocks, with leadscore's business_add for the due times (a
-- team without it would do worse). Policies are written into the code rather
-- than read from a config: the leanest version of the job.
DROP TABLE IF EXISTS plpgsql_sla_clocks;
CREATE TABLE plpgsql_sla_clocks (LIKE leadscore.sla_clocks INCLUDING ALL);

CREATE OR REPLACE FUNCTION plpgsql_sla_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    started timestamptz := now();
BEGIN
    IF NEW.lifecyclestage IS DISTINCT FROM OLD.lifecyclestage THEN
        -- The clocks of the stage left close: met, late, breached or cancelled.
        UPDATE plpgsql_sla_clocks AS c
        SET met_at = m.met,
            status = CASE WHEN m.met IS NOT NULL THEN CASE WHEN m.met <= c.due_at THEN 'met' ELSE 'met_late' END
                          WHEN c.status = 'breached' OR c.due_at < now() THEN 'breached'
                          ELSE 'cancelled' END,
            closed_at = now()
        FROM (SELECT o.id,
                     CASE WHEN o.policy = 'disposition'
                               AND NEW.lifecyclestage IN ('salesqualifiedlead', 'recycled', 'disqualified') THEN now()
                          WHEN o.policy = 'first_response' AND NEW.first_contacted_at >= o.started_at
                          THEN NEW.first_contacted_at END AS met
              FROM plpgsql_sla_clocks AS o
              WHERE o.target = TG_RELID AND o.lead_key = NEW.id::text AND o.closed_at IS NULL) AS m
        WHERE c.id = m.id;
        IF NEW.lifecyclestage = 'marketingqualifiedlead' THEN
            INSERT INTO plpgsql_sla_clocks (target, lead_key, policy, stage, calendar, started_at, warn_at, due_at, owner)
            VALUES (TG_RELID, NEW.id::text, 'first_response', 'mql', 'bench_sales', started,
                    leadscore.business_add('bench_sales', started, interval '90 minutes'),
                    leadscore.business_add('bench_sales', started, interval '2 hours'), NEW.owner_id::text),
                   (TG_RELID, NEW.id::text, 'disposition', 'mql', 'bench_sales', started,
                    leadscore.business_add('bench_sales', started, interval '12 hours'),
                    leadscore.business_add('bench_sales', started, interval '16 hours'), NEW.owner_id::text);
            NEW.sla_due_at := leadscore.business_add('bench_sales', started, interval '2 hours');
            NEW.sla_breached := false;
        END IF;
    ELSIF NEW.first_contacted_at IS NOT NULL AND NEW.first_contacted_at IS DISTINCT FROM OLD.first_contacted_at THEN
        UPDATE plpgsql_sla_clocks AS c
        SET met_at = NEW.first_contacted_at,
            status = CASE WHEN NEW.first_contacted_at <= c.due_at THEN 'met' ELSE 'met_late' END,
            closed_at = now()
        WHERE c.target = TG_RELID AND c.lead_key = NEW.id::text AND c.closed_at IS NULL
          AND c.policy = 'first_response' AND NEW.first_contacted_at >= c.started_at;
        IF FOUND THEN
            SELECT min(o.due_at) FILTER (WHERE o.status IN ('running', 'warned')),
                   coalesce(bool_or(o.status = 'breached'), false)
              INTO NEW.sla_due_at, NEW.sla_breached
              FROM plpgsql_sla_clocks AS o
             WHERE o.target = TG_RELID AND o.lead_key = NEW.id::text AND o.closed_at IS NULL;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
