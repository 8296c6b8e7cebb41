#include "core/analytics/time_in_stage.hpp"

#include <algorithm>
#include <map>

namespace leadscore::core {

std::vector<StageTime> time_in_stage(std::vector<StageEntry>& entries, std::int64_t as_of) {
    std::sort(entries.begin(), entries.end(), [](const StageEntry& a, const StageEntry& b) {
        return a.at != b.at ? a.at < b.at : a.order < b.order;
    });
    std::map<int, StageTime> by_stage;
    for (std::size_t i = 0; i < entries.size() && entries[i].at <= as_of; ++i) {
        if (entries[i].stage < 0) {
            continue;
        }
        const bool last = i + 1 == entries.size() || entries[i + 1].at > as_of;
        const std::int64_t end = last ? as_of : entries[i + 1].at;
        StageTime& time =
            by_stage.try_emplace(entries[i].stage, StageTime{entries[i].stage, 0, 0, 0, false})
                .first->second;
        // A row that repeats the stage the lead is already in continues its stay.
        const bool continues = i > 0 && entries[i - 1].stage == entries[i].stage;
        if (!continues) {
            ++time.entries;
            time.latest = 0;
        }
        time.latest += end - entries[i].at;
        time.cumulative += end - entries[i].at;
        time.current = last;
    }
    std::vector<StageTime> out;
    for (const auto& [stage, time] : by_stage) {
        out.push_back(time);
    }
    return out;
}

}  // namespace leadscore::core
