// A scoring model: fit rules on a lead's attributes, engagement points for
// its events, thresholds for automatic MQL/SQL, and HubSpot's A1-D4 grade.
// Parsed from the JSON a user gives leadscore.define_model; the format is
// documented in the README ("Scoring models").
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/document_limits.hpp"
#include "core/scoring/email_kind.hpp"
#include "core/common/object_name.hpp"
#include "core/scoring/title_seniority.hpp"

namespace leadscore::core {

// Engagement scores are exact to a hundredth of a point: bounds, points and
// results are counted in hundredths ("centipoints"), one event's decayed
// points in millionths. Integer sums make a score independent of the order
// its events are added in, which floating point would not.
using Centipoints = std::int64_t;
using Micropoints = std::int64_t;
inline constexpr Micropoints kMicropointsPerCentipoint = 10000;

// Timestamps and durations in microseconds, as PostgreSQL's timestamptz.
using Micros = std::int64_t;

// Optional lower and upper bound of a sum.
struct Bounds {
    std::optional<std::int64_t> floor;
    std::optional<std::int64_t> cap;

    std::int64_t clamp(std::int64_t value) const {
        if (cap && value > *cap) {
            value = *cap;
        }
        if (floor && value < *floor) {
            value = *floor;
        }
        return value;
    }
};

// ---- fit ----

enum class FitMatch { Seniority, EmailKind, Equals, In, Ranges, Exists };

// A value an attribute is compared with. Strings are kept trimmed and in
// ASCII lower case: attribute values are compared the same way.
struct FitValue {
    enum class Kind { String, Number, Boolean } kind = Kind::String;
    std::string text;
    double number = 0;
    bool boolean = false;
};

struct FitRange {
    std::optional<double> min;  // inclusive
    std::optional<double> max;  // inclusive
    std::int64_t points = 0;
};

struct FitRule {
    std::string name;
    std::string attribute;
    std::size_t attribute_index = 0;  // into FitModel::attributes
    FitMatch match = FitMatch::Equals;
    std::array<std::int64_t, 7> seniority_points{};  // by Seniority
    std::array<std::int64_t, 6> email_points{};      // by EmailKind
    std::vector<FitValue> values;                    // Equals (one), In
    std::vector<FitRange> ranges;                    // first match wins
    std::int64_t points = 0;                         // Equals, In, Exists
    Bounds bounds;
    int group = -1;  // into FitModel::groups; -1: none
};

struct FitGroup {
    std::string name;
    Bounds bounds;
};

struct FitModel {
    std::vector<FitRule> rules;
    std::vector<FitGroup> groups;
    Bounds bounds;
    std::vector<std::string> attributes;  // distinct attribute names the rules read
};

// ---- engagement ----

struct Decay {
    enum class Kind { None, HalfLife, Linear } kind = Kind::None;
    Micros half_life = 0;  // HalfLife
    double percent = 0;    // Linear: lost every `period`, in percent of the points
    Micros period = 0;     // Linear

    // The share of an event's points left `age` after it happened (age >= 0).
    double factor(Micros age) const;
};

struct EngagementGroup {
    std::string name;
    Bounds bounds;  // centipoints
    Decay decay;
};

struct EventRule {
    std::string type;
    Centipoints points = 0;
    Bounds bounds;  // centipoints, on the type's decayed total
    int group = -1;
    // Where the engagement state sums this type's decayed points; -1 when
    // its group does not decay (count x points is then the total, and the
    // state keeps only the count).
    int decayed_slot = -1;
};

// "At least `at_least` events of `events` within `within` before as_of
// (0: ever): `points`".
struct FrequencyRule {
    std::string name;
    std::vector<int> events;  // indexes into EngagementModel::events
    std::uint64_t at_least = 1;
    Micros within = 0;
    Centipoints points = 0;
    int group = -1;
};

// "No event within `after` before as_of: `points`" (a negative number).
struct Inactivity {
    Micros after = 0;  // 0: no penalty
    Centipoints points = 0;
    int group = -1;
};

struct EngagementModel {
    std::string model_name;         // for messages
    std::vector<EventRule> events;  // sorted by type
    std::vector<EngagementGroup> groups;
    Decay decay;  // for events in no group
    std::vector<FrequencyRule> frequency;
    Inactivity inactivity;
    Bounds bounds;  // centipoints
    bool unknown_events_are_errors = false;
    std::uint32_t decayed_slots = 0;  // event types whose group decays

    // Index into `events`, or -1. One hash probe: it runs for every event
    // an aggregate reads.
    int find_event(std::string_view type) const;

    // Builds the hash table find_event probes and numbers the decayed
    // slots; parse_model calls it once groups and events are read.
    void index_events();

  private:
    std::vector<int> event_slots_;  // open addressing: index + 1, 0 for empty
};

// ---- thresholds and grade ----

// A lead qualifies when every condition present holds (seed 002: fit AND
// engagement).
struct Threshold {
    std::optional<Centipoints> score;  // fit + engagement
    std::optional<std::int64_t> fit;
    std::optional<Centipoints> engagement;

    bool met(std::int64_t fit_points, Centipoints engagement_points) const;
};

struct GradeBands {
    std::array<std::int64_t, 3> fit{};        // minimum fit for A, B, C; below C: D
    std::array<Centipoints, 3> engagement{};  // minimum engagement for 1, 2, 3; below: 4
};

struct ScoringModel {
    std::string description;
    std::vector<std::string> competitors;  // lower-case domains
    std::string competitor_list;           // the same, comma-separated (for email_kind)
    FitModel fit;
    EngagementModel engagement;
    Threshold mql;
    Threshold sql;
    GradeBands grade;
};

inline constexpr std::size_t kMaxModelNameLength = kMaxObjectNameLength;

// Throws Error (22023) unless `name` is 1 to 63 bytes with no control bytes.
void check_model_name(std::string_view name);

// Parses and validates a model definition; `model_name` is for messages.
// Throws Error naming the JSON path, e.g. `engagement.events.pricing_view:
// expected a number, got a string "high"`, and Error 54000 for a definition
// of a Definition `source` beyond the limits (document_limits.hpp). Time
// linear in the definition's size; stops at stop_point()s (stop_check.hpp).
ScoringModel parse_model(std::string_view definition_json, std::string_view model_name,
                         DocumentSource source = DocumentSource::Definition);

// The model as JSON with every default written out. parse_model reads it
// back to the same model.
std::string model_json(const ScoringModel& model);

// What define_model stores: model_json of the parsed definition, which must
// fit in kMaxModelBytes too (Error 54000) for a Definition. A row written
// to the model table (as a restore writes every stored model) is a Stored
// document: checked and normalised the same way, without the limits, so
// that whatever was stored restores.
std::string normalised_model(std::string_view definition_json, std::string_view model_name,
                             DocumentSource source = DocumentSource::Definition);

// The built-in model "default", from the seeds (seed 000's point values and
// thresholds).
std::string_view default_model_json();

}  // namespace leadscore::core
