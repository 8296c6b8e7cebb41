// Handoff notifications: the JSON payload sent on entering mql or sql.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "core/stage/stage.hpp"

namespace leadscore::core {

// Entering these stages hands the lead over (marketing -> sales).
constexpr bool is_handoff_stage(Stage stage) noexcept {
    return stage == Stage::Mql || stage == Stage::Sql;
}

struct Handoff {
    std::string_view table;
    std::string_view key;
    std::optional<Stage> from;
    Stage to;
    std::string_view at;  // ISO 8601 timestamp
};

// PostgreSQL's NOTIFY payload limit, terminating NUL included.
inline constexpr std::size_t kNotifyPayloadCapacity = 8000;

// Writes {"table":..,"key":..,"from":..,"to":..,"at":..} into `out`
// (NUL-terminated) and returns its length. A key too long for the payload is
// cut (at a character boundary) and the payload says so with "key_truncated".
std::size_t format_handoff(const Handoff& handoff, char* out, std::size_t capacity);

}  // namespace leadscore::core
