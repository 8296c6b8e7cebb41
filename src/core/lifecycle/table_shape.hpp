// What the glue tells the core about a CRM table: its name, its columns and
// their kinds, its primary key.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace leadscore::core {

// What the glue tells the core about a column's type.
enum class ColumnKind { Text, Varchar, Enum, LifecycleStage, Timestamptz, Number, Boolean, Other };

struct ColumnShape {
    std::string name;
    ColumnKind kind = ColumnKind::Other;
    std::string type_name;                 // for messages, e.g. "integer"
    std::vector<std::string> enum_labels;  // kind == Enum: the type's labels, in order
};

struct TableShape {
    std::string table_name;  // as users write it, for messages
    std::vector<ColumnShape> columns;
    std::vector<std::string> primary_key;  // column names

    const ColumnShape* find(std::string_view name) const;
};

}  // namespace leadscore::core
