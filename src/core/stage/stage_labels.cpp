#include "core/stage/stage_labels.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "core/common/ascii.hpp"
#include "core/common/error.hpp"
#include "core/common/quote.hpp"

namespace leadscore::core {

namespace {

constexpr bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

constexpr bool is_separator(char c) {
    return c == ' ' || c == '-' || c == '_';
}

}  // namespace

std::string_view trim_blanks(std::string_view text) noexcept {
    while (!text.empty() && is_blank(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_blank(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

namespace {

// Writes the matching key of `trimmed` (lowercase, separators dropped) into
// `out` and returns its length. `out` holds kMaxLabelLength characters.
std::size_t matching_key(std::string_view trimmed, char* out) {
    std::size_t length = 0;
    for (char c : trimmed) {
        if (!is_separator(c)) {
            out[length++] = ascii_lower(c);
        }
    }
    return length;
}

std::string matching_key(std::string_view spelling) {
    std::array<char, kMaxLabelLength> buffer{};
    return std::string(label_matching_key(spelling, buffer).value_or(""));
}

const std::vector<StageLabel> kTable = {
    {"disqualified", Stage::Disqualified, "canonical"},
    {"recycled", Stage::Recycled, "canonical"},
    {"visitor", Stage::Visitor, "canonical"},
    {"lead", Stage::Lead, "canonical"},
    {"mql", Stage::Mql, "canonical"},
    {"pql", Stage::Pql, "canonical"},
    {"sal", Stage::Sal, "canonical"},
    {"sql", Stage::Sql, "canonical"},
    {"opportunity", Stage::Opportunity, "canonical"},
    {"customer", Stage::Customer, "canonical"},

    {"DQ", Stage::Disqualified, "common abbreviation"},
    {"Unqualified", Stage::Disqualified, "Salesforce lead status (Lightning lead path)"},
    {"Recycle", Stage::Recycled, "Marketo revenue cycle model"},
    {"Nurture", Stage::Recycled, "Marketo, common usage"},
    {"Nurturing", Stage::Recycled, "Salesforce lead status (Lightning lead path), Marketo"},
    {"Anonymous", Stage::Visitor, "Marketo revenue cycle model"},
    {"Website Visitor", Stage::Visitor, "common usage"},
    {"Subscriber", Stage::Lead, "HubSpot (internal value subscriber)"},
    {"Known", Stage::Lead, "Marketo revenue cycle model"},
    {"Inquiry", Stage::Lead, "SiriusDecisions demand waterfall"},
    {"Marketing Qualified Lead", Stage::Mql,
     "HubSpot (internal value marketingqualifiedlead), Salesforce, Marketo"},
    {"Marketing Qualified", Stage::Mql, "common usage"},
    {"Product Qualified Lead", Stage::Pql, "product-led growth usage"},
    {"Product Qualified", Stage::Pql, "common usage"},
    {"Sales Accepted Lead", Stage::Sal, "Salesforce, Marketo, SiriusDecisions"},
    {"Sales Accepted", Stage::Sal, "common usage"},
    {"Sales Qualified Lead", Stage::Sql,
     "HubSpot (internal value salesqualifiedlead), Salesforce, Marketo"},
    {"Sales Qualified", Stage::Sql, "common usage"},
    {"Opp", Stage::Opportunity, "common abbreviation"},
    {"Sales Opportunity", Stage::Opportunity, "common usage"},
    {"Evangelist", Stage::Customer, "HubSpot (internal value evangelist)"},
    {"Closed Won", Stage::Customer, "Salesforce opportunity stage"},

    {"Other", std::nullopt, "HubSpot's 'other' stage has no canonical counterpart."},
    {"Qualified", std::nullopt, "It could mean mql or sql."},
    {"Rejected", std::nullopt, "It could mean recycled or disqualified."},
    {"Closed", std::nullopt, "It could mean customer (won) or disqualified (lost)."},
    {"Prospect", std::nullopt, "It means lead in some CRMs and sal in others."},
    {"Closed - Converted", std::nullopt,
     "A Salesforce lead status: converted to an opportunity, a contact or an account."},
    {"Closed - Not Converted", std::nullopt,
     "A Salesforce lead status that could mean recycled or disqualified."},
};

struct KeyedEntry {
    std::string key;
    const StageLabel* entry;
};

// The table sorted by matching key, built once, for binary search.
const std::vector<KeyedEntry>& keyed_table() {
    static const std::vector<KeyedEntry> keyed = [] {
        std::vector<KeyedEntry> entries;
        entries.reserve(kTable.size());
        for (const StageLabel& label : kTable) {
            entries.push_back({matching_key(label.spelling), &label});
        }
        std::sort(entries.begin(), entries.end(),
                  [](const KeyedEntry& a, const KeyedEntry& b) { return a.key < b.key; });
        return entries;
    }();
    return keyed;
}

std::string valid_labels_hint() {
    std::string hint = "Valid labels are ";
    for (Stage stage : kAllStages) {
        hint += std::string(stage_label(stage)) + (stage == Stage::Customer ? "" : ", ");
    }
    hint +=
        " (case and blanks do not matter); aliases such as 'Marketing Qualified Lead' or "
        "HubSpot's 'subscriber' are listed by leadscore.stage_labels().";
    return hint;
}

}  // namespace

const std::vector<StageLabel>& stage_label_table() {
    return kTable;
}

std::optional<std::string_view> label_matching_key(std::string_view text,
                                                   std::array<char, kMaxLabelLength>& buffer) {
    const std::string_view trimmed = trim_blanks(text);
    if (trimmed.empty() || trimmed.size() > kMaxLabelLength) {
        return std::nullopt;
    }
    return std::string_view(buffer.data(), matching_key(trimmed, buffer.data()));
}

LabelMatch match_stage_label(std::string_view text) {
    std::array<char, kMaxLabelLength> buffer;
    const std::optional<std::string_view> maybe_key = label_matching_key(text, buffer);
    if (!maybe_key) {
        return {LabelMatch::Kind::Unknown, Stage::Lead, nullptr};
    }
    const std::string_view key = *maybe_key;

    const auto& keyed = keyed_table();
    const auto found = std::lower_bound(
        keyed.begin(), keyed.end(), key,
        [](const KeyedEntry& entry, std::string_view wanted) { return entry.key < wanted; });
    if (found == keyed.end() || found->key != key) {
        return {LabelMatch::Kind::Unknown, Stage::Lead, nullptr};
    }
    if (!found->entry->stage) {
        return {LabelMatch::Kind::Ambiguous, Stage::Lead, found->entry};
    }
    return {LabelMatch::Kind::Stage, *found->entry->stage, found->entry};
}

Stage parse_stage_label(std::string_view text) {
    const LabelMatch match = match_stage_label(text);
    switch (match.kind) {
        case LabelMatch::Kind::Stage:
            return match.stage;
        case LabelMatch::Kind::Ambiguous:
            throw Error(sqlstate::kInvalidTextRepresentation,
                        "ambiguous lifecycle_stage label " + quote_for_message(text),
                        valid_labels_hint() +
                            " Map CRM-specific labels to a stage explicitly (a CASE "
                            "expression or a lookup table) before the cast.",
                        std::string(match.entry->note));
        case LabelMatch::Kind::Unknown:
            break;
    }
    throw Error(sqlstate::kInvalidTextRepresentation,
                "invalid input value for lifecycle_stage: " + quote_for_message(text),
                valid_labels_hint(),
                trim_blanks(text).empty() ? "The label is empty." : std::string());
}

}  // namespace leadscore::core
