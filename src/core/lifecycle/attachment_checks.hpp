// Checks shared by the readers of an attach config (attachment.cpp and the
// SLA policies in sla_config.cpp): each failure is a core::Error that names
// the config path and the offending value.
#pragma once

#include <initializer_list>
#include <string>

#include <nlohmann/json.hpp>

#include "core/common/document_limits.hpp"
#include "core/lifecycle/table_shape.hpp"
#include "core/common/error.hpp"
#include "core/common/json_check.hpp"
#include "core/stage/stage.hpp"

namespace leadscore::core::attach_checks {

inline constexpr char kUndefinedColumn[] = "42703";
inline constexpr char kDatatypeMismatch[] = "42804";

// The checker of "leadscore.attach config" documents.
const JsonChecker& checker();

[[noreturn]] void config_error(const std::string& path, const std::string& problem,
                               const std::string& hint,
                               const char* state = sqlstate::kInvalidParameterValue);

// Copies, not references into the document: returning a reference from a
// call whose path argument is a temporary string trips g++ 14's
// -Wdangling-reference at every call site.
std::string expect_string(const nlohmann::json& value, const std::string& path);

// The column named by `value` (42703 when the table has none).
ColumnShape expect_column(const TableShape& table, const nlohmann::json& value,
                          const std::string& path);

// 42804 unless the column is of one of `kinds`.
void expect_kind(const ColumnShape& column, std::initializer_list<ColumnKind> kinds,
                 const std::string& path);

Stage expect_stage(const nlohmann::json& value, const std::string& path);

// Error 54000 when `limited` and the list or object `value` holds more than
// kMaxAttachEntries `what` (a plural noun).
void check_entries(const nlohmann::json& value, const std::string& path, const char* what,
                   bool limited);

}  // namespace leadscore::core::attach_checks
