#include "core/sla/sla_clock.hpp"

#include <algorithm>

namespace leadscore::core {

std::string_view clock_status_label(ClockStatus status) noexcept {
    switch (status) {
        case ClockStatus::Running:
            return "running";
        case ClockStatus::Warned:
            return "warned";
        case ClockStatus::Met:
            return "met";
        case ClockStatus::MetLate:
            return "met_late";
        case ClockStatus::Breached:
            return "breached";
        case ClockStatus::Cancelled:
            return "cancelled";
    }
    return "cancelled";
}

std::optional<ClockStatus> clock_status_from_label(std::string_view label) noexcept {
    for (ClockStatus status :
         {ClockStatus::Running, ClockStatus::Warned, ClockStatus::Met, ClockStatus::MetLate,
          ClockStatus::Breached, ClockStatus::Cancelled}) {
        if (clock_status_label(status) == label) {
            return status;
        }
    }
    return std::nullopt;
}

bool is_running(ClockStatus status) noexcept {
    return status == ClockStatus::Running || status == ClockStatus::Warned;
}

const SlaPolicy* find_policy(const SlaConfig& config, std::string_view name) noexcept {
    for (const SlaPolicy& policy : config.policies) {
        if (std::string_view(policy.name) == name) {
            return &policy;
        }
    }
    return nullptr;
}

std::optional<Micros> met_on_leaving(const SlaPolicy* policy, std::optional<Stage> to,
                                     std::optional<Micros> column_value, Micros started,
                                     Micros now) noexcept {
    if (policy == nullptr) {
        return std::nullopt;
    }
    if (policy->met_by == SlaMetBy::LeavesFor && to &&
        std::find(policy->leaves_for.begin(), policy->leaves_for.end(), *to) !=
            policy->leaves_for.end()) {
        return now;
    }
    if (policy->met_by == SlaMetBy::Column && column_value && *column_value >= started) {
        return column_value;
    }
    return std::nullopt;
}

ClockStatus closing_status(std::optional<Micros> met, Micros due, bool was_breached,
                           Micros now) noexcept {
    if (met) {
        return *met <= due ? ClockStatus::Met : ClockStatus::MetLate;
    }
    return was_breached || due < now ? ClockStatus::Breached : ClockStatus::Cancelled;
}

std::optional<Micros> met_at_start(const SlaPolicy& policy, std::optional<Micros> column_value,
                                   Micros started) noexcept {
    if (policy.met_by == SlaMetBy::Column && column_value && *column_value >= started) {
        return column_value;
    }
    return std::nullopt;
}

ClockStatus starting_status(std::optional<Micros> met, Micros due) noexcept {
    if (!met) {
        return ClockStatus::Running;
    }
    return *met <= due ? ClockStatus::Met : ClockStatus::MetLate;
}

std::optional<Micros> met_by_column_set(std::optional<Micros> column_time, Micros started,
                                        Micros now) noexcept {
    const Micros met = column_time ? *column_time : std::max(now, started);
    return met >= started ? std::optional<Micros>(met) : std::nullopt;
}

}  // namespace leadscore::core
