// Random calendar definitions (JSON text) for the property tests: weekday
// keys in several spellings, windows out of order, windows that touch (also
// into an overnight window, the join 0.6 stored as a window that cannot be
// read back), overnight windows ending at 00:00 or at their start time,
// seconds, holidays as a list or with windows, on consecutive days and at
// the edges of the covered years. Many are refused (overlaps, spills); the
// tests check what holds for those parse_calendar accepts.
#pragma once

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/calendar/civil_date.hpp"

namespace leadscore::core::testing {

inline int pick(std::mt19937_64& random, int n) {
    return static_cast<int>(random() % static_cast<std::uint64_t>(n));
}

// Seconds after midnight as "HH:MM" or "HH:MM:SS".
inline std::string clock_json(int seconds) {
    char text[32];
    if (seconds % 60 == 0) {
        std::snprintf(text, sizeof text, "\"%02d:%02d\"", seconds / 3600, seconds / 60 % 60);
    } else {
        std::snprintf(text, sizeof text, "\"%02d:%02d:%02d\"", seconds / 3600, seconds / 60 % 60,
                      seconds % 60);
    }
    return text;
}

// A time of day on the quarter hour, now and then with seconds.
inline int random_clock(std::mt19937_64& random, int from, int to) {
    if (to <= from) {
        return from;
    }
    int seconds = from + pick(random, (to - from) / 900 + 1) * 900;
    if (pick(random, 10) == 0) {
        seconds += pick(random, 900);
    }
    return std::min(seconds, to);
}

// Up to four windows of one day, as a JSON list in random order.
inline std::string random_windows(std::mt19937_64& random) {
    std::vector<std::string> windows;
    // A quarter of the days open at midnight (touching the day before).
    int clock = pick(random, 4) == 0 ? 0 : random_clock(random, 0, 20 * 3600);
    const int count = pick(random, 5);
    for (int i = 0; i < count && clock < 86400; ++i) {
        // Half the windows touch the one before.
        const int start =
            i > 0 && pick(random, 2) == 0 ? clock : random_clock(random, clock, 86400);
        if (start >= 86400) {
            break;
        }
        if (pick(random, 3) == 0) {
            // Overnight: ends the next day at or before its start time
            // (00:00 makes it an ordinary window to midnight).
            windows.push_back("[" + clock_json(start) + ", " +
                              clock_json(random_clock(random, 0, start)) + ", \"overnight\"]");
            break;  // nothing can follow it that day
        }
        // A quarter run to 24:00 (touching the next day).
        const int end = pick(random, 4) == 0
                            ? 86400
                            : std::min(86400, random_clock(random, start + 900, start + 10 * 3600));
        windows.push_back("[" + clock_json(start) + ", " + clock_json(end) + "]");
        clock = end;
    }
    std::shuffle(windows.begin(), windows.end(), random);
    std::string json = "[";
    for (std::size_t i = 0; i < windows.size(); ++i) {
        json += (i ? ", " : "") + windows[i];
    }
    return json + "]";
}

inline std::string random_calendar(std::mt19937_64& random) {
    static const char* kKeys[7][3] = {{"mon", "Monday", "MON"},    {"tue", "tuesday", "Tue"},
                                      {"wed", "Wednesday", "WED"}, {"thu", "thursday", "Thu"},
                                      {"fri", "Friday", "FRI"},    {"sat", "saturday", "Sat"},
                                      {"sun", "Sunday", "SUN"}};
    std::string json = R"({"time_zone": "UTC", "week": {)";
    bool first = true;
    for (int day = 0; day < 7; ++day) {
        if (pick(random, 4) == 0) {
            continue;  // closed
        }
        json += std::string(first ? "" : ", ") + "\"" + kKeys[day][pick(random, 3)] +
                "\": " + random_windows(random);
        first = false;
    }
    json += "}";
    const int form = pick(random, 4);
    if (form == 0) {
        return json + "}";
    }
    // A few dates in a row, in 2025 or at either edge of the covered years.
    const std::int64_t bases[] = {day_number({2025, 12, 20}), day_number({1900, 1, 1}),
                                  day_number({2299, 12, 24})};
    const std::int64_t base = bases[pick(random, 3)] + pick(random, 7);
    std::set<std::int64_t> days;
    const int count = 1 + pick(random, 5);
    for (int i = 0; i < count; ++i) {
        days.insert(std::min(base + pick(random, 8), day_number({2299, 12, 31})));
    }
    json += R"(, "holidays": )";
    std::string holidays;
    for (const std::int64_t day : days) {
        const std::string date = "\"" + format_civil_date(civil_date(day)) + "\"";
        holidays +=
            (holidays.empty() ? "" : ", ") +
            (form == 1 ? date
                       : date + ": " + (pick(random, 3) == 0 ? "[]" : random_windows(random)));
    }
    return json + (form == 1 ? "[" + holidays + "]" : "{" + holidays + "}") + "}";
}

}  // namespace leadscore::core::testing
