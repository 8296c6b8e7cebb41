#include "core/lifecycle/stage_change.hpp"

#include "core/common/ascii.hpp"

#include <algorithm>
#include <cstdio>

namespace leadscore::core {

namespace {

bool ascii_iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != b[i]) {  // codes in config.reasons are lowercase already
            return false;
        }
    }
    return true;
}

const std::string* find_reason(const AttachmentConfig& config, std::string_view reason) {
    for (const std::string& code : config.reasons) {
        if (ascii_iequal(reason, code)) {
            return &code;
        }
    }
    return nullptr;
}

void mark_stamps(std::array<bool, kStageCount>& stamp, Stage to) {
    if (!is_funnel_stage(to)) {
        stamp[stage_code(to)] = true;
        return;
    }
    for (Stage stage : kAllStages) {
        if (is_funnel_stage(stage) && stage <= to) {
            stamp[stage_code(stage)] = true;
        }
    }
}

void refuse(ChangeVerdict& verdict, const char* text) {
    verdict.violation = true;
    std::snprintf(verdict.why, sizeof verdict.why, "%s", text);
}

}  // namespace

ChangeVerdict judge_change(const AttachmentConfig& config, const StageChange& change) noexcept {
    ChangeVerdict verdict;
    verdict.changed = change.from != change.to;
    verdict.reason = change.reason;
    if (!verdict.changed) {
        return verdict;
    }
    if (change.to) {
        mark_stamps(verdict.stamp, *change.to);
    }
    const Transition move{change.from, change.to};
    if (!transition_allowed(move)) {
        verdict.violation = true;
        describe_refusal(move, verdict.why, sizeof verdict.why);
        return verdict;
    }
    const bool leaves_funnel =
        change.to && !is_funnel_stage(*change.to) && !change.is_insert && change.from;
    if (!change.reason.empty()) {
        if (const std::string* code = find_reason(config, change.reason)) {
            verdict.reason = *code;
        } else if (leaves_funnel) {
            char text[sizeof verdict.why];
            std::snprintf(text, sizeof text,
                          "reason \"%.*s\" is not one of the attachment's reason codes",
                          static_cast<int>(std::min<std::size_t>(change.reason.size(), 64)),
                          change.reason.data());
            refuse(verdict, text);
        }
    } else if (leaves_funnel) {
        char text[sizeof verdict.why];
        const std::string_view to = stage_label(*change.to);
        std::snprintf(text, sizeof text, "a move into %.*s needs a reason",
                      static_cast<int>(to.size()), to.data());
        refuse(verdict, text);
    }
    return verdict;
}

}  // namespace leadscore::core
