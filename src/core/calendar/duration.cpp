#include "core/calendar/duration.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <string>
#include <utility>

#include "core/common/ascii.hpp"
#include "core/stage/stage_labels.hpp"

namespace leadscore::core {

namespace {

struct Unit {
    std::string_view name;
    std::int64_t micros;
};

// Largest first, so format_duration picks the coarsest exact unit.
constexpr std::array<Unit, 7> kUnits = {{
    {"year", 365 * kMicrosPerDay},
    {"month", 30 * kMicrosPerDay},
    {"week", 7 * kMicrosPerDay},
    {"day", kMicrosPerDay},
    {"hour", 3600 * kMicrosPerSecond},
    {"minute", 60 * kMicrosPerSecond},
    {"second", kMicrosPerSecond},
}};

constexpr double kMaxMicros = 1000.0 * 365 * kMicrosPerDay;

bool unit_matches(std::string_view written, std::string_view unit) {
    if (written.size() == unit.size() + 1 && ascii_lower(written.back()) == 's') {
        written.remove_suffix(1);
    }
    return equals_folded(written, unit);
}

}  // namespace

std::optional<std::int64_t> parse_duration(std::string_view text) {
    text = trim_blanks(text);
    const std::size_t space = text.find(' ');
    if (space == std::string_view::npos) {
        return std::nullopt;
    }
    const std::string_view number_text = text.substr(0, space);
    const std::string_view unit_text = trim_blanks(text.substr(space + 1));
    double number = 0;
    const auto [end, error] =
        std::from_chars(number_text.data(), number_text.data() + number_text.size(), number);
    if (error != std::errc() || end != number_text.data() + number_text.size() ||
        !std::isfinite(number) || number <= 0) {
        return std::nullopt;
    }
    for (const Unit& unit : kUnits) {
        if (unit_matches(unit_text, unit.name)) {
            const double micros = std::round(number * static_cast<double>(unit.micros));
            if (micros < 1 || micros > kMaxMicros) {
                return std::nullopt;
            }
            return static_cast<std::int64_t>(micros);
        }
    }
    return std::nullopt;
}

std::string format_duration(std::int64_t micros) {
    // Weeks and smaller only: "30 days" reads better than "1 month".
    for (const Unit& unit : kUnits) {
        if (unit.micros > 7 * kMicrosPerDay) {
            continue;
        }
        if (micros % unit.micros == 0) {
            const std::int64_t count = micros / unit.micros;
            return std::to_string(count) + " " + std::string(unit.name) + (count == 1 ? "" : "s");
        }
    }
    // Below a second's precision: seconds with six decimals, which reads back exactly.
    std::string seconds = std::to_string(micros / kMicrosPerSecond) + ".";
    const std::string fraction = std::to_string(1000000 + micros % kMicrosPerSecond);
    return seconds + fraction.substr(1) + " seconds";
}

}  // namespace leadscore::core
