#include "core/lifecycle/attachment_checks.hpp"

#include <algorithm>

#include "core/common/quote.hpp"
#include "core/stage/stage_labels.hpp"

namespace leadscore::core::attach_checks {

const JsonChecker& checker() {
    static const JsonChecker instance("leadscore.attach config");
    return instance;
}

void config_error(const std::string& path, const std::string& problem, const std::string& hint,
                  const char* state) {
    checker().fail(path, problem, hint, state);
}

std::string expect_string(const nlohmann::json& value, const std::string& path) {
    if (!value.is_string()) {
        checker().wrong_type(path, value, "a string", "Write the value as a JSON string.");
    }
    std::string text = value.get<std::string>();
    if (text.empty()) {
        config_error(path, "expected a non-empty string", "Write a column name or a value.");
    }
    return text;
}

ColumnShape expect_column(const TableShape& table, const nlohmann::json& value,
                          const std::string& path) {
    const std::string& name = expect_string(value, path);
    if (const ColumnShape* column = table.find(name)) {
        return *column;
    }
    config_error(
        path, "column " + quote_for_message(name) + " does not exist in " + table.table_name,
        "Column names are case-sensitive, as in quoted SQL identifiers.", kUndefinedColumn);
}

namespace {

std::string kind_list(std::initializer_list<ColumnKind> kinds) {
    std::string list;
    for (ColumnKind kind : kinds) {
        const char* name = kind == ColumnKind::Text             ? "text"
                           : kind == ColumnKind::Varchar        ? "varchar"
                           : kind == ColumnKind::Enum           ? "an ENUM type"
                           : kind == ColumnKind::LifecycleStage ? "leadscore.lifecycle_stage"
                           : kind == ColumnKind::Timestamptz    ? "timestamptz"
                           : kind == ColumnKind::Number         ? "a number type"
                           : kind == ColumnKind::Boolean        ? "boolean"
                                                                : "other";
        list += (list.empty() ? "" : ", ") + std::string(name);
    }
    return list;
}

}  // namespace

void expect_kind(const ColumnShape& column, std::initializer_list<ColumnKind> kinds,
                 const std::string& path) {
    if (std::find(kinds.begin(), kinds.end(), column.kind) != kinds.end()) {
        return;
    }
    config_error(path,
                 "column " + quote_for_message(column.name) + " has type " + column.type_name +
                     ", expected " + kind_list(kinds),
                 "Change the column's type or name another column.", kDatatypeMismatch);
}

Stage expect_stage(const nlohmann::json& value, const std::string& path) {
    const std::string& label = expect_string(value, path);
    const LabelMatch match = match_stage_label(label);
    if (match.kind != LabelMatch::Kind::Stage) {
        config_error(path, quote_for_message(label) + " is not a lifecycle stage",
                     "Use one of disqualified, recycled, visitor, lead, mql, pql, sal, sql, "
                     "opportunity, customer.");
    }
    return match.stage;
}

void check_entries(const nlohmann::json& value, const std::string& path, const char* what,
                   bool limited) {
    if (limited && value.size() > kMaxAttachEntries) {
        document_too_large("leadscore.attach config", path, value.size(), kMaxAttachEntries, what,
                           "An attach config has at most " + std::to_string(kMaxAttachEntries) +
                               " labels, reasons and fit attributes each, and an SLA policy at "
                               "most " +
                               std::to_string(kMaxAttachEntries) + " event types.");
    }
}

}  // namespace leadscore::core::attach_checks
