#include "core/events/rescore_statement.hpp"

namespace leadscore::core {

namespace {

constexpr std::size_t kPairsPerCall = 50;  // jsonb_build_object takes 100 arguments

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
    std::string joined;
    for (std::size_t n = 0; n < parts.size(); ++n) {
        if (n > 0) {
            joined += separator;
        }
        joined += parts[n];
    }
    return joined;
}

// l."column"
std::string row_column(std::string_view alias, std::string_view column) {
    return std::string(alias) + "." + quoted_identifier(column);
}

// The rows of every events table as (lead, type, at), restricted to the
// leads of `only_keys` when given.
std::string event_rows(const RescoreInputs& inputs, std::optional<std::string_view> only_keys) {
    std::vector<std::string> parts;
    for (const EventsSource& source : inputs.events) {
        std::string part = "SELECT " + row_column("e", source.lead_column) + " AS lead, " +
                           row_column("e", source.type_column) + "::pg_catalog.text AS type, " +
                           row_column("e", source.time_column) + " AS at FROM " + source.table +
                           " AS e";
        if (only_keys) {
            part += " WHERE " + row_column("e", source.lead_column) + " " + inputs.key_equality +
                    " ANY (ARRAY(" + std::string(*only_keys) + "))";
        }
        parts.push_back(std::move(part));
    }
    return join(parts, " UNION ALL ");
}

}  // namespace

std::string quoted_identifier(std::string_view name) {
    std::string quoted = "\"";
    for (char c : name) {
        quoted += c;
        if (c == '"') {
            quoted += '"';
        }
    }
    return quoted + "\"";
}

std::string quoted_literal(std::string_view text) {
    const bool has_backslash = text.find('\\') != std::string_view::npos;
    std::string quoted = has_backslash ? "E'" : "'";
    for (char c : text) {
        quoted += c;
        if (c == '\'' || c == '\\') {
            quoted += c;
        }
    }
    return quoted + "'";
}

std::string attributes_object(const std::vector<std::pair<std::string, std::string>>& attributes,
                              std::string_view row_alias) {
    if (attributes.empty()) {
        return "pg_catalog.jsonb_build_object()";
    }
    std::vector<std::string> calls;
    for (std::size_t start = 0; start < attributes.size(); start += kPairsPerCall) {
        std::vector<std::string> pairs;
        for (std::size_t n = start; n < attributes.size() && n < start + kPairsPerCall; ++n) {
            pairs.push_back(quoted_literal(attributes[n].first) + ", " +
                            row_column(row_alias, attributes[n].second));
        }
        calls.push_back("pg_catalog.jsonb_build_object(" + join(pairs, ", ") + ")");
    }
    return join(calls, " OPERATOR(pg_catalog.||) ");
}

std::optional<std::string> rescore_statement(const RescoreInputs& inputs,
                                             std::optional<std::string_view> only_keys) {
    const std::string model = quoted_literal(inputs.model);
    const std::string key = quoted_identifier(inputs.key_column);
    // Fit: from the attributes when the config names them, else as stored.
    std::optional<std::string> fit;
    if (!inputs.fit_attributes.empty()) {
        fit = "leadscore.fit_score(" + model + ", " +
              attributes_object(inputs.fit_attributes, "l") + ")";
    } else if (inputs.fit_column) {
        fit = row_column("l", inputs.fit_column->column);
    }
    // Engagement: the rows of every events table, aggregated per lead; a
    // lead without events gets what no events score (the inactivity
    // penalty). Else as stored.
    std::optional<std::string> engagement;
    std::string events_join;
    if (!inputs.events.empty()) {
        engagement = "coalesce(s.engagement, (SELECT leadscore.engagement_score(" + model +
                     ", NULL, NULL, $1)))";
        events_join = " LEFT JOIN (SELECT ev.lead, leadscore.engagement_score(" + model +
                      ", ev.type, ev.at, $1) AS engagement FROM (" + event_rows(inputs, only_keys) +
                      ") AS ev GROUP BY ev.lead) AS s ON s.lead " + inputs.key_equality + " l." +
                      key;
    } else if (inputs.engagement_column) {
        engagement = row_column("l", inputs.engagement_column->column);
    }
    // Each value is cast to its column's type before it is compared, so that
    // an integer column holding a rounded score is not rewritten every time.
    std::vector<std::string> stored, assignments, changed;
    if (inputs.fit_column && !inputs.fit_attributes.empty()) {
        stored.push_back(row_column("l", inputs.fit_column->column) + " AS stored_fit");
        assignments.push_back(quoted_identifier(inputs.fit_column->column) + " = n.fit");
        changed.push_back("n.stored_fit IS DISTINCT FROM (n.fit)::" + inputs.fit_column->sql_type);
    }
    if (inputs.engagement_column && !inputs.events.empty()) {
        stored.push_back(row_column("l", inputs.engagement_column->column) +
                         " AS stored_engagement");
        assignments.push_back(quoted_identifier(inputs.engagement_column->column) +
                              " = n.engagement");
        changed.push_back("n.stored_engagement IS DISTINCT FROM (n.engagement)::" +
                          inputs.engagement_column->sql_type);
    }
    // The total, when its engagement part has a source: fit + engagement,
    // fit counting 0 when there is no fit source. Without an engagement
    // source the total is left alone rather than cut down to its fit.
    if (inputs.score_column && engagement) {
        const std::string total = "coalesce(n.fit, 0) + coalesce(n.engagement, 0)";
        stored.push_back(row_column("l", inputs.score_column->column) + " AS stored_score");
        assignments.push_back(quoted_identifier(inputs.score_column->column) + " = " + total);
        changed.push_back("n.stored_score IS DISTINCT FROM (" + total +
                          ")::" + inputs.score_column->sql_type);
    }
    if (assignments.empty()) {
        return std::nullopt;  // nothing this attachment can recompute
    }
    std::string restriction;
    if (only_keys) {
        restriction = " WHERE l." + key + " " + inputs.key_equality + " ANY (ARRAY(" +
                      std::string(*only_keys) + "))";
    }
    // The rows to write, by their row id: the UPDATE re-checks a row that a
    // concurrent transaction changed against its new version, which has
    // another id (the row is then skipped).
    return "WITH n AS MATERIALIZED (  SELECT n.row_id, n.lead_key, n.fit, n.engagement "
           "  FROM (SELECT l.ctid AS row_id, pg_catalog.format('%s', l." +
           key + ") AS lead_key, " + join(stored, ", ") + ",                " +
           fit.value_or("NULL::integer") + " AS fit, " + engagement.value_or("NULL::numeric") +
           " AS engagement         FROM " + inputs.leads_table + " AS l" + events_join +
           restriction + ") AS n   WHERE " + join(changed, " OR ") + "), written AS (UPDATE " +
           inputs.leads_table + " AS l SET " + join(assignments, ", ") +
           " FROM n WHERE l.ctid = n.row_id RETURNING n.row_id) "
           "SELECT pg_catalog.jsonb_build_object(  'written', (SELECT pg_catalog.count(*) FROM "
           "written),   'skipped', (SELECT coalesce(pg_catalog.jsonb_agg(n.lead_key), '[]') FROM "
           "n                WHERE n.row_id NOT IN (SELECT w.row_id FROM written AS w)))";
}

std::string rescore_lock_statement(const RescoreInputs& inputs, std::string_view only_keys) {
    const std::string key = quoted_identifier(inputs.key_column);
    return "SELECT FROM " + inputs.leads_table + " AS l WHERE l." + key + " " +
           inputs.key_equality + " ANY (ARRAY(" + std::string(only_keys) + ")) ORDER BY l." + key +
           " FOR NO KEY UPDATE OF l";
}

std::string keys_from_text_array(std::string_view key_sql_type) {
    return "SELECT u.k::" + std::string(key_sql_type) + " FROM pg_catalog.unnest($2) AS u(k)";
}

}  // namespace leadscore::core
