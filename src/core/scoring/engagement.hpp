// Engagement: points for what a lead did, after decay, caps, frequency rules
// and the inactivity penalty, computed as an aggregate over its events.
//
// The aggregate state is one flat block of plain data whose size depends on
// the model only (a counter per event type and per frequency rule, a sum per
// decaying event type), never on the number of events: the glue pallocs it in the
// aggregate's memory context and ships it between parallel workers as bytes.
// Each event's decayed points are rounded to a millionth of a point and
// summed as integers, so the result does not depend on the order the events
// arrive in or on how the work was split between workers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/scoring/scoring_model.hpp"

namespace leadscore::core {

// Changes with every layout change, so that a state written by another build
// (a worker that loaded a newer library) is refused, never misread.
inline constexpr std::uint32_t kEngagementStateMagic = 0x4C534533;  // "LSE3"
inline constexpr Micros kNoActivity = INT64_MIN;

// The state in memory is as small as the model allows, since a GROUP BY over
// a million leads keeps a million of them and hash aggregation is bound by
// how many cache lines each event touches: the default model's is 56 bytes.
// Its layout:
//   EngagementStateHeader (20 bytes: as_of, last_activity, ignored)
//   uint32 counts[events]        events of each type
//   uint32 frequency[frequency]  events each frequency rule counted
//   int64 decayed[decayed_slots] 8-aligned: decayed points, in millionths,
//                                of the types whose group decays
// A type without decay needs no sum: count x points is its total. Counts are
// 32 bits: more than 4,294,967,295 events of one type in one group is an
// error (22003); the frequency and ignored counters saturate there instead,
// since they only compare with at_least (at most 10^9) or inform.
struct EngagementStateHeader {
    Micros as_of;
    Micros last_activity;   // kNoActivity: none
    std::uint32_t ignored;  // events of unknown type, in the future or with NULLs
};
inline constexpr std::size_t kEngagementCountsOffset = 20;
static_assert(offsetof(EngagementStateHeader, ignored) + sizeof(std::uint32_t) ==
              kEngagementCountsOffset);

std::size_t engagement_state_size(const EngagementModel& model);

// Where the parts of a block start, from the model's shape; the one
// definition of the layout above.
constexpr std::size_t engagement_frequency_offset(std::size_t event_count) {
    return kEngagementCountsOffset + event_count * sizeof(std::uint32_t);
}
constexpr std::size_t engagement_decayed_offset(std::size_t event_count,
                                                std::size_t frequency_count) {
    return (engagement_frequency_offset(event_count) + frequency_count * sizeof(std::uint32_t) +
            7) &
           ~std::size_t{7};
}

// A typed view of a state block of `model`.
class EngagementState {
  public:
    EngagementState(void* block, const EngagementModel& model)
        : block_(static_cast<char*>(block)),
          frequency_offset_(engagement_frequency_offset(model.events.size())),
          decayed_offset_(engagement_decayed_offset(model.events.size(), model.frequency.size())) {}

    EngagementStateHeader& header() const {
        return *reinterpret_cast<EngagementStateHeader*>(block_);
    }
    std::uint32_t* counts() const {
        return reinterpret_cast<std::uint32_t*>(block_ + kEngagementCountsOffset);
    }
    std::uint32_t* frequency() const {
        return reinterpret_cast<std::uint32_t*>(block_ + frequency_offset_);
    }
    Micropoints* decayed() const {
        return reinterpret_cast<Micropoints*>(block_ + decayed_offset_);
    }

  private:
    char* block_;
    std::size_t frequency_offset_;
    std::size_t decayed_offset_;
};

// Fills a zeroed block of engagement_state_size(model) bytes.
void init_engagement_state(void* block, const EngagementModel& model, Micros as_of);

// Adds one event. Events after as_of count as ignored; an unknown type is
// ignored or, if the model says so, an Error (22023).
void add_event(void* block, const EngagementModel& model, std::string_view type,
               Micros occurred_at);

// Counts a row the aggregate skips (NULL type or time).
void add_ignored(void* block);

// Adds `from` into `into`, states of the same model version (the caller
// checks that: the blocks do not say) and as_of, or an Error.
void merge_engagement_states(void* into, const void* from, const EngagementModel& model);

// The serialised form, which travels between processes: the model's name,
// the shape of the block, then the block as it is.
struct SerializedStateHead {
    char model_name[kMaxModelNameLength + 1];  // NUL-terminated, zero-padded
    std::uint32_t magic;
    std::uint32_t model_version;
    std::uint32_t event_count;
    std::uint32_t frequency_count;
    std::uint32_t decayed_slots;
};

std::size_t serialized_state_size(const EngagementModel& model);
void serialize_state(const void* block, const EngagementModel& model, std::string_view model_name,
                     std::uint32_t model_version, void* out);

// What deserialisation reads before the model is known: the head, checked
// against the length (22P03).
struct SerializedState {
    std::string_view model_name;
    SerializedStateHead head;
    const char* block;  // inside the serialised bytes, maybe unaligned
    std::size_t block_size;
};
SerializedState read_serialized_state(const void* bytes, std::size_t length);

// Checks a read state's shape (counts of event types, frequency rules and
// decaying types) against its model (22P03): once it holds, read.block_size
// is engagement_state_size(model).
void check_state_shape(const SerializedState& read, const EngagementModel& model);

// check_state_shape, then every counter's range in `block` (an aligned
// copy of read.block).
void check_state_against_model(const SerializedState& read, const void* block,
                               const EngagementModel& model);

// One line of an explanation; the lines add up to the score.
struct EngagementLine {
    std::string rule;
    std::string group;  // empty: none
    std::uint64_t events = 0;
    Centipoints points = 0;
    std::string detail;
};

Centipoints engagement_score(const EngagementModel& model, const void* block);
std::vector<EngagementLine> explain_engagement(const EngagementModel& model, const void* block);

// The explanation as a JSON object: {"model", "version", "score",
// "ignored_events", "rules": [...]}.
std::string explanation_json(const EngagementModel& model, std::string_view model_name,
                             std::uint32_t model_version, const void* block);

// "12.5" for 1250 centipoints.
std::string centipoints_text(Centipoints value);

}  // namespace leadscore::core
