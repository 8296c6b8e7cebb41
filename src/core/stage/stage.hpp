// The lifecycle stages and their order.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace leadscore::core {

// Side stages first, then the funnel, so that `stage >= mql` means "reached MQL
// in the funnel". The numeric value is the on-disk and binary wire code: it is
// part of the storage format and must never be renumbered.
enum class Stage : std::uint8_t {
    Disqualified = 0,
    Recycled = 1,
    Visitor = 2,
    Lead = 3,
    Mql = 4,
    Pql = 5,
    Sal = 6,
    Sql = 7,
    Opportunity = 8,
    Customer = 9,
};

inline constexpr std::size_t kStageCount = 10;

inline constexpr std::array<Stage, kStageCount> kAllStages = {
    Stage::Disqualified, Stage::Recycled, Stage::Visitor, Stage::Lead,        Stage::Mql,
    Stage::Pql,          Stage::Sal,      Stage::Sql,     Stage::Opportunity, Stage::Customer,
};

constexpr std::uint8_t stage_code(Stage stage) noexcept {
    return static_cast<std::uint8_t>(stage);
}

// 1 for disqualified ... 10 for customer: the position in the sort order.
constexpr int stage_rank(Stage stage) noexcept {
    return stage_code(stage) + 1;
}

// Visitor through customer; recycled and disqualified are side stages.
constexpr bool is_funnel_stage(Stage stage) noexcept {
    return stage >= Stage::Visitor;
}

// The stage stored under `code`, or nothing when the code is out of range
// (a corrupted datum, or a binary value from a newer version).
constexpr std::optional<Stage> stage_from_code(unsigned code) noexcept {
    if (code >= kStageCount) {
        return std::nullopt;
    }
    return static_cast<Stage>(code);
}

// The canonical lowercase label, e.g. "mql".
std::string_view stage_label(Stage stage) noexcept;

// Throws Error(XX001) when `code` is not a stage: used where a stored value is
// read back, so a corrupted byte is reported instead of indexing out of range.
Stage stage_from_stored_code(unsigned code);

// Parses the one-byte binary representation; throws Error(22P03) on a wrong
// length or an out-of-range code.
Stage stage_from_binary(const unsigned char* bytes, std::size_t length);

}  // namespace leadscore::core
