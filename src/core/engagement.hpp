// Engagement: points for what a lead did, after decay, caps, frequency rules
// and the inactivity penalty, computed as an aggregate over its events.
//
// The aggregate state is one flat block of plain data whose size depends on
// the model only (one counter pair per event type, one counter per frequency
// rule), never on the number of events: the glue pallocs it in the
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

#include "scoring_model.hpp"

namespace leadscore::core {

// Changes with every layout change, so that a state written by another build
// (a worker that loaded a newer library) is refused, never misread.
inline constexpr std::uint32_t kEngagementStateMagic = 0x4C534532;  // "LSE2"
inline constexpr Micros kNoActivity = INT64_MIN;

// The state in memory: small, since a GROUP BY over a million leads keeps a
// million of them (the default model's is 184 bytes). The model's name is
// not in it: the aggregate knows its model; only the serialised form, which
// travels between processes, names it.
struct EngagementStateHeader {
    std::uint32_t magic;
    std::uint32_t model_version;
    Micros as_of;
    Micros last_activity;           // kNoActivity: none
    std::uint64_t ignored;          // events of unknown type, in the future or with NULLs
    std::uint32_t event_count;      // of the model
    std::uint32_t frequency_count;  // of the model
    // Followed by: EventTotals events[event_count]; uint64 frequency[frequency_count].
};

// The serialised form: the model's name, then the state block as it is.
struct SerializedStateName {
    char model_name[kMaxModelNameLength + 1];  // NUL-terminated, zero-padded
};

// One event type's running totals.
struct EventTotals {
    Micropoints decayed;  // points after decay, in millionths
    std::uint64_t count;
};

std::size_t engagement_state_size(const EngagementModel& model);

// A typed view of a state block.
class EngagementState {
  public:
    explicit EngagementState(void* block) : header_(static_cast<EngagementStateHeader*>(block)) {}

    EngagementStateHeader& header() const { return *header_; }
    EventTotals* events() const { return reinterpret_cast<EventTotals*>(header_ + 1); }
    std::uint64_t* frequency() const {
        return reinterpret_cast<std::uint64_t*>(events() + header_->event_count);
    }

  private:
    EngagementStateHeader* header_;
};

// Fills a zeroed block of engagement_state_size(model) bytes.
void init_engagement_state(void* block, const EngagementModel& model, std::uint32_t model_version,
                           Micros as_of);

// Adds one event. Events after as_of count as ignored; an unknown type is
// ignored or, if the model says so, an Error (22023).
void add_event(void* block, const EngagementModel& model, std::string_view type,
               Micros occurred_at);

// Counts a row the aggregate skips (NULL type or time).
void add_ignored(void* block);

// Adds `from` into `into`, states of the same model: same version and
// as_of, or an Error.
void merge_engagement_states(void* into, const void* from);

// The size of a state block from its header.
std::size_t state_size(const EngagementStateHeader& header);

// Serialisation: the model's name, then the block.
std::size_t serialized_state_size(const void* block);
void serialize_state(const void* block, std::string_view model_name, void* out);

// What deserialisation reads before the model is known: the name, and the
// block's header checked against the length (22P03).
struct SerializedState {
    std::string_view model_name;
    EngagementStateHeader header;
    const char* block;  // inside the serialised bytes, maybe unaligned
    std::size_t block_size;
};
SerializedState read_serialized_state(const void* bytes, std::size_t length);

// Checks a block against its model (22P03): sizes and every counter's range.
void check_state_against_model(const void* block, const EngagementModel& model);

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
                             const void* block);

// "12.5" for 1250 centipoints.
std::string centipoints_text(Centipoints value);

}  // namespace leadscore::core
