#include "core/scoring/engagement.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <nlohmann/json.hpp>

#include "core/calendar/duration.hpp"
#include "core/common/error.hpp"
#include "core/common/quote.hpp"

namespace leadscore::core {

namespace {

constexpr char kNumericOutOfRange[] = "22003";

[[noreturn]] void corrupted(const std::string& problem) {
    corrupted_state("engagement_score", problem);
}

[[noreturn]] void points_out_of_range() {
    throw Error(kNumericOutOfRange, "engagement points out of range",
                "Too many events for the model's points; lower the points or add caps.");
}

Micropoints checked_add(Micropoints a, Micropoints b) {
    Micropoints sum = 0;
    if (__builtin_add_overflow(a, b, &sum)) {
        points_out_of_range();
    }
    return sum;
}

Centipoints checked_product(Centipoints points, std::uint32_t count) {
    Centipoints product = 0;
    if (__builtin_mul_overflow(points, static_cast<Centipoints>(count), &product)) {
        points_out_of_range();
    }
    return product;
}

// Counts one more event of a type: exact, or an error past 32 bits.
void count_event(std::uint32_t& count, std::uint64_t more, std::string_view type) {
    const std::uint64_t sum = count + more;
    if (sum > UINT32_MAX) {
        throw Error(kNumericOutOfRange,
                    "engagement_score counts at most 4294967295 events of type " +
                        quote_for_message(type) + " in one group",
                    "Group the events more finely, e.g. by lead.");
    }
    count = static_cast<std::uint32_t>(sum);
}

// Counters that only compare with at_least or inform stop at the top.
void saturating_add(std::uint32_t& counter, std::uint64_t more) {
    counter = static_cast<std::uint32_t>(std::min<std::uint64_t>(counter + more, UINT32_MAX));
}

std::size_t block_size(std::size_t event_count, std::size_t frequency_count,
                       std::size_t decayed_slots) {
    if (decayed_slots == 0) {  // no padding before an empty array
        return engagement_frequency_offset(event_count) + frequency_count * sizeof(std::uint32_t);
    }
    return engagement_decayed_offset(event_count, frequency_count) +
           decayed_slots * sizeof(Micropoints);
}

// Rounds millionths to hundredths, halves away from zero (without
// overflow, whatever the input).
Centipoints to_centipoints(Micropoints micro) {
    const __int128 half = kMicropointsPerCentipoint / 2;
    const __int128 value = micro;
    return static_cast<Centipoints>(value >= 0 ? (value + half) / kMicropointsPerCentipoint
                                               : -((-value + half) / kMicropointsPerCentipoint));
}

Micros age_of(Micros as_of, Micros occurred_at) {
    Micros age = 0;
    return __builtin_sub_overflow(as_of, occurred_at, &age) ? INT64_MAX : age;
}

const Decay& decay_of(const EngagementModel& model, int group) {
    return group >= 0 ? model.groups[static_cast<std::size_t>(group)].decay : model.decay;
}

std::string group_name(const EngagementModel& model, int group) {
    return group >= 0 ? model.groups[static_cast<std::size_t>(group)].name : std::string();
}

std::string days_text(Micros micros) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f", static_cast<double>(micros) / kMicrosPerDay);
    return buffer;
}

struct Explainer {
    std::vector<EngagementLine>* out;
    bool wanted() const { return out != nullptr; }
    void add(EngagementLine line) const {
        if (out != nullptr) {
            out->push_back(std::move(line));
        }
    }
};

Centipoints bounded(Centipoints sum, const Bounds& bounds, const std::string& rule,
                    const std::string& group, const Explainer& explain) {
    const Centipoints result = bounds.clamp(sum);
    if (result != sum && explain.wanted()) {
        explain.add({rule, group, 0, result - sum,
                     centipoints_text(sum) + (result < sum ? " capped at " : " raised to floor ") +
                         centipoints_text(result)});
    }
    return result;
}

Centipoints evaluate(const EngagementModel& model, const void* block, const Explainer& explain) {
    EngagementState state(const_cast<void*>(block), model);
    const EngagementStateHeader& header = state.header();
    std::vector<Centipoints> group_sums(model.groups.size(), 0);
    Centipoints ungrouped = 0;
    const auto add_to = [&](int group, Centipoints points) {
        Centipoints& sum = group >= 0 ? group_sums[static_cast<std::size_t>(group)] : ungrouped;
        sum = checked_add(sum, points);
    };

    for (std::size_t i = 0; i < model.events.size(); ++i) {
        const EventRule& rule = model.events[i];
        const std::uint32_t count = state.counts()[i];
        if (count == 0) {
            continue;
        }
        const Centipoints decayed = rule.decayed_slot >= 0
                                        ? to_centipoints(state.decayed()[rule.decayed_slot])
                                        : checked_product(rule.points, count);
        const Centipoints points = rule.bounds.clamp(decayed);
        add_to(rule.group, points);
        if (explain.wanted()) {
            std::string detail = std::to_string(count) + " x " + centipoints_text(rule.points);
            const __int128 undecayed = static_cast<__int128>(rule.points) * count;
            if (static_cast<__int128>(decayed) != undecayed) {
                detail += ", " + centipoints_text(decayed) + " after decay";
            }
            if (points != decayed) {
                detail += ", bounded to " + centipoints_text(points);
            }
            explain.add(
                {"event:" + rule.type, group_name(model, rule.group), count, points, detail});
        }
    }
    for (std::size_t i = 0; i < model.frequency.size(); ++i) {
        const FrequencyRule& rule = model.frequency[i];
        const std::uint32_t count = state.frequency()[i];
        if (count >= rule.at_least) {
            add_to(rule.group, rule.points);
            if (explain.wanted()) {
                explain.add(
                    {"frequency:" + rule.name, group_name(model, rule.group), count, rule.points,
                     std::to_string(count) + " events" +
                         (rule.within > 0 ? " within " + format_duration(rule.within) : "") +
                         ", at least " + std::to_string(rule.at_least) + " needed"});
            }
        }
    }
    const Inactivity& inactivity = model.inactivity;
    if (inactivity.after > 0) {
        const bool never = header.last_activity == kNoActivity;
        const Micros idle = never ? INT64_MAX : age_of(header.as_of, header.last_activity);
        if (idle >= inactivity.after) {
            add_to(inactivity.group, inactivity.points);
            if (explain.wanted()) {
                explain.add({"inactivity", group_name(model, inactivity.group), 0,
                             inactivity.points,
                             (never ? std::string("no scored activity")
                                    : "last activity " + days_text(idle) + " days before as_of") +
                                 ", penalty after " + format_duration(inactivity.after)});
            }
        }
    }
    Centipoints total = ungrouped;
    for (std::size_t g = 0; g < model.groups.size(); ++g) {
        const std::string& name = model.groups[g].name;
        total = checked_add(
            total, bounded(group_sums[g], model.groups[g].bounds, "group:" + name, name, explain));
    }
    return bounded(total, model.bounds, "engagement", "", explain);
}

}  // namespace

std::size_t engagement_state_size(const EngagementModel& model) {
    return block_size(model.events.size(), model.frequency.size(), model.decayed_slots);
}

void init_engagement_state(void* block, const EngagementModel& model, Micros as_of) {
    EngagementStateHeader& header = EngagementState(block, model).header();
    header.as_of = as_of;
    header.last_activity = kNoActivity;
}

void add_ignored(void* block) {
    saturating_add(static_cast<EngagementStateHeader*>(block)->ignored, 1);
}

void add_event(void* block, const EngagementModel& model, std::string_view type,
               Micros occurred_at) {
    EngagementState state(block, model);
    EngagementStateHeader& header = state.header();
    const int index = model.find_event(type);
    if (index < 0) {
        if (model.unknown_events_are_errors) {
            throw Error(sqlstate::kInvalidParameterValue,
                        "event type " + quote_for_message(type) + " is not in scoring model " +
                            quote_for_message(model.model_name),
                        "Add it to engagement.events (0 points is fine), or set "
                        "\"unknown_events\": \"ignore\".");
        }
        add_ignored(block);
        return;
    }
    if (occurred_at > header.as_of) {
        add_ignored(block);
        return;
    }
    const EventRule& rule = model.events[static_cast<std::size_t>(index)];
    count_event(state.counts()[index], 1, rule.type);
    const Micros age = age_of(header.as_of, occurred_at);
    if (rule.decayed_slot >= 0) {
        const Micropoints undecayed = rule.points * kMicropointsPerCentipoint;
        const Micropoints points = static_cast<Micropoints>(
            std::llround(static_cast<double>(undecayed) * decay_of(model, rule.group).factor(age)));
        Micropoints& sum = state.decayed()[rule.decayed_slot];
        sum = checked_add(sum, points);
    }
    for (std::size_t i = 0; i < model.frequency.size(); ++i) {
        const FrequencyRule& frequency = model.frequency[i];
        if (frequency.within > 0 && age > frequency.within) {
            continue;
        }
        for (int event : frequency.events) {
            if (event == index) {
                saturating_add(state.frequency()[i], 1);
                break;
            }
        }
    }
    if (header.last_activity == kNoActivity || occurred_at > header.last_activity) {
        header.last_activity = occurred_at;
    }
}

void merge_engagement_states(void* into, const void* from, const EngagementModel& model) {
    EngagementState a(into, model);
    EngagementState b(const_cast<void*>(from), model);
    EngagementStateHeader& ha = a.header();
    const EngagementStateHeader& hb = b.header();
    if (ha.as_of != hb.as_of) {
        throw Error(sqlstate::kInvalidParameterValue,
                    "engagement_score needs the same as_of for every row of a group",
                    "Pass one value, e.g. now() or a constant, as as_of.");
    }
    for (std::size_t i = 0; i < model.events.size(); ++i) {
        count_event(a.counts()[i], b.counts()[i], model.events[i].type);
    }
    for (std::uint32_t i = 0; i < model.decayed_slots; ++i) {
        a.decayed()[i] = checked_add(a.decayed()[i], b.decayed()[i]);
    }
    for (std::size_t i = 0; i < model.frequency.size(); ++i) {
        saturating_add(a.frequency()[i], b.frequency()[i]);
    }
    if (hb.last_activity != kNoActivity &&
        (ha.last_activity == kNoActivity || hb.last_activity > ha.last_activity)) {
        ha.last_activity = hb.last_activity;
    }
    saturating_add(ha.ignored, hb.ignored);
}

std::size_t serialized_state_size(const EngagementModel& model) {
    return sizeof(SerializedStateHead) + engagement_state_size(model);
}

void serialize_state(const void* block, const EngagementModel& model, std::string_view model_name,
                     std::uint32_t model_version, void* out) {
    SerializedStateHead head{};
    std::memcpy(head.model_name, model_name.data(),
                std::min(model_name.size(), kMaxModelNameLength));
    head.magic = kEngagementStateMagic;
    head.model_version = model_version;
    head.event_count = static_cast<std::uint32_t>(model.events.size());
    head.frequency_count = static_cast<std::uint32_t>(model.frequency.size());
    head.decayed_slots = model.decayed_slots;
    std::memcpy(out, &head, sizeof head);
    std::memcpy(static_cast<char*>(out) + sizeof head, block, engagement_state_size(model));
}

SerializedState read_serialized_state(const void* bytes, std::size_t length) {
    // The block's header is 20 bytes (kEngagementCountsOffset), not
    // sizeof(EngagementStateHeader): a model without event types or
    // frequency rules has a block of just those 20 bytes.
    if (length < sizeof(SerializedStateHead) + kEngagementCountsOffset) {
        corrupted(std::to_string(length) + " bytes, too short for its header");
    }
    SerializedState state;
    // Copied out before reading: the bytes need not be aligned.
    std::memcpy(&state.head, bytes, sizeof state.head);
    const SerializedStateHead& head = state.head;
    const void* terminator = std::memchr(head.model_name, '\0', sizeof head.model_name);
    if (terminator == nullptr || head.model_name[0] == '\0') {
        corrupted("the model name is not terminated");
    }
    const char* text = static_cast<const char*>(bytes);
    state.model_name = std::string_view(
        text, static_cast<std::size_t>(static_cast<const char*>(terminator) - head.model_name));
    state.block = text + sizeof(SerializedStateHead);
    state.block_size = length - sizeof(SerializedStateHead);
    if (head.magic != kEngagementStateMagic) {
        corrupted("wrong magic number (a state from another leadscore version?)");
    }
    if (head.event_count > 100000 || head.frequency_count > 100000 ||
        head.decayed_slots > head.event_count ||
        block_size(head.event_count, head.frequency_count, head.decayed_slots) !=
            state.block_size) {
        corrupted(std::to_string(length) + " bytes for " + std::to_string(head.event_count) +
                  " event types, " + std::to_string(head.frequency_count) +
                  " frequency rules and " + std::to_string(head.decayed_slots) + " decaying types");
    }
    EngagementStateHeader header{};
    std::memcpy(&header, state.block, kEngagementCountsOffset);
    if (header.last_activity != kNoActivity && header.last_activity > header.as_of) {
        corrupted("last activity after as_of");
    }
    return state;
}

void check_state_shape(const SerializedState& read, const EngagementModel& model) {
    if (read.head.event_count != model.events.size() ||
        read.head.frequency_count != model.frequency.size() ||
        read.head.decayed_slots != model.decayed_slots) {
        corrupted("its shape does not match version " + std::to_string(read.head.model_version) +
                  " of its scoring model");
    }
}

void check_state_against_model(const SerializedState& read, const void* block,
                               const EngagementModel& model) {
    check_state_shape(read, model);
    EngagementState state(const_cast<void*>(block), model);
    std::uint64_t events = 0;
    for (std::size_t i = 0; i < model.events.size(); ++i) {
        const EventRule& rule = model.events[i];
        const std::uint32_t count = state.counts()[i];
        if (rule.decayed_slot >= 0) {
            // Decay only shrinks points toward zero: |decayed| <= count * |points|.
            const double most = static_cast<double>(count) *
                                std::fabs(static_cast<double>(rule.points)) *
                                kMicropointsPerCentipoint;
            if (std::fabs(static_cast<double>(state.decayed()[rule.decayed_slot])) >
                most + static_cast<double>(count)) {
                corrupted("points of event type " + quote_for_message(rule.type) +
                          " exceed what its events can give");
            }
        }
        events += count;
    }
    if ((events == 0) != (state.header().last_activity == kNoActivity)) {
        corrupted("the last activity does not match the event counts");
    }
    for (std::size_t i = 0; i < model.frequency.size(); ++i) {
        std::uint64_t eligible = 0;
        for (int event : model.frequency[i].events) {
            eligible += state.counts()[static_cast<std::size_t>(event)];
        }
        if (state.frequency()[i] > eligible) {
            corrupted("frequency rule " + quote_for_message(model.frequency[i].name) +
                      " counts more events than there are");
        }
    }
}

Centipoints engagement_score(const EngagementModel& model, const void* block) {
    return evaluate(model, block, Explainer{nullptr});
}

std::vector<EngagementLine> explain_engagement(const EngagementModel& model, const void* block) {
    std::vector<EngagementLine> lines;
    evaluate(model, block, Explainer{&lines});
    return lines;
}

std::string centipoints_text(Centipoints value) {
    const Centipoints magnitude = value < 0 ? -value : value;
    std::string text = (value < 0 ? "-" : "") + std::to_string(magnitude / 100);
    if (magnitude % 100 != 0) {
        const Centipoints cents = magnitude % 100;
        text += "." + std::to_string(cents / 10) + (cents % 10 ? std::to_string(cents % 10) : "");
    }
    return text;
}

std::string explanation_json(const EngagementModel& model, std::string_view model_name,
                             std::uint32_t model_version, const void* block) {
    using nlohmann::json;
    const EngagementStateHeader& header = *static_cast<const EngagementStateHeader*>(block);
    std::vector<EngagementLine> lines;
    const Centipoints score = evaluate(model, block, Explainer{&lines});
    json rules = json::array();
    for (const EngagementLine& line : lines) {
        json item = {{"rule", line.rule},
                     {"points", json::parse(centipoints_text(line.points))},
                     {"detail", line.detail}};
        if (!line.group.empty()) {
            item["group"] = line.group;
        }
        if (line.events > 0) {
            item["events"] = line.events;
        }
        rules.push_back(item);
    }
    json out = {{"model", std::string(model_name)},
                {"version", model_version},
                {"score", json::parse(centipoints_text(score))},
                {"ignored_events", header.ignored},
                {"rules", rules}};
    return out.dump();
}

}  // namespace leadscore::core
