-- The PL/pgSQL trigger a team would write instead of leadscore: its history
-- table has the same indexes as leadscore.stage_history, and it does the same
-- label reading (the usual HubSpot spellings), transition rules,
-- the same first-reach stamps and a history row per change. It fires, like
-- leadscore's, only when the stage column changes.
CREATE TABLE IF NOT EXISTS plpgsql_stage_history (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target regclass NOT NULL,
    lead_key text NOT NULL,
    from_stage text,
    to_stage text,
    changed_at timestamptz NOT NULL DEFAULT now(),
    changed_by name NOT NULL DEFAULT current_user,
    reason text,
    crm_label text
);
CREATE INDEX IF NOT EXISTS plpgsql_stage_history_by_lead
    ON plpgsql_stage_history (target, lead_key, changed_at);
CREATE INDEX IF NOT EXISTS plpgsql_stage_history_by_period
    ON plpgsql_stage_history USING brin (changed_at);

CREATE OR REPLACE FUNCTION plpgsql_stage_of(label text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE lower(btrim(label))
        WHEN 'subscriber' THEN 'lead'
        WHEN 'marketingqualifiedlead' THEN 'mql'
        WHEN 'salesqualifiedlead' THEN 'sql'
        WHEN 'evangelist' THEN 'customer'
        WHEN 'disqualified' THEN 'disqualified' WHEN 'recycled' THEN 'recycled'
        WHEN 'visitor' THEN 'visitor' WHEN 'lead' THEN 'lead' WHEN 'mql' THEN 'mql'
        WHEN 'pql' THEN 'pql' WHEN 'sal' THEN 'sal' WHEN 'sql' THEN 'sql'
        WHEN 'opportunity' THEN 'opportunity' WHEN 'customer' THEN 'customer'
    END
$$;

CREATE OR REPLACE FUNCTION plpgsql_lifecycle() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    stages constant text[] := ARRAY['disqualified', 'recycled', 'visitor', 'lead', 'mql', 'pql',
                                    'sal', 'sql', 'opportunity', 'customer'];
    from_stage text;
    to_stage text := plpgsql_stage_of(NEW.lifecyclestage);
    from_rank int;
    to_rank int;
BEGIN
    IF to_stage IS NULL THEN
        RAISE EXCEPTION 'lead %: stage "%" is not a lifecycle stage', NEW.id, NEW.lifecyclestage
            USING ERRCODE = '22P02';
    END IF;
    to_rank := array_position(stages, to_stage);
    IF TG_OP = 'UPDATE' THEN
        from_stage := plpgsql_stage_of(OLD.lifecyclestage);
        from_rank := array_position(stages, from_stage);
        IF from_stage = to_stage THEN
            RETURN NEW;
        END IF;
        IF from_stage = 'customer'
           OR (from_stage = 'disqualified' AND to_stage <> 'lead')
           OR (from_stage = 'recycled' AND to_stage NOT IN ('lead', 'mql', 'disqualified'))
           OR (from_rank >= 3 AND to_rank >= 3 AND to_rank < from_rank) THEN
            RAISE EXCEPTION 'lead %: stage change from % to % refused', NEW.id, from_stage, to_stage
                USING ERRCODE = '23514';
        END IF;
        IF to_rank <= 2 AND (NEW.lost_reason IS NULL OR NEW.lost_reason NOT IN
               ('not_icp', 'no_budget', 'no_authority', 'no_need', 'bad_timing', 'unresponsive',
                'already_customer', 'duplicate', 'competitor', 'student')) THEN
            RAISE EXCEPTION 'lead %: a move into % needs a reason', NEW.id, to_stage
                USING ERRCODE = '23514';
        END IF;
    END IF;
    IF to_rank >= 3 THEN
        IF to_rank >= 4 AND NEW.lead_at IS NULL THEN NEW.lead_at := now(); END IF;
        IF to_rank >= 5 AND NEW.mql_at IS NULL THEN NEW.mql_at := now(); END IF;
        IF to_rank >= 8 AND NEW.sql_at IS NULL THEN NEW.sql_at := now(); END IF;
        IF to_rank >= 9 AND NEW.opportunity_at IS NULL THEN NEW.opportunity_at := now(); END IF;
        IF to_rank >= 10 AND NEW.customer_at IS NULL THEN NEW.customer_at := now(); END IF;
    END IF;
    INSERT INTO plpgsql_stage_history (target, lead_key, from_stage, to_stage, reason, crm_label)
    VALUES (TG_RELID, NEW.id::text, from_stage, to_stage,
            CASE WHEN to_rank <= 2 THEN NEW.lost_reason END, NEW.lifecyclestage);
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS lifecycle ON crm_plpgsql;
DROP TRIGGER IF EXISTS lifecycle_insert ON crm_plpgsql;
CREATE TRIGGER lifecycle BEFORE UPDATE OF lifecyclestage ON crm_plpgsql FOR EACH ROW
    WHEN (OLD.lifecyclestage IS DISTINCT FROM NEW.lifecyclestage)
    EXECUTE FUNCTION plpgsql_lifecycle();
CREATE TRIGGER lifecycle_insert BEFORE INSERT ON crm_plpgsql FOR EACH ROW
    WHEN (NEW.lifecyclestage IS NOT NULL)
    EXECUTE FUNCTION plpgsql_lifecycle();
