#include "core/stage/transition_policy.hpp"

#include <array>
#include <cstdio>
#include <string_view>

namespace leadscore::core {

namespace {

using R = TransitionRule;

// Rows: from; columns: to; both in sort order
// (disqualified, recycled, visitor, lead, mql, pql, sal, sql, opportunity, customer).
// The README prints this matrix; a unit test keeps the two in step.
constexpr R F = R::Forward, L = R::LeaveFunnel, U = R::Unchanged, B = R::BackwardInFunnel,
            C = R::CustomerIsFinal, N = R::Reenter, A = R::Reactivate, X = R::RecycledReentry,
            D = R::DisqualifiedReentry;

constexpr std::array<std::array<R, kStageCount>, kStageCount> kPolicy = {{
    //   dq rec vis lead mql pql sal sql opp cust
    {{U, D, D, A, D, D, D, D, D, D}},  // disqualified
    {{L, U, X, N, N, X, X, X, X, X}},  // recycled
    {{L, L, U, F, F, F, F, F, F, F}},  // visitor
    {{L, L, B, U, F, F, F, F, F, F}},  // lead
    {{L, L, B, B, U, F, F, F, F, F}},  // mql
    {{L, L, B, B, B, U, F, F, F, F}},  // pql
    {{L, L, B, B, B, B, U, F, F, F}},  // sal
    {{L, L, B, B, B, B, B, U, F, F}},  // sql
    {{L, L, B, B, B, B, B, B, U, F}},  // opportunity
    {{C, C, C, C, C, C, C, C, C, U}},  // customer
}};

const char* reason(R rule) noexcept {
    switch (rule) {
        case R::BackwardInFunnel:
            return "a lead leaves the funnel backward only into recycled or disqualified";
        case R::CustomerIsFinal:
            return "a customer never moves backward";
        case R::RecycledReentry:
            return "a recycled lead re-enters the funnel at lead or mql";
        case R::DisqualifiedReentry:
            return "a disqualified lead can only be reactivated to lead";
        default:
            return "";
    }
}

// snprintf's result, limited to what it actually wrote into `capacity` bytes.
std::size_t written_length(int written, std::size_t capacity) noexcept {
    if (written < 0 || capacity == 0) {
        return 0;
    }
    return static_cast<std::size_t>(written) < capacity ? static_cast<std::size_t>(written)
                                                        : capacity - 1;
}

}  // namespace

TransitionRule transition_rule(Stage from, Stage to) noexcept {
    return kPolicy[stage_code(from)][stage_code(to)];
}

bool transition_allowed(const Transition& move) noexcept {
    if (!move.from) {
        return true;
    }
    if (!move.to) {
        return false;
    }
    return is_allowed(transition_rule(*move.from, *move.to));
}

std::size_t describe_refusal(const Transition& move, char* out, std::size_t capacity) noexcept {
    if (transition_allowed(move)) {
        return 0;
    }
    const std::string_view from = stage_label(*move.from);
    if (!move.to) {
        return written_length(
            std::snprintf(out, capacity,
                          "cannot clear the stage of a lead at %.*s: a stage, once "
                          "set, can only move to another stage",
                          static_cast<int>(from.size()), from.data()),
            capacity);
    }
    const std::string_view to = stage_label(*move.to);
    return written_length(
        std::snprintf(out, capacity, "transition from %.*s to %.*s is not allowed: %s",
                      static_cast<int>(from.size()), from.data(), static_cast<int>(to.size()),
                      to.data(), reason(transition_rule(*move.from, *move.to))),
        capacity);
}

}  // namespace leadscore::core
