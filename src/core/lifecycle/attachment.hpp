// An attachment: how leadscore reads and writes a CRM table, from the JSON
// config a DBA gives leadscore.attach, validated against the table's columns.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/sla/sla_config.hpp"
#include "core/stage/stage.hpp"
#include "core/lifecycle/table_shape.hpp"

namespace leadscore::core {

enum class AttachMode { Enforce, Audit };

// The default reason codes for moves into recycled or disqualified (seed 000:
// rejected MQLs must carry a specific reason).
const std::vector<std::string>& default_reason_codes();

inline constexpr char kDefaultHandoffChannel[] = "leadscore_handoff";

struct AttachmentConfig {
    std::string stage_column;
    ColumnKind stage_kind = ColumnKind::Text;
    std::string key_column;
    std::vector<std::pair<std::string, Stage>> labels;           // CRM label -> stage, as given
    std::array<std::optional<std::string>, kStageCount> stamps;  // by stage code
    std::optional<std::string> reason_column;
    AttachMode mode = AttachMode::Enforce;
    std::vector<std::string> reasons;
    std::optional<std::string> notify_channel;  // empty: no notifications
    // Scores that move stages (see score_promotion.hpp): the model whose
    // thresholds apply, and the columns holding the lead's scores. `model`
    // is set exactly when at least one score column is.
    std::optional<std::string> model;
    std::optional<std::string> score_column;  // fit + engagement
    std::optional<std::string> fit_column;
    std::optional<std::string> engagement_column;
    Stage sql_stage = Stage::Sal;  // where crossing the SQL threshold leads
    // Attribute name -> column, for the fit_score rescore computes.
    std::vector<std::pair<std::string, std::string>> fit_attributes;
    // Response SLAs on stage entries (sla_config.hpp).
    std::optional<SlaConfig> sla;
};

// Parses the JSON text of an attach config and checks it against `table`:
// keys, column names and types, labels, stages, modes and reason codes. Throws
// Error naming the config path (e.g. "stamps.mql") and the offending value,
// and Error 54000 for a Definition beyond the limits (document_limits.hpp).
// Stops at stop_point()s.
AttachmentConfig parse_attachment_config(std::string_view config_json, const TableShape& table,
                                         DocumentSource source = DocumentSource::Definition);

// The config with every default filled in, as JSON: what attach stores and
// what the trigger receives. parse_attachment_config reads it back unchanged.
std::string normalised_json(const AttachmentConfig& config);

// What attach stores: normalised_json, which must fit in
// kMaxAttachConfigBytes too (Error 54000), as the trigger reads it back.
std::string normalised_json_to_store(const AttachmentConfig& config);

}  // namespace leadscore::core
