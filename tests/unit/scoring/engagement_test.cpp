#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "core/calendar/duration.hpp"
#include "core/scoring/engagement.hpp"
#include "core/common/error.hpp"

namespace leadscore::core {
namespace {

constexpr Micros kDay = kMicrosPerDay;
constexpr Micros kAsOf = 1000 * kDay;

struct Event {
    std::string type;
    Micros at;
};

// A state block for `model`, as the glue would allocate it.
class State {
  public:
    State(const ScoringModel& model, Micros as_of = kAsOf)
        : model_(model), bytes_(engagement_state_size(model.engagement) / 8 + 1) {
        init_engagement_state(data(), model.engagement, as_of);
    }
    void* data() { return bytes_.data(); }
    const void* data() const { return bytes_.data(); }
    std::size_t size() const { return engagement_state_size(model_.engagement); }
    void add(const Event& event) { add_event(data(), model_.engagement, event.type, event.at); }
    void merge(const State& other) {
        merge_engagement_states(data(), other.data(), model_.engagement);
    }
    Centipoints score() const { return engagement_score(model_.engagement, data()); }
    EngagementState view() { return EngagementState(data(), model_.engagement); }

  private:
    const ScoringModel& model_;
    std::vector<std::uint64_t> bytes_;  // 8-byte aligned
};

Centipoints sum_of(const std::vector<EngagementLine>& lines) {
    Centipoints sum = 0;
    for (const EngagementLine& line : lines) {
        sum += line.points;
    }
    return sum;
}

const char* kRichModel = R"({
  "engagement": {
    "cap": 150, "floor": -20,
    "decay": {"percent": 25, "every": "30 days"},
    "groups": {
      "email": {"cap": 20, "floor": 0, "decay": {"half_life": "14 days"}},
      "web": {"cap": 60, "decay": {"half_life": "30 days"}}
    },
    "events": {
      "email_open": {"points": 2, "group": "email"},
      "email_click": {"points": 5, "group": "email"},
      "unsubscribe": {"points": -25, "group": "email"},
      "site_visit": {"points": 1, "group": "web", "cap": 10},
      "pricing_view": {"points": 15, "group": "web"},
      "webinar_attended": 25
    },
    "frequency": [
      {"name": "repeat_visits", "events": ["site_visit"], "at_least": 3, "within": "30 days", "points": 15, "group": "web"},
      {"name": "opened_3_emails", "events": ["email_open"], "at_least": 3, "points": 5}
    ],
    "inactivity": {"after": "30 days", "points": -10}
  }
})";

TEST(Engagement, SeedPointsWithoutDecay) {
    const ScoringModel model = parse_model(default_model_json(), "default");
    State state(model);
    for (const char* type : {"pricing_view", "demo_view", "webinar_attended", "email_click"}) {
        state.add({type, kAsOf - kDay});
    }
    EXPECT_EQ(state.score(), 1500 + 2000 + 2500 + 500);
}

TEST(Engagement, EventsAfterAsOfAndUnknownTypesAreIgnored) {
    const ScoringModel model = parse_model(default_model_json(), "default");
    State state(model);
    state.add({"pricing_view", kAsOf + 1});
    state.add({"tweet", kAsOf - kDay});
    state.add({"pricing_view", kAsOf});
    EXPECT_EQ(state.score(), 1500);
    EXPECT_EQ(state.view().header().ignored, 2u);
}

TEST(Engagement, UnknownTypesCanBeErrors) {
    const ScoringModel model =
        parse_model(R"({"engagement": {"unknown_events": "error", "events": {"a": 1}}})", "m");
    State state(model);
    try {
        state.add({"tweet", 0});
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_STREQ(error.sqlstate(), "22023");
        EXPECT_STREQ(error.what(), "event type \"tweet\" is not in scoring model \"m\"");
    }
}

TEST(Engagement, HalfLifeAndLinearDecay) {
    const ScoringModel model = parse_model(kRichModel, "m");
    State state(model);
    state.add({"pricing_view", kAsOf - 30 * kDay});      // 15 -> 7.5
    state.add({"webinar_attended", kAsOf - 61 * kDay});  // 25, two periods: 50% -> 12.5
    // ... and the last activity is 30 days old: the inactivity penalty too.
    EXPECT_EQ(state.score(), 750 + 1250 - 1000);
}

TEST(Engagement, CapsFloorsFrequencyAndInactivity) {
    const ScoringModel model = parse_model(kRichModel, "m");
    State visits(model);
    for (int i = 0; i < 40; ++i) {
        visits.add({"site_visit", kAsOf});  // 40 points, type cap 10
    }
    EXPECT_EQ(visits.score(), 1000 + 1500);  // plus repeat_visits

    State unsubscribed(model);
    unsubscribed.add({"unsubscribe", kAsOf});  // -25, email floor 0
    unsubscribed.add({"email_open", kAsOf});
    EXPECT_EQ(unsubscribed.score(), 0);

    State idle(model);
    idle.add({"site_visit", kAsOf - 31 * kDay});  // 1 point, decayed; inactive
    const std::vector<EngagementLine> lines = explain_engagement(model.engagement, idle.data());
    EXPECT_EQ(lines.back().rule, "inactivity");
    EXPECT_EQ(idle.score(), 49 - 1000);  // 1 * 2^(-31/30) = 0.4891 -> 0.49

    State old_visits(model);
    for (int i = 0; i < 3; ++i) {
        old_visits.add({"site_visit", kAsOf - 31 * kDay});  // outside repeat_visits' 30 days
    }
    for (const EngagementLine& line : explain_engagement(model.engagement, old_visits.data())) {
        EXPECT_NE(line.rule, "frequency:repeat_visits");
    }

    State nothing(model);
    EXPECT_EQ(nothing.score(), -1000);
}

TEST(Engagement, TotalBoundsApply) {
    const ScoringModel model = parse_model(kRichModel, "m");
    State state(model);
    for (int i = 0; i < 10; ++i) {
        state.add({"webinar_attended", kAsOf});
    }
    EXPECT_EQ(state.score(), 15000);
    const std::vector<EngagementLine> lines = explain_engagement(model.engagement, state.data());
    EXPECT_EQ(lines.back().rule, "engagement");
    EXPECT_EQ(lines.back().points, -10000);
}

// The rich model without decay for the web group and the events in no
// group: decaying and plain types side by side in one state.
std::string mixed_model() {
    std::string json = kRichModel;
    for (const std::string cut : {R"("decay": {"percent": 25, "every": "30 days"},)",
                                  R"(, "decay": {"half_life": "30 days"})"}) {
        json.erase(json.find(cut), cut.size());
    }
    return json;
}

// The property the aggregate relies on: any order, any split into partial
// states merged in any order, gives the same state and score, and the
// explanation adds up to the score.
void expect_order_and_split_independent(const ScoringModel& model) {
    const std::vector<std::string> types = {"email_open",  "email_click",  "unsubscribe",
                                            "site_visit",  "pricing_view", "webinar_attended",
                                            "not_in_model"};
    std::mt19937_64 random(42);
    for (int round = 0; round < 200; ++round) {
        std::vector<Event> events(random() % 60);
        for (Event& event : events) {
            event.type = types[random() % types.size()];
            event.at = kAsOf - static_cast<Micros>(random() % (200 * kDay)) + 5 * kDay;
        }
        State serial(model);
        for (const Event& event : events) {
            serial.add(event);
        }
        std::shuffle(events.begin(), events.end(), random);
        const std::size_t parts = 1 + random() % 4;
        std::vector<State> partial;
        for (std::size_t p = 0; p < parts; ++p) {
            partial.emplace_back(model);
        }
        for (const Event& event : events) {
            partial[random() % parts].add(event);
        }
        for (std::size_t p = 1; p < parts; ++p) {
            partial[0].merge(partial[p]);
        }
        ASSERT_EQ(std::memcmp(serial.data(), partial[0].data(), serial.size()), 0) << round;
        EXPECT_EQ(sum_of(explain_engagement(model.engagement, serial.data())), serial.score());
        std::vector<char> bytes(serialized_state_size(model.engagement));
        serialize_state(serial.data(), model.engagement, "m", 1, bytes.data());
        EXPECT_NO_THROW(check_state_against_model(read_serialized_state(bytes.data(), bytes.size()),
                                                  serial.data(), model.engagement));
    }
}

TEST(Engagement, OrderAndSplitIndependentAndExplanationsAddUp) {
    expect_order_and_split_independent(parse_model(kRichModel, "m"));
}

TEST(Engagement, OrderAndSplitIndependentWithDecayingAndPlainTypes) {
    const ScoringModel model = parse_model(mixed_model(), "m");
    EXPECT_EQ(model.engagement.decayed_slots, 3u);  // the email group's types
    expect_order_and_split_independent(model);
}

// The state is what a GROUP BY keeps per lead: a counter per type and per
// frequency rule, a sum only for the types that decay.
TEST(Engagement, StateSizeDependsOnTheModelOnly) {
    const ScoringModel plain = parse_model(default_model_json(), "default");
    EXPECT_EQ(engagement_state_size(plain.engagement), 20u + 9 * 4);  // 56: one cache line
    const ScoringModel rich = parse_model(kRichModel, "m");
    EXPECT_EQ(engagement_state_size(rich.engagement), 20u + 6 * 4 + 2 * 4 + 4 + 6 * 8);
    const ScoringModel mixed = parse_model(mixed_model(), "m");
    EXPECT_EQ(engagement_state_size(mixed.engagement), 20u + 6 * 4 + 2 * 4 + 4 + 3 * 8);
}

TEST(Engagement, MergingDifferentAsOfIsAnError) {
    const ScoringModel model = parse_model(kRichModel, "m");
    State a(model);
    State b(model, kAsOf + 1);
    EXPECT_THROW(a.merge(b), Error);
}

TEST(Engagement, CountsStopAt32BitsWithAnErrorAndTheOtherCountersSaturate) {
    const ScoringModel model = parse_model(kRichModel, "m");
    State full(model);
    full.add({"site_visit", kAsOf});
    full.view().counts()[0] = UINT32_MAX;  // email_click, the first type by name
    try {
        full.add({"email_click", kAsOf});
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_STREQ(error.sqlstate(), "22003");
    }
    State one(model);
    one.add({"email_click", kAsOf});
    EXPECT_THROW(full.merge(one), Error);

    State busy(model);
    busy.view().frequency()[0] = UINT32_MAX;
    busy.view().header().ignored = UINT32_MAX;
    busy.add({"site_visit", kAsOf});
    busy.add({"tweet", kAsOf});
    EXPECT_EQ(busy.view().frequency()[0], UINT32_MAX);
    EXPECT_EQ(busy.view().header().ignored, UINT32_MAX);
}

TEST(Engagement, SerialisedStatesRoundTrip) {
    const ScoringModel model = parse_model(kRichModel, "m");
    State state(model);
    state.add({"pricing_view", kAsOf - kDay});
    std::vector<char> bytes(serialized_state_size(model.engagement));
    serialize_state(state.data(), model.engagement, "rich model", 7, bytes.data());
    const SerializedState read = read_serialized_state(bytes.data(), bytes.size());
    EXPECT_EQ(read.model_name, "rich model");
    EXPECT_EQ(read.head.model_version, 7u);
    EXPECT_EQ(read.block_size, state.size());
    EXPECT_EQ(std::memcmp(read.block, state.data(), state.size()), 0);
}

// Models with nothing but a header in their state: no engagement section at
// all, or only inactivity.
TEST(Engagement, StatesOfModelsWithoutEventTypesRoundTrip) {
    for (const char* json :
         {R"({})", R"({"engagement": {"inactivity": {"after": "30 days", "points": -10}}})"}) {
        const ScoringModel model = parse_model(json, "m");
        ASSERT_EQ(engagement_state_size(model.engagement), kEngagementCountsOffset);
        State state(model);
        state.add({"anything", kAsOf});
        std::vector<char> bytes(serialized_state_size(model.engagement));
        serialize_state(state.data(), model.engagement, "m", 1, bytes.data());
        const SerializedState read = read_serialized_state(bytes.data(), bytes.size());
        ASSERT_EQ(read.block_size, kEngagementCountsOffset);
        std::vector<std::uint64_t> block(4);
        std::memcpy(block.data(), read.block, read.block_size);
        EXPECT_NO_THROW(check_state_against_model(read, block.data(), model.engagement));
        EXPECT_EQ(engagement_score(model.engagement, block.data()), state.score()) << json;
    }
}

TEST(Engagement, CorruptedStatesAreRefused) {
    const ScoringModel model = parse_model(kRichModel, "m");
    State good(model);
    good.add({"pricing_view", kAsOf - kDay});
    good.add({"site_visit", kAsOf - kDay});
    std::vector<char> serialised(serialized_state_size(model.engagement));
    serialize_state(good.data(), model.engagement, "m", 1, serialised.data());
    // `corrupt` edits the serialised bytes (the head, then the block at
    // offset 84) or their length; refused means 22P03 from either check.
    const auto refused = [&](auto corrupt) {
        std::vector<char> bytes = serialised;
        std::size_t length = bytes.size();
        corrupt(bytes.data(), length);
        try {
            const SerializedState read = read_serialized_state(bytes.data(), length);
            std::vector<std::uint64_t> block(read.block_size / 8 + 1);
            std::memcpy(block.data(), read.block, read.block_size);
            check_state_against_model(read, block.data(), model.engagement);
        } catch (const Error& error) {
            EXPECT_STREQ(error.sqlstate(), "22P03");
            return true;
        }
        return false;
    };
    // An edit of the block, made on an aligned copy (the block sits at
    // offset 84 of the serialised bytes, not 8-aligned) and copied back.
    const auto in_block = [&](auto edit) {
        return [&model, edit](char* bytes, std::size_t&) {
            const std::size_t size = engagement_state_size(model.engagement);
            std::vector<std::uint64_t> block(size / 8 + 1);
            std::memcpy(block.data(), bytes + sizeof(SerializedStateHead), size);
            edit(EngagementState(block.data(), model.engagement));
            std::memcpy(bytes + sizeof(SerializedStateHead), block.data(), size);
        };
    };
    const auto head_of = [](char* bytes) { return reinterpret_cast<SerializedStateHead*>(bytes); };
    ASSERT_EQ(sizeof(SerializedStateHead), 84u);
    EXPECT_FALSE(refused([](char*, std::size_t&) {}));
    EXPECT_TRUE(refused([](char*, std::size_t& length) { length = 3; }));
    EXPECT_TRUE(refused([](char*, std::size_t& length) { length -= 8; }));
    EXPECT_TRUE(refused([](char* bytes, std::size_t&) { bytes[64] ^= 1; }));  // magic
    EXPECT_TRUE(refused([](char* bytes, std::size_t&) { std::memset(bytes, 'x', 64); }));
    EXPECT_TRUE(refused([](char* bytes, std::size_t&) { bytes[0] = '\0'; }));
    EXPECT_FALSE(refused(in_block([](EngagementState) {})));
    EXPECT_TRUE(refused(in_block([](EngagementState block) { block.decayed()[3] = INT64_MAX; })));
    EXPECT_TRUE(refused(in_block([](EngagementState block) { block.frequency()[0] = 99; })));
    EXPECT_TRUE(refused(
        in_block([](EngagementState block) { block.header().last_activity = kNoActivity; })));
    EXPECT_TRUE(
        refused(in_block([](EngagementState block) { block.header().last_activity = kAsOf + 1; })));
    EXPECT_TRUE(refused([&](char* bytes, std::size_t&) { head_of(bytes)->event_count = 5; }));
    EXPECT_TRUE(refused([&](char* bytes, std::size_t&) { head_of(bytes)->decayed_slots = 5; }));
}

TEST(Engagement, OverflowIsAnErrorNotAWrap) {
    const ScoringModel model = parse_model(R"({"engagement": {"events": {"a": 1000000}}})", "m");
    // Without decay the total is count x points: exact up to the largest count.
    State state(model);
    state.add({"a", kAsOf});
    state.view().counts()[0] = UINT32_MAX;
    EXPECT_EQ(state.score(), Centipoints{UINT32_MAX} * 100000000);
    // With decay each event's millionths are summed, and the sum can overflow.
    const ScoringModel decaying = parse_model(
        R"({"engagement": {"decay": {"half_life": "1000 days"}, "events": {"a": 1000000}}})", "m");
    State decayed(decaying);
    EXPECT_THROW(
        {
            for (int i = 0; i < 10000000; ++i) {  // about 10^12 millionths each
                decayed.add({"a", kAsOf});
            }
        },
        Error);
}

TEST(Engagement, CentipointsText) {
    EXPECT_EQ(centipoints_text(1250), "12.5");
    EXPECT_EQ(centipoints_text(-5), "-0.05");
    EXPECT_EQ(centipoints_text(700), "7");
    EXPECT_EQ(centipoints_text(-1234), "-12.34");
}

}  // namespace
}  // namespace leadscore::core
