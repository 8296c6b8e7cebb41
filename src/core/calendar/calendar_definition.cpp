#include "core/calendar/calendar_definition.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/common/ascii.hpp"
#include "core/calendar/civil_date.hpp"
#include "core/common/document_limits.hpp"
#include "core/common/json_check.hpp"
#include "core/common/object_name.hpp"
#include "core/common/quote.hpp"
#include "core/common/stop_check.hpp"

namespace leadscore::core {

namespace {

using json = nlohmann::json;

constexpr std::int32_t kSecondsPerDay = 86400;
constexpr std::array<std::string_view, 7> kDayKeys = {"mon", "tue", "wed", "thu",
                                                      "fri", "sat", "sun"};
constexpr std::array<std::string_view, 7> kDayNames = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
constexpr char kWindowExample[] =
    R"(Example: ["09:00", "17:00"], or ["22:00", "06:00", "overnight"] for a night shift.)";

// "HH:MM" or "HH:MM:SS", 00:00 to 24:00, as seconds after midnight.
std::optional<std::int32_t> parse_clock(std::string_view text) {
    if (text.size() != 5 && text.size() != 8) {
        return std::nullopt;
    }
    std::int32_t parts[3] = {0, 0, 0};
    for (std::size_t i = 0; i * 3 < text.size(); ++i) {
        const char high = text[i * 3];
        const char low = text[i * 3 + 1];
        if (high < '0' || high > '9' || low < '0' || low > '9' ||
            (i * 3 + 2 < text.size() && text[i * 3 + 2] != ':')) {
            return std::nullopt;
        }
        parts[i] = (high - '0') * 10 + (low - '0');
    }
    if (parts[1] > 59 || parts[2] > 59 || parts[0] > 24 ||
        (parts[0] == 24 && (parts[1] != 0 || parts[2] != 0))) {
        return std::nullopt;
    }
    return parts[0] * 3600 + parts[1] * 60 + parts[2];
}

std::string clock_text(std::int32_t seconds) {
    char text[16];
    if (seconds % 60 == 0) {
        std::snprintf(text, sizeof text, "%02d:%02d", seconds / 3600, seconds / 60 % 60);
    } else {
        std::snprintf(text, sizeof text, "%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60,
                      seconds % 60);
    }
    return text;
}

std::string window_text(const LocalWindow& window) {
    if (window.end > kSecondsPerDay) {
        return "[" + clock_text(window.start) + ", " + clock_text(window.end - kSecondsPerDay) +
               ", overnight]";
    }
    return "[" + clock_text(window.start) + ", " + clock_text(window.end) + "]";
}

class CalendarReader {
  public:
    CalendarReader(std::string_view name, DocumentSource source)
        : document_("calendar " + quote_for_message(name)),
          check_(document_),
          limited_(source == DocumentSource::Definition) {}

    CalendarDefinition read(const json& document) const;

  private:
    std::string document_;
    JsonChecker check_;
    bool limited_;

    std::int32_t clock_at(const json& value, const std::string& path) const;
    LocalWindow window_at(const json& value, const std::string& path) const;
    DayWindows windows_at(const json& value, const std::string& path) const;
    void read_week(const json& week, CalendarDefinition& calendar) const;
    void read_holidays(const json& holidays, CalendarDefinition& calendar) const;
    std::int64_t date_at(const std::string& text, const std::string& path) const;
    void check_spills(const CalendarDefinition& calendar) const;
};

std::int32_t CalendarReader::clock_at(const json& value, const std::string& path) const {
    if (value.is_string()) {
        if (const auto seconds = parse_clock(value.get_ref<const std::string&>())) {
            return *seconds;
        }
    }
    check_.wrong_type(path, value, "a time of day \"HH:MM\" from 00:00 to 24:00", kWindowExample);
}

LocalWindow CalendarReader::window_at(const json& value, const std::string& path) const {
    const bool overnight = value.is_array() && value.size() == 3 && value[2] == "overnight";
    if (!value.is_array() || (value.size() != 2 && !overnight)) {
        check_.wrong_type(path, value, "a window [start, end]", kWindowExample);
    }
    LocalWindow window{clock_at(value[0], path + "[0]"), clock_at(value[1], path + "[1]")};
    if (overnight) {
        if (window.start == kSecondsPerDay || window.end > window.start) {
            check_.fail(path,
                        "an overnight window starts before midnight and ends at or before its "
                        "start time on the next day, got " +
                            quote_for_message(value.dump()),
                        kWindowExample);
        }
        // Ending at 00:00 the next day is ending at 24:00 today: an
        // ordinary window from here on.
        window.end += kSecondsPerDay;
        return window;
    }
    if (window.start >= window.end) {
        check_.fail(path,
                    "the window ends at " + clock_text(window.end) + ", not after it starts at " +
                        clock_text(window.start),
                    "Mark a window that runs past midnight: [\"" + clock_text(window.start) +
                        "\", \"" + clock_text(window.end) + "\", \"overnight\"].");
    }
    return window;
}

DayWindows CalendarReader::windows_at(const json& value, const std::string& path) const {
    if (!value.is_array()) {
        check_.wrong_type(path, value, "a list of windows (empty when closed)",
                          R"(Example: [["09:00", "12:00"], ["13:00", "17:00"]].)");
    }
    if (limited_ && value.size() > kMaxWindowsPerDay) {
        document_too_large(document_, path, value.size(), kMaxWindowsPerDay, "windows in one day",
                           "A day has at most " + std::to_string(kMaxWindowsPerDay) +
                               " windows; windows that touch are one window.");
    }
    std::vector<std::pair<LocalWindow, std::size_t>> read;
    for (std::size_t i = 0; i < value.size(); ++i) {
        read.emplace_back(window_at(value[i], path + "[" + std::to_string(i) + "]"), i);
    }
    std::sort(read.begin(), read.end(),
              [](const auto& a, const auto& b) { return a.first.start < b.first.start; });
    DayWindows windows;
    for (std::size_t i = 0; i < read.size(); ++i) {
        const LocalWindow& window = read[i].first;
        if (i > 0 && window.start < read[i - 1].first.end) {
            check_.fail(
                path + "[" + std::to_string(read[i].second) + "]",
                "the window " + window_text(window) + " overlaps " + window_text(read[i - 1].first),
                "Windows of a day must not overlap; windows that touch are joined.");
        }
        // Touching windows are one window, and a window lasts at most 24
        // hours: a longer one has no normal form. 0.6 joined 09:00-12:00 and
        // 12:00-10:00 overnight into ["09:00", "10:00", "overnight"], which
        // is no window: the stored calendar could be neither read back nor
        // restored nor defined again.
        if (!windows.empty() && windows.back().end == window.start) {
            const LocalWindow joined{windows.back().start, window.end};
            if (joined.end - joined.start > kSecondsPerDay) {
                const std::string from = clock_text(joined.start);
                const std::string until = clock_text(joined.end - kSecondsPerDay);
                check_.fail(
                    path + "[" + std::to_string(read[i].second) + "]",
                    "the window " + window_text(window) + " touches " +
                        window_text(windows.back()) + ": joined they run from " + from + " to " +
                        until + " the next day, longer than 24 hours",
                    "A window lasts at most 24 hours. End this day at midnight, [\"" + from +
                        "\", \"24:00\"], and give the next day a window [\"00:00\", \"" + until +
                        "\"]: windows that touch across midnight form one stretch.");
            }
            windows.back().end = window.end;
        } else {
            windows.push_back(window);
        }
    }
    return windows;
}

void CalendarReader::read_week(const json& week, CalendarDefinition& calendar) const {
    check_.object_at(week, "week", R"({"mon": [["09:00", "17:00"]], "tue": ...})");
    std::array<bool, 7> seen{};
    for (const auto& [key, value] : week.items()) {
        std::size_t day = 0;
        while (day < 7 && !equals_folded(key, kDayKeys[day]) &&
               !equals_folded(key, kDayNames[day])) {
            ++day;
        }
        if (day == 7) {
            check_.fail("week." + key, "unknown weekday " + quote_for_message(key),
                        "Weekdays: mon, tue, wed, thu, fri, sat, sun (or their full names).");
        }
        if (seen[day]) {
            check_.fail("week." + key, "weekday " + std::string(kDayKeys[day]) + " given twice",
                        "List each weekday once.");
        }
        seen[day] = true;
        calendar.week[day] = windows_at(value, "week." + key);
    }
    bool open = false;
    for (const DayWindows& windows : calendar.week) {
        open = open || !windows.empty();
    }
    if (!open) {
        check_.fail("week", "the week has no business time",
                    R"(Give at least one weekday a window, e.g. "mon": [["09:00", "17:00"]].)");
    }
}

std::int64_t CalendarReader::date_at(const std::string& text, const std::string& path) const {
    const auto date = parse_civil_date(text);
    if (!date) {
        check_.fail(path, "expected a date \"YYYY-MM-DD\", got " + quote_for_message(text),
                    R"(Example: "2025-12-25".)");
    }
    if (date->year < kFirstCalendarYear || date->year > kLastCalendarYear) {
        check_.fail(path, "the date " + text + " is outside the years calendars cover",
                    "Calendars cover " + std::to_string(kFirstCalendarYear) + " to " +
                        std::to_string(kLastCalendarYear) + ".");
    }
    return day_number(*date);
}

void CalendarReader::read_holidays(const json& holidays, CalendarDefinition& calendar) const {
    // Counted before any is read (the list form and the object form alike).
    if (limited_ && (holidays.is_array() || holidays.is_object()) &&
        holidays.size() > kMaxHolidays) {
        document_too_large(document_, "holidays", holidays.size(), kMaxHolidays, "holidays",
                           "A calendar has at most " + std::to_string(kMaxHolidays) + " holidays.");
    }
    if (holidays.is_array() || holidays.is_object()) {
        calendar.holidays.reserve(holidays.size());
    }
    if (holidays.is_array()) {
        for (std::size_t i = 0; i < holidays.size(); ++i) {
            stop_point();
            const std::string path = "holidays[" + std::to_string(i) + "]";
            if (!holidays[i].is_string()) {
                check_.wrong_type(path, holidays[i], "a date \"YYYY-MM-DD\"",
                                  R"(Example: ["2025-12-25", "2026-01-01"].)");
            }
            calendar.holidays.push_back(
                {date_at(holidays[i].get<std::string>(), path), DayWindows{}});
        }
    } else if (holidays.is_object()) {
        for (const auto& [key, value] : holidays.items()) {
            stop_point();
            const std::string path = "holidays." + key;
            calendar.holidays.push_back({date_at(key, path), windows_at(value, path)});
        }
    } else {
        check_.wrong_type("holidays", holidays, "an object of dates or a list of dates",
                          R"(Example: {"2025-12-25": [], "2025-12-24": [["09:00", "13:00"]]}.)");
    }
    std::sort(calendar.holidays.begin(), calendar.holidays.end(),
              [](const Holiday& a, const Holiday& b) { return a.day < b.day; });
    for (std::size_t i = 1; i < calendar.holidays.size(); ++i) {
        if (calendar.holidays[i].day == calendar.holidays[i - 1].day) {
            check_.fail("holidays",
                        "the date " + format_civil_date(civil_date(calendar.holidays[i].day)) +
                            " is listed twice",
                        "List each date once.");
        }
    }
}

// An overnight window must end before the next day's first window starts,
// whether that day is a weekday or a holiday.
void CalendarReader::check_spills(const CalendarDefinition& calendar) const {
    auto overlap = [](const DayWindows& today, const DayWindows& tomorrow) {
        return !today.empty() && !tomorrow.empty() &&
               today.back().end - kSecondsPerDay > tomorrow.front().start;
    };
    for (std::size_t day = 0; day < 7; ++day) {
        const std::size_t next = (day + 1) % 7;
        if (overlap(calendar.week[day], calendar.week[next])) {
            check_.fail("week." + std::string(kDayKeys[day]),
                        "the window " + window_text(calendar.week[day].back()) +
                            " runs into the first window of " + std::string(kDayKeys[next]) + ", " +
                            window_text(calendar.week[next].front()),
                        "End the overnight window before the next day's first window starts.");
        }
    }
    // A binary search per lookup: 100,000 holidays stay cheap to check.
    auto windows_of = [&](std::int64_t day) -> const DayWindows& {
        const auto found =
            std::lower_bound(calendar.holidays.begin(), calendar.holidays.end(), day,
                             [](const Holiday& h, std::int64_t d) { return h.day < d; });
        if (found != calendar.holidays.end() && found->day == day) {
            return found->windows;
        }
        return calendar.week[static_cast<std::size_t>(weekday(day))];
    };
    for (const Holiday& holiday : calendar.holidays) {
        stop_point();
        const std::string path = "holidays." + format_civil_date(civil_date(holiday.day));
        const DayWindows& before = windows_of(holiday.day - 1);
        if (overlap(before, holiday.windows)) {
            check_.fail(path,
                        "the window " + window_text(before.back()) +
                            " of the day before runs "
                            "into the holiday's first window " +
                            window_text(holiday.windows.front()),
                        "Start the holiday's first window after the overnight window ends.");
        }
        const DayWindows& after = windows_of(holiday.day + 1);
        if (overlap(holiday.windows, after)) {
            check_.fail(path,
                        "the holiday's window " + window_text(holiday.windows.back()) +
                            " runs into the next day's first window " + window_text(after.front()),
                        "End the overnight window before the next day's first window starts.");
        }
    }
}

CalendarDefinition CalendarReader::read(const json& document) const {
    check_.object_at(document, "",
                     R"({"time_zone": "America/New_York", "week": {"mon": [["09:00", "17:00"]]}})");
    check_.only_keys(document, "", {"time_zone", "week", "holidays"});
    CalendarDefinition calendar;
    if (!document.contains("time_zone")) {
        check_.fail("time_zone", "missing", "Name an IANA time zone, e.g. \"Europe/Berlin\".");
    }
    const json& zone = document["time_zone"];
    if (!zone.is_string() || zone.get_ref<const std::string&>().empty() ||
        zone.get_ref<const std::string&>().size() > 255) {
        check_.wrong_type("time_zone", zone, "an IANA time zone name",
                          "Example: \"Europe/Berlin\"; pg_timezone_names lists them.");
    }
    calendar.time_zone = zone.get<std::string>();
    if (!document.contains("week")) {
        check_.fail("week", "missing", R"(Example: "week": {"mon": [["09:00", "17:00"]]}.)");
    }
    read_week(document["week"], calendar);
    if (document.contains("holidays") && !document["holidays"].is_null()) {
        read_holidays(document["holidays"], calendar);
    }
    check_spills(calendar);
    return calendar;
}

nlohmann::ordered_json windows_json(const DayWindows& windows) {
    using ordered_json = nlohmann::ordered_json;
    ordered_json out = ordered_json::array();
    for (const LocalWindow& window : windows) {
        if (window.end > kSecondsPerDay) {
            out.push_back(ordered_json::array(
                {clock_text(window.start), clock_text(window.end - kSecondsPerDay), "overnight"}));
        } else {
            out.push_back(ordered_json::array({clock_text(window.start), clock_text(window.end)}));
        }
    }
    return out;
}

}  // namespace

CalendarDefinition parse_calendar(std::string_view definition_json, std::string_view name,
                                  DocumentSource source) {
    if (source == DocumentSource::Definition) {
        check_document_bytes(definition_json, kMaxCalendarBytes,
                             "calendar " + quote_for_message(name), "A calendar's definition");
    }
    const json document = json::parse(definition_json, nullptr, false);
    if (document.is_discarded()) {
        throw Error(sqlstate::kInvalidParameterValue,
                    "invalid calendar " + quote_for_message(name) + ": not valid JSON",
                    "Pass the definition as jsonb.");
    }
    return CalendarReader(name, source).read(document);
}

std::string normalised_calendar(std::string_view definition_json, std::string_view name,
                                DocumentSource source) {
    std::string normalised = calendar_json(parse_calendar(definition_json, name, source));
    if (source == DocumentSource::Definition) {
        check_document_bytes(normalised, kMaxCalendarBytes, "calendar " + quote_for_message(name),
                             "A calendar's definition", true);
    }
    return normalised;
}

std::string calendar_json(const CalendarDefinition& calendar) {
    nlohmann::ordered_json out;
    out["time_zone"] = calendar.time_zone;
    nlohmann::ordered_json week = nlohmann::ordered_json::object();
    for (std::size_t day = 0; day < 7; ++day) {
        week[std::string(kDayKeys[day])] = windows_json(calendar.week[day]);
    }
    out["week"] = week;
    // Appended, not assigned by key: an ordered_json object looks a key up
    // in a list, which made 100,000 holidays take 7 s in 0.6. The holidays
    // are sorted and distinct, so appending keeps the keys unique.
    nlohmann::ordered_json holidays = nlohmann::ordered_json::object();
    auto& entries = holidays.get_ref<nlohmann::ordered_json::object_t&>();
    entries.reserve(calendar.holidays.size());
    for (const Holiday& holiday : calendar.holidays) {
        stop_point();
        entries.emplace_back(format_civil_date(civil_date(holiday.day)),
                             windows_json(holiday.windows));
    }
    out["holidays"] = std::move(holidays);
    return out.dump();
}

void check_calendar_name(std::string_view name) {
    check_object_name(name, "calendar");
}

}  // namespace leadscore::core
