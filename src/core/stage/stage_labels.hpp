// Reading stage labels as users write them: canonical labels, and the names
// HubSpot, Salesforce, Marketo and common usage give the same stages.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include "core/stage/stage.hpp"

namespace leadscore::core {

// One entry of the label table. `stage` is empty for labels that are rejected
// as ambiguous; `note` says where the spelling comes from, or why it is
// ambiguous.
struct StageLabel {
    std::string_view spelling;
    std::optional<Stage> stage;
    std::string_view note;
};

// Every accepted alias and every label rejected as ambiguous, canonical labels
// first, in the order the documentation lists them.
const std::vector<StageLabel>& stage_label_table();

// Matching ignores surrounding whitespace, ASCII case, and the separators
// space, hyphen and underscore, so "Marketing Qualified Lead",
// "marketing_qualified_lead" and HubSpot's "marketingqualifiedlead" are one
// label. Labels longer than this (after trimming) never match.
inline constexpr std::size_t kMaxLabelLength = 64;

// `text` without surrounding blanks (space, tab, CR, LF, FF, VT).
std::string_view trim_blanks(std::string_view text) noexcept;

// The matching key of `text` (trimmed, lowercase, separators dropped), written
// into `buffer`; nothing when the trimmed text is empty or too long.
std::optional<std::string_view> label_matching_key(std::string_view text,
                                                   std::array<char, kMaxLabelLength>& buffer);

struct LabelMatch {
    enum class Kind { Stage, Unknown, Ambiguous };
    Kind kind;
    Stage stage;              // valid when kind == Stage
    const StageLabel* entry;  // the matching table entry, null when Unknown
};

// Allocates only on its first call, when it builds its index (which may throw
// std::bad_alloc); after that it neither allocates nor throws.
LabelMatch match_stage_label(std::string_view text);

// As match_stage_label, but throws Error(22P02) naming the label, with a hint
// listing the valid labels, for unknown, empty and ambiguous labels.
Stage parse_stage_label(std::string_view text);

}  // namespace leadscore::core
