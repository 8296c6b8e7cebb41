// The default transition policy between lifecycle stages, as a table.
#pragma once

#include <cstddef>
#include <optional>

#include "core/stage/stage.hpp"

namespace leadscore::core {

// Why a transition is allowed or refused. Every cell of the policy matrix
// holds one of these.
enum class TransitionRule : unsigned char {
    Unchanged,            // from == to: not a change at all
    Forward,              // later funnel stage, skips included (lead -> sql)
    LeaveFunnel,          // any move into recycled or disqualified
    Reenter,              // recycled -> lead or mql
    Reactivate,           // disqualified -> lead
    BackwardInFunnel,     // refused: earlier funnel stage
    CustomerIsFinal,      // refused: customer never moves backward
    RecycledReentry,      // refused: recycled re-enters only at lead or mql
    DisqualifiedReentry,  // refused: disqualified goes back only to lead
};

constexpr bool is_allowed(TransitionRule rule) noexcept {
    return rule <= TransitionRule::Reactivate;
}

// The policy cell for a move between two stages.
TransitionRule transition_rule(Stage from, Stage to) noexcept;

// With NULLs: NULL -> anything is a first assignment and allowed; clearing a
// stage (stage -> NULL) is refused.
struct Transition {
    std::optional<Stage> from;
    std::optional<Stage> to;
};

bool transition_allowed(const Transition& move) noexcept;

// Writes why `move` is refused into `out` (NUL-terminated, truncated to
// `capacity`) and returns its length, or returns 0 and writes nothing when the
// move is allowed. Takes a caller's buffer so that callers on the PostgreSQL
// side have no C++ object alive when they copy the text out.
std::size_t describe_refusal(const Transition& move, char* out, std::size_t capacity) noexcept;

// Room enough for any refusal message.
inline constexpr std::size_t kRefusalCapacity = 256;

}  // namespace leadscore::core
