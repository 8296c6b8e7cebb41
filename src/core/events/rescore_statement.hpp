// The statements that rescore an attached leads table from its fit
// attributes and its events tables: what rescore, rescore_in_batches and the
// events trigger run (as the table's owner). Built from plain names and SQL
// types the glue reads from the catalogs; every identifier is quoted here.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leadscore::core {

// An attached events table: its name as SQL (schema-qualified, quoted) and
// the columns attach_events mapped.
struct EventsSource {
    std::string table;
    std::string lead_column;
    std::string type_column;
    std::string time_column;
};

// A score column of the leads table and its type as SQL writes it
// (numeric(8,2), integer), to which the computed value is cast before it
// is compared with the stored one.
struct ScoreTarget {
    std::string column;
    std::string sql_type;
};

struct RescoreInputs {
    std::string leads_table;  // as SQL: schema-qualified, quoted
    std::string key_column;
    std::string key_equality;  // "=" or OPERATOR(schema.=) of the key's type
    std::string model;
    // attach's fit_attributes: attribute name -> column; fit is computed
    // from them when there are any, else read from fit_column.
    std::vector<std::pair<std::string, std::string>> fit_attributes;
    std::optional<ScoreTarget> fit_column;
    std::optional<ScoreTarget> engagement_column;
    std::optional<ScoreTarget> score_column;
    std::vector<EventsSource> events;
};

// "name" with embedded quotes doubled: a valid identifier whatever it holds.
std::string quoted_identifier(std::string_view name);

// 'text' as a string literal (E'' when it holds a backslash), as
// PostgreSQL's quote_literal writes it.
std::string quoted_literal(std::string_view text);

// The SQL expression building the jsonb of the fit attributes from row
// `row_alias`'s columns: jsonb_build_object takes at most 100 arguments, so
// 50 pairs per call, the parts concatenated.
std::string attributes_object(const std::vector<std::pair<std::string, std::string>>& attributes,
                              std::string_view row_alias);

// The statement that rescores the leads whose key is in `only_keys` (a
// query of key values), or all of them (nullopt), at $1 (as_of), and answers
// one jsonb value {"written": n, "skipped": [keys]}. A row found changed by
// a concurrent transaction when the UPDATE reaches it is skipped (its new
// values would predate that transaction's commit), and its key reported.
// Rows whose values do not change are not written. nullopt when the
// attachment has nothing to recompute (no fit source, no engagement source).
std::optional<std::string> rescore_statement(const RescoreInputs& inputs,
                                             std::optional<std::string_view> only_keys);

// The statement that locks the rows of the leads in `only_keys`, in key
// order (so that concurrent inserts of events lock in one order).
std::string rescore_lock_statement(const RescoreInputs& inputs, std::string_view only_keys);

// The query of key values of the keys given as text in $2, cast to the
// key's SQL type.
std::string keys_from_text_array(std::string_view key_sql_type);

}  // namespace leadscore::core
