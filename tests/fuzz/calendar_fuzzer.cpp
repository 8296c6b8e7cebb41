// libFuzzer target: the input's first line as a calendar definition, the
// rest as bytes. A calendar that parses must normalise to a fixed point and
// keep diff(s, add(s, x)) = x for instants and amounts drawn from the bytes;
// the bytes are also read as a serialised window_funnel state, a
// calibration state and a list of funnel modes. Invalid input of any kind
// must raise leadscore::core::Error and nothing else (and never touch
// memory it should not: AddressSanitizer).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "../unit/calendar/rule_zone.hpp"
#include "core/calendar/business_calendar.hpp"
#include "core/calendar/calendar_definition.hpp"
#include "core/analytics/calibration.hpp"
#include "core/common/error.hpp"
#include "core/analytics/window_funnel.hpp"

namespace {

using namespace leadscore::core;

std::int64_t take(std::string_view& bytes) {
    std::int64_t value = 0;
    const std::size_t n = bytes.size() < 8 ? bytes.size() : 8;
    std::memcpy(&value, bytes.data(), n);
    bytes.remove_prefix(n);
    return value;
}

void exercise_calendar(const CalendarDefinition& definition, std::string_view bytes) {
    const std::string json = calendar_json(definition);
    // The normal form must parse again: an Error here is a finding, not an
    // invalid input (0.6 stored touching windows longer than 24 hours in a
    // form it refused, and the caller's catch hid it).
    try {
        if (calendar_json(parse_calendar(json, "fuzz")) != json) {
            __builtin_trap();
        }
    } catch (const Error&) {
        __builtin_trap();
    }
    BusinessCalendar calendar("fuzz", definition,
                              std::make_unique<testing::RuleZone>(testing::new_york()));
    // Instants within 2000-2030 and amounts within about two years.
    constexpr Micros kSpan = 30LL * 366 * 86400 * 1000000;
    for (int i = 0; i < 4 && !bytes.empty(); ++i) {
        const Micros start = static_cast<Micros>(static_cast<std::uint64_t>(take(bytes)) % kSpan);
        const Micros amount = take(bytes) % (2LL * 366 * 86400 * 1000000);
        try {
            const Micros finish = calendar.add(start, amount);
            if (calendar.diff(start, finish) != amount) {
                __builtin_trap();
            }
            const Micros next = calendar.next_start(start);
            if (next < start || calendar.diff(start, next) != 0) {
                __builtin_trap();
            }
            calendar.is_business_time(finish);
        } catch (const Error&) {
        }
    }
}

void exercise_states(std::string_view bytes) {
    try {
        std::size_t count = 0;
        const FunnelSettings settings = read_serialized_funnel(bytes.data(), bytes.size(), count);
        std::vector<FunnelRow> rows;
        for (std::size_t i = 0; i < count; ++i) {
            rows.push_back(serialized_funnel_row(bytes.data(), i));
        }
        if (settings.step_count > 0) {
            evaluate_funnel(rows.data(), rows.size(), settings.step_count, settings.window,
                            settings.modes, FunnelOutput::kLevelAndTimes);
        }
    } catch (const Error&) {
    }
    try {
        const std::size_t count = read_serialized_score_counts(bytes.data(), bytes.size());
        std::vector<ScoreCount> counts;
        for (std::size_t i = 0; i < count; ++i) {
            counts.push_back(serialized_score_count(bytes.data(), i));
        }
        score_auc(counts.data(), counts.size());
        recommend_threshold(counts.data(), counts.size(), 0.25);
        threshold_curve(counts.data(), counts.size());
    } catch (const Error&) {
    }
    try {
        parse_funnel_modes(bytes.substr(0, 200));
    } catch (const Error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t newline = input.find('\n');
    const std::string_view definition = input.substr(0, newline);
    const std::string_view bytes =
        newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
    try {
        const CalendarDefinition calendar = parse_calendar(definition, "fuzz");
        exercise_calendar(calendar, bytes);
    } catch (const Error&) {
    }
    exercise_states(bytes);
    return 0;
}
