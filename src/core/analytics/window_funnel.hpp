// Window funnels with the semantics of ClickHouse's windowFunnel: the
// deepest step reached by a chain of events whose steps come in order and
// all fall within `window` of the chain's first step.
//
// The state keeps one entry per row that matched at least one step (and, in
// strict_order mode, per row that matched none, since such a row breaks a
// chain): 16 bytes each in memory, 12 serialised. The result is computed at the end, after sorting,
// so it does not depend on the order rows arrive in.
//
// Rows are ordered by time; a row that matches several steps counts as
// several events at the same time, taken in step order (so one row can both
// start and continue a chain, unless strict_once). Rows with equal times
// are taken together, step 1 entries first, then step 2 entries, and so on:
// a step-2 row at the same instant as a step-1 row continues its chain
// (unless strict_increase).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace leadscore::core {

inline constexpr int kMaxFunnelSteps = 32;
// A group may hold at most this many rows (160 MB of state).
inline constexpr std::size_t kMaxFunnelRows = 10'000'000;

struct FunnelModes {
    bool strict_deduplication = false;  // a step repeated in a chain ends the search
    bool strict_order = false;          // no other event may come between the steps
    bool strict_increase = false;       // steps at strictly increasing times
    bool strict_once = false;           // a row counts for one step of a chain only
    bool allow_reentry = false;         // with strict_order: ignore out-of-order steps

    bool operator==(const FunnelModes& other) const;
};

// "strict_order, strict_increase": names separated by commas, blanks
// ignored, any order; "" is the default mode. core::Error 22023 naming the
// unknown mode otherwise.
FunnelModes parse_funnel_modes(std::string_view text);

// One row of a group: its time (microseconds) and the steps it matched
// (bit i for step i + 1; 0 for a row that matched none).
struct FunnelRow {
    std::int64_t time;
    std::uint32_t steps;
};

// The deepest step reached (0 to `step_count`) and, for window_funnel_times,
// the times of the steps of the first chain (in time) that reached it.
struct FunnelResult {
    int level = 0;
    std::vector<std::int64_t> times;
};

// What a group's rows are evaluated with; every row of a group must agree.
struct FunnelSettings {
    int step_count = 0;
    std::int64_t window = 0;  // microseconds, positive
    FunnelModes modes;

    bool operator==(const FunnelSettings& other) const {
        return step_count == other.step_count && window == other.window && modes == other.modes;
    }
};

// The serialised state: a 32-byte header ("LSWF", steps, modes, window,
// row count), then 12 bytes per row (time, steps).
inline constexpr std::size_t kFunnelHeaderSize = 32;
inline constexpr std::size_t kFunnelRowSize = 12;
std::size_t serialized_funnel_size(std::size_t rows);
void serialize_funnel(const FunnelSettings& settings, const FunnelRow* rows, std::size_t count,
                      char* out);
// Checks every byte (core::Error 22P03 naming what is wrong) and returns the
// settings; `count` receives the number of rows, read with serialized_funnel_row.
FunnelSettings read_serialized_funnel(const char* bytes, std::size_t size, std::size_t& count);
FunnelRow serialized_funnel_row(const char* bytes, std::size_t index);

// What evaluate_funnel computes: window_funnel needs the level only, and
// keeping each chain's step times would cost it a copy per step.
enum class FunnelOutput { kLevel, kLevelAndTimes };

// Sorts the `count` rows at `rows` in place (any order in, by time and
// steps out) and scans them.
FunnelResult evaluate_funnel(FunnelRow* rows, std::size_t count, int step_count,
                             std::int64_t window, const FunnelModes& modes, FunnelOutput output);

}  // namespace leadscore::core
