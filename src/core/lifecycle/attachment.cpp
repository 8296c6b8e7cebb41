#include "core/lifecycle/attachment.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/common/ascii.hpp"
#include "core/lifecycle/attachment_checks.hpp"
#include "core/common/error.hpp"
#include "core/common/json_check.hpp"
#include "core/common/quote.hpp"
#include "core/stage/stage_labels.hpp"
#include "core/lifecycle/stage_resolver.hpp"
#include "core/common/stop_check.hpp"

namespace leadscore::core {

namespace {

using nlohmann::json;
using namespace attach_checks;

const std::vector<std::string_view> kKnownKeys = {
    "stage_column", "key_column",        "labels",         "stamps",         "reason_column",
    "mode",         "reasons",           "notify_channel", "model",          "score_column",
    "fit_column",   "engagement_column", "sql_stage",      "fit_attributes", "sla",
};

std::string known_keys_list() {
    std::string list;
    for (std::string_view key : kKnownKeys) {
        list += (list.empty() ? "" : ", ") + std::string(key);
    }
    return list;
}

std::string normalised_reason(std::string_view code) {
    std::string out;
    for (char c : code) {
        out += ascii_lower(c);
    }
    return out;
}

void read_labels(const json& labels, AttachmentConfig& config, bool limited) {
    if (!labels.is_object()) {
        config_error("labels",
                     std::string("expected an object mapping CRM labels to stages, got ") +
                         json_type_name(labels),
                     R"(Example: {"marketingqualifiedlead": "mql", "Working - Contacted": "sal"})");
    }
    check_entries(labels, "labels", "labels", limited);
    config.labels.reserve(labels.size());
    for (const auto& [crm_label, stage] : labels.items()) {
        stop_point();
        const std::string path = "labels." + crm_label;
        std::array<char, kMaxLabelLength> buffer;
        if (!label_matching_key(crm_label, buffer)) {
            config_error(path.substr(0, 80),
                         "the CRM label " + quote_for_message(crm_label) +
                             " is empty or longer than " + std::to_string(kMaxLabelLength) +
                             " characters",
                         "Stage labels are matched on at most 64 characters; map a shorter label.");
        }
        config.labels.emplace_back(crm_label, expect_stage(stage, path));
    }
}

void read_stamps(const json& stamps, const TableShape& table, AttachmentConfig& config) {
    if (!stamps.is_object()) {
        config_error("stamps",
                     std::string("expected an object mapping stages to timestamptz columns, got ") +
                         json_type_name(stamps),
                     R"(Example: {"mql": "mql_at", "sql": "sql_at"})");
    }
    for (const auto& [stage_label_text, column_name] : stamps.items()) {
        const std::string path = "stamps." + stage_label_text;
        const Stage stage = expect_stage(json(stage_label_text), path);
        const ColumnShape& column = expect_column(table, column_name, path);
        expect_kind(column, {ColumnKind::Timestamptz}, path);
        config.stamps[stage_code(stage)] = column.name;
    }
}

void read_reasons(const json& reasons, AttachmentConfig& config, bool limited) {
    if (!reasons.is_array() || reasons.empty()) {
        config_error("reasons", "expected a non-empty array of reason codes",
                     R"(Example: ["not_icp", "no_budget", "bad_timing"])");
    }
    check_entries(reasons, "reasons", "reasons", limited);
    config.reasons.clear();
    for (std::size_t i = 0; i < reasons.size(); ++i) {
        stop_point();
        config.reasons.push_back(
            normalised_reason(expect_string(reasons[i], "reasons[" + std::to_string(i) + "]")));
    }
}

// Every label of an ENUM stage column must mean a stage, so that no value
// the column can hold is a surprise at run time.
void check_enum_labels(const ColumnShape& column, const StageResolver& resolver) {
    for (const std::string& label : column.enum_labels) {
        if (resolver.resolve(label).kind != LabelMatch::Kind::Stage) {
            config_error("stage_column",
                         "label " + quote_for_message(label) + " of type " + column.type_name +
                             " is not a lifecycle stage",
                         "Map it to a stage in labels: {\"labels\": {" + quote_for_message(label) +
                             ": \"<stage>\"}}.");
        }
    }
}

// score_column, fit_column, engagement_column, model and sql_stage.
void read_scoring(const json& config, const TableShape& table, const StageResolver& resolver,
                  const ColumnShape& stage_column, AttachmentConfig& result, bool limited) {
    const auto score = [&](const char* key, std::optional<std::string>& out) {
        if (config.contains(key) && !config[key].is_null()) {
            const ColumnShape& column = expect_column(table, config[key], key);
            expect_kind(column, {ColumnKind::Number}, key);
            out = column.name;
        }
    };
    score("score_column", result.score_column);
    score("fit_column", result.fit_column);
    score("engagement_column", result.engagement_column);
    const bool scored = result.score_column || result.fit_column || result.engagement_column;
    if (config.contains("model") && !config["model"].is_null()) {
        if (!scored) {
            config_error("model", "a model without score columns",
                         "Name the column that holds the lead's score: {\"score_column\": "
                         "\"score\", \"model\": \"default\"}.");
        }
        result.model = expect_string(config["model"], "model");
    } else if (scored) {
        result.model = "default";
    }
    if (config.contains("sql_stage")) {
        const Stage stage = expect_stage(config["sql_stage"], "sql_stage");
        if (stage != Stage::Pql && stage != Stage::Sal && stage != Stage::Sql) {
            config_error("sql_stage",
                         "leads crossing the SQL threshold cannot be moved to " +
                             std::string(stage_label(stage)),
                         "Use pql, sal (the default: sales-ready, awaiting acceptance) or sql.");
        }
        result.sql_stage = stage;
    }
    if (config.contains("fit_attributes") && !config["fit_attributes"].is_null()) {
        const json& attributes = config["fit_attributes"];
        if (!scored) {
            config_error("fit_attributes", "fit attributes without score columns",
                         "Name the column rescore writes: {\"score_column\": \"score\"}.");
        }
        if (attributes.is_array() || attributes.is_object()) {
            check_entries(attributes, "fit_attributes", "fit attributes", limited);
        }
        if (attributes.is_array()) {  // ["title", "employees"]: attributes named as the columns
            for (std::size_t i = 0; i < attributes.size(); ++i) {
                stop_point();
                const std::string path = "fit_attributes[" + std::to_string(i) + "]";
                const ColumnShape& column = expect_column(table, attributes[i], path);
                result.fit_attributes.emplace_back(column.name, column.name);
            }
        } else if (attributes.is_object()) {  // {"title": "job_title"}
            for (const auto& [attribute, column_name] : attributes.items()) {
                stop_point();
                const std::string path = "fit_attributes." + attribute;
                result.fit_attributes.emplace_back(attribute,
                                                   expect_column(table, column_name, path).name);
            }
        } else {
            checker().wrong_type("fit_attributes", attributes, "an array or an object",
                                 R"(Example: ["title", "employees"] or {"title": "job_title"})");
        }
    }
    // An ENUM stage column needs values for the stages scores move leads to.
    if (scored && stage_column.kind == ColumnKind::Enum) {
        for (Stage needed : {Stage::Mql, result.sql_stage}) {
            bool found = false;
            for (const std::string& label : stage_column.enum_labels) {
                const LabelMatch match = resolver.resolve(label);
                found = found || (match.kind == LabelMatch::Kind::Stage && match.stage == needed);
            }
            if (!found) {
                config_error("stage_column",
                             "type " + stage_column.type_name + " has no value for stage " +
                                 std::string(stage_label(needed)) + ", which scores move leads to",
                             "Add a value to the type and map it in labels, or choose another "
                             "sql_stage.");
            }
        }
    }
}

}  // namespace

const ColumnShape* TableShape::find(std::string_view name) const {
    for (const ColumnShape& column : columns) {
        if (column.name == name) {
            return &column;
        }
    }
    return nullptr;
}

const std::vector<std::string>& default_reason_codes() {
    static const std::vector<std::string> codes = {
        "not_icp",      "no_budget",        "no_authority", "no_need",    "bad_timing",
        "unresponsive", "already_customer", "duplicate",    "competitor", "student",
    };
    return codes;
}

AttachmentConfig parse_attachment_config(std::string_view config_json, const TableShape& table,
                                         DocumentSource source) {
    const bool limited = source == DocumentSource::Definition;
    if (limited) {
        check_document_bytes(config_json, kMaxAttachConfigBytes, "leadscore.attach config",
                             "An attach config");
    }
    const json config = json::parse(config_json, nullptr, false);
    if (config.is_discarded() || !config.is_object()) {
        config_error("the top level", "expected a JSON object",
                     R"(Example: {"stage_column": "lifecyclestage", "stamps": {"mql": "mql_at"}})");
    }
    for (const auto& [key, value] : config.items()) {
        if (std::find(kKnownKeys.begin(), kKnownKeys.end(), key) == kKnownKeys.end()) {
            config_error(key, "unknown key " + quote_for_message(key),
                         "Known keys are " + known_keys_list() + ".");
        }
    }

    AttachmentConfig result;
    if (!config.contains("stage_column")) {
        config_error(
            "stage_column", "missing",
            "Name the column that holds the lifecycle stage: {\"stage_column\": \"...\"}.");
    }
    const ColumnShape& stage = expect_column(table, config["stage_column"], "stage_column");
    expect_kind(
        stage,
        {ColumnKind::Text, ColumnKind::Varchar, ColumnKind::Enum, ColumnKind::LifecycleStage},
        "stage_column");
    result.stage_column = stage.name;
    result.stage_kind = stage.kind;

    if (config.contains("key_column")) {
        result.key_column = expect_column(table, config["key_column"], "key_column").name;
    } else if (table.primary_key.size() == 1) {
        result.key_column = table.primary_key.front();
    } else {
        config_error("key_column",
                     table.primary_key.empty()
                         ? table.table_name + " has no primary key to default to"
                         : table.table_name + " has a multi-column primary key",
                     "Name the column that identifies a lead: {\"key_column\": \"...\"}.");
    }

    if (config.contains("labels")) {
        read_labels(config["labels"], result, limited);
    }
    if (stage.kind == ColumnKind::Enum) {
        check_enum_labels(stage, StageResolver(result.labels));
    }
    if (config.contains("stamps")) {
        read_stamps(config["stamps"], table, result);
    }
    if (config.contains("reason_column") && !config["reason_column"].is_null()) {
        const ColumnShape& reason = expect_column(table, config["reason_column"], "reason_column");
        expect_kind(reason, {ColumnKind::Text, ColumnKind::Varchar, ColumnKind::Enum},
                    "reason_column");
        result.reason_column = reason.name;
    }
    if (config.contains("mode")) {
        const std::string& mode = expect_string(config["mode"], "mode");
        if (mode != "enforce" && mode != "audit") {
            config_error("mode", "unknown mode " + quote_for_message(mode),
                         "Use \"enforce\" (refuse invalid changes) or \"audit\" (let them through "
                         "and record them as violations).");
        }
        result.mode = mode == "audit" ? AttachMode::Audit : AttachMode::Enforce;
    }
    result.reasons = default_reason_codes();
    if (config.contains("reasons")) {
        read_reasons(config["reasons"], result, limited);
    }
    read_scoring(config, table, StageResolver(result.labels), stage, result, limited);
    if (config.contains("sla") && !config["sla"].is_null()) {
        result.sla = parse_sla_config(config["sla"], table, source);
    }
    result.notify_channel = kDefaultHandoffChannel;
    if (config.contains("notify_channel")) {
        const json& channel = config["notify_channel"];
        if (channel.is_null()) {
            result.notify_channel.reset();
        } else {
            const std::string& name = expect_string(channel, "notify_channel");
            if (name.size() > 63) {
                config_error("notify_channel",
                             "channel name " + quote_for_message(name) + " is longer than 63 bytes",
                             "Use a shorter channel name, or null for no notifications.");
            }
            result.notify_channel = name;
        }
    }
    return result;
}

std::string normalised_json_to_store(const AttachmentConfig& config) {
    std::string normalised = normalised_json(config);
    check_document_bytes(normalised, kMaxAttachConfigBytes, "leadscore.attach config",
                         "An attach config", true);
    return normalised;
}

std::string normalised_json(const AttachmentConfig& config) {
    json out = json::object();
    out["stage_column"] = config.stage_column;
    out["key_column"] = config.key_column;
    json labels = json::object();
    for (const auto& [crm_label, stage] : config.labels) {
        stop_point();
        labels[crm_label] = stage_label(stage);
    }
    out["labels"] = labels;
    json stamps = json::object();
    for (Stage stage : kAllStages) {
        if (const auto& column = config.stamps[stage_code(stage)]) {
            stamps[std::string(stage_label(stage))] = *column;
        }
    }
    out["stamps"] = stamps;
    out["reason_column"] = config.reason_column ? json(*config.reason_column) : json(nullptr);
    out["mode"] = config.mode == AttachMode::Audit ? "audit" : "enforce";
    out["reasons"] = config.reasons;
    out["notify_channel"] = config.notify_channel ? json(*config.notify_channel) : json(nullptr);
    if (config.model) {  // written only when scoring is on, so 0.1 configs read back unchanged
        out["model"] = *config.model;
        out["score_column"] = config.score_column ? json(*config.score_column) : json(nullptr);
        out["fit_column"] = config.fit_column ? json(*config.fit_column) : json(nullptr);
        out["engagement_column"] =
            config.engagement_column ? json(*config.engagement_column) : json(nullptr);
        out["sql_stage"] = stage_label(config.sql_stage);
        json attributes = json::object();
        for (const auto& [attribute, column] : config.fit_attributes) {
            attributes[attribute] = column;
        }
        out["fit_attributes"] = attributes;
    }
    if (config.sla) {  // written only when SLAs are on, so earlier configs read back unchanged
        out["sla"] = sla_config_json(*config.sla);
    }
    return out.dump();
}

}  // namespace leadscore::core
