// What happens when a row's stage changes: is it allowed, does it need a
// reason, which first-reach stamps does it fill.
#pragma once

#include <array>
#include <optional>
#include <string_view>

#include "core/lifecycle/attachment.hpp"
#include "core/stage/transition_policy.hpp"

namespace leadscore::core {

struct StageChange {
    std::optional<Stage> from;  // OLD row's stage; nothing on INSERT or when NULL
    std::optional<Stage> to;    // NEW row's stage
    bool is_insert = false;
    // The reason given for the change (reason column or leadscore.reason),
    // trimmed; empty when none was given.
    std::string_view reason;
};

struct ChangeVerdict {
    bool changed = false;    // from and to differ
    bool violation = false;  // the policy or the reason rule refuses it
    // Why it is refused (NUL-terminated; empty when not a violation).
    char why[kRefusalCapacity + 128] = {};
    // The reason code to record: the matching entry of config.reasons, or the
    // reason as given; empty when none.
    std::string_view reason;
    // Stages whose stamp column is to be filled if it is still NULL.
    std::array<bool, kStageCount> stamp = {};
};

// Moves into recycled or disqualified (not INSERTs: an import may bring
// leads that were disqualified long ago) need a reason from config.reasons.
// Stamps: entering a funnel stage fills the stamps of every mapped funnel
// stage up to it (a jump from lead to sql fills mql_at too); entering a side
// stage fills that stage's stamp.
ChangeVerdict judge_change(const AttachmentConfig& config, const StageChange& change) noexcept;

}  // namespace leadscore::core
