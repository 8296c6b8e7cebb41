// What happens to a lead's SLA clocks when its stage changes: which clocks
// close and with what status, which policies start a clock and whether the
// row already meets it. Pure decisions; the glue reads the row and the open
// clocks and writes leadscore.sla_clocks.
#pragma once

#include <optional>
#include <string_view>

#include "core/calendar/local_time.hpp"
#include "core/sla/sla_config.hpp"

namespace leadscore::core {

enum class ClockStatus { Running, Warned, Met, MetLate, Breached, Cancelled };

// The label stored in sla_clocks.status, and back (nothing for another).
std::string_view clock_status_label(ClockStatus status) noexcept;
std::optional<ClockStatus> clock_status_from_label(std::string_view label) noexcept;

// Whether a clock in this status still counts against its due time.
bool is_running(ClockStatus status) noexcept;

// The policy named `name` among the config's, or nullptr (a clock started
// under an earlier attach config whose policy is gone).
const SlaPolicy* find_policy(const SlaConfig& config, std::string_view name) noexcept;

// When an open clock of `policy` is met as the lead leaves the clock's
// stage for `to` (nothing: the lead left for no stage): at `now` when `to`
// is one of the policy's leaves_for stages; at the met column's timestamp
// when the row holds one that is not earlier than the clock's start.
std::optional<Micros> met_on_leaving(const SlaPolicy* policy, std::optional<Stage> to,
                                     std::optional<Micros> column_value, Micros started,
                                     Micros now) noexcept;

// The status a clock closes with when its lead leaves the stage: met or
// met_late when met, breached when it already was or is past due (swept or
// not), else cancelled.
ClockStatus closing_status(std::optional<Micros> met, Micros due, bool was_breached,
                           Micros now) noexcept;

// A clock starting at `started` for a column policy is met at once when the
// row already holds a timestamp not earlier than the start (a recycled
// lead's old first contact does not count).
std::optional<Micros> met_at_start(const SlaPolicy& policy, std::optional<Micros> column_value,
                                   Micros started) noexcept;

// The status of a clock that starts: running, or met/met_late when met.
ClockStatus starting_status(std::optional<Micros> met, Micros due) noexcept;

// When an open clock of `policy` is met by its column being set to a new
// non-NULL value: at the value when it is a timestamp, else at `now` (or the
// start, for a clock that starts in the future); nothing when the time is
// before the clock's start (an old contact date meets no new clock).
std::optional<Micros> met_by_column_set(std::optional<Micros> column_time, Micros started,
                                        Micros now) noexcept;

}  // namespace leadscore::core
