// Reading the stage column of a row of an attached table, whatever its type
// (text, varchar, ENUM or lifecycle_stage): used by the lifecycle trigger and
// by promotion by score.
#pragma once

#include <optional>

#include "pg/lifecycle/attachment_cache.hpp"

namespace leadscore::pg {

// A row's stage as the CRM wrote it. `label` is what the row holds, as text
// (for messages and history); NULL when the row has no stage.
struct RowStage {
    bool is_null = true;
    bool resolved = false;
    core::Stage stage = core::Stage::Lead;
    const char* label = nullptr;
};

RowStage read_stage(const CompiledAttachment& attachment, HeapTuple tuple, TupleDesc descriptor);

// The stage, or nothing for a NULL or unreadable value.
inline std::optional<core::Stage> stage_or_nothing(const RowStage& row) {
    return row.is_null || !row.resolved ? std::nullopt : std::optional<core::Stage>(row.stage);
}

// The label of an ENUM value (a syscache lookup, palloc'd).
const char* enum_label(Oid value);

}  // namespace leadscore::pg
