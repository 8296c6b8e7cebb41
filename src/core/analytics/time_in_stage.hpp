// Time in stage, as HubSpot's "time in stage" properties but from the stage
// history: for each stage a lead was in, how many times it entered, how long
// its latest stay lasted and how long all its stays lasted together.
//
// Each history row says "the lead entered `stage` at `at`" (no stage: it
// left the funnel). A stay lasts until the next row, or until `as_of` for
// the stage the lead is in; rows after `as_of` are ignored. Rows at the same
// instant are taken in the order given (the history's id order), so a stage
// passed through within one transaction gets a stay of zero.
#pragma once

#include <cstdint>
#include <vector>

namespace leadscore::core {

struct StageEntry {
    std::int64_t at;      // microseconds
    int stage;            // stage code, or -1 for "no stage"
    std::uint64_t order;  // position among rows at the same instant
};

struct StageTime {
    int stage;
    int entries;
    std::int64_t latest;      // microseconds of the latest stay
    std::int64_t cumulative;  // of all stays
    bool current;             // the lead is in it at as_of
};

// By stage code; `entries` is sorted in place.
std::vector<StageTime> time_in_stage(std::vector<StageEntry>& entries, std::int64_t as_of);

}  // namespace leadscore::core
