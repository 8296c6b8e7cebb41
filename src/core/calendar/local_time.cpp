#include "core/calendar/local_time.hpp"

#include <algorithm>

namespace leadscore::core {

namespace {

constexpr std::int64_t kMicrosPerSecond = 1000000;
constexpr std::int64_t kSecondsPerDay = 86400;

std::int64_t floor_seconds(Micros micros) {
    return micros / kMicrosPerSecond - (micros % kMicrosPerSecond < 0 ? 1 : 0);
}

}  // namespace

Micros instant_to_local(const TimeZoneRules& zone, Micros instant) {
    return instant + zone.offset_at(floor_seconds(instant)) * kMicrosPerSecond;
}

// Offsets change at most a few times a year and transitions fall on whole
// seconds, so the offsets a day before and a day after `local` are the only
// candidates; a candidate instant is right when the zone agrees with the
// offset it assumed.
Micros local_to_instant(const TimeZoneRules& zone, Micros local) {
    const std::int64_t local_seconds = floor_seconds(local);
    const std::int64_t earlier = zone.offset_at(local_seconds - kSecondsPerDay);
    const std::int64_t later = zone.offset_at(local_seconds + kSecondsPerDay);
    bool found = false;
    Micros first = 0;
    for (const std::int64_t offset : {earlier, later}) {
        const Micros candidate = local - offset * kMicrosPerSecond;
        if (zone.offset_at(floor_seconds(candidate)) == offset && (!found || candidate < first)) {
            first = candidate;
            found = true;
        }
    }
    if (found) {
        return first;
    }
    // In a gap: the wall clock jumps over `local` at the transition, the
    // first second whose local time is past it; binary search between the
    // instants `local` would be under either offset.
    std::int64_t low = local_seconds - std::max(earlier, later);
    std::int64_t high = local_seconds - std::min(earlier, later);
    while (low < high) {
        const std::int64_t middle = low + (high - low) / 2;
        if (middle + zone.offset_at(middle) >= local_seconds) {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    return low * kMicrosPerSecond;
}

}  // namespace leadscore::core
