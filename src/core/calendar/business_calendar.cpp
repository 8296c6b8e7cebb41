#include "core/calendar/business_calendar.hpp"

#include <algorithm>
#include <limits>

#include "core/calendar/civil_date.hpp"
#include "core/common/error.hpp"
#include "core/common/quote.hpp"

namespace leadscore::core {

namespace {

constexpr Micros kMicrosPerSecond = 1000000;
constexpr Micros kMicrosPerDay = 86400 * kMicrosPerSecond;

Micros floor_div(Micros a, Micros b) {
    return a / b - (a % b < 0 ? 1 : 0);
}

}  // namespace

BusinessCalendar::BusinessCalendar(std::string name, CalendarDefinition definition,
                                   std::unique_ptr<TimeZoneRules> zone)
    : name_(std::move(name)),
      definition_(std::move(definition)),
      zone_(std::move(zone)),
      years_(kLastCalendarYear - kFirstCalendarYear + 1) {}

void BusinessCalendar::out_of_range(const char* what) const {
    throw Error(sqlstate::kDatetimeFieldOverflow,
                std::string(what) + " is outside the years calendar " + quote_for_message(name_) +
                    " covers",
                "Calendars cover local dates from " + std::to_string(kFirstCalendarYear) +
                    "-01-01 to " + std::to_string(kLastCalendarYear) + "-12-31.");
}

CivilDate BusinessCalendar::local_date(Micros instant) const {
    return civil_date(floor_div(instant_to_local(*zone_, instant), kMicrosPerDay));
}

int BusinessCalendar::local_year(Micros instant) const {
    const CivilDate date = local_date(instant);
    if (date.year < kFirstCalendarYear || date.year > kLastCalendarYear) {
        out_of_range(("the local date " + format_civil_date(date)).c_str());
    }
    return date.year;
}

// Every window of every day of the year, holidays replacing weekdays, mapped
// to instants; windows that touch (across midnight, or after a jump of the
// clocks) become one interval, and a window the clocks skipped entirely is
// dropped.
void BusinessCalendar::build(int number, Year& year) const {
    const std::int64_t first = day_number({number, 1, 1});
    const std::int64_t last = day_number({number + 1, 1, 1});
    auto holiday = std::lower_bound(definition_.holidays.begin(), definition_.holidays.end(), first,
                                    [](const Holiday& h, std::int64_t day) { return h.day < day; });
    for (std::int64_t day = first; day < last; ++day) {
        const DayWindows* windows = &definition_.week[static_cast<std::size_t>(weekday(day))];
        if (holiday != definition_.holidays.end() && holiday->day == day) {
            windows = &holiday->windows;
            ++holiday;
        }
        const Micros midnight = day * kMicrosPerDay;
        for (const LocalWindow& window : *windows) {
            const Micros start =
                local_to_instant(*zone_, midnight + window.start * kMicrosPerSecond);
            const Micros end = local_to_instant(*zone_, midnight + window.end * kMicrosPerSecond);
            if (end <= start) {
                continue;
            }
            if (!year.ends.empty() && start <= year.ends.back()) {
                year.ends.back() = std::max(year.ends.back(), end);
            } else {
                year.starts.push_back(start);
                year.ends.push_back(end);
            }
        }
    }
    year.before.reserve(year.starts.size() + 1);
    Micros total = 0;
    for (std::size_t i = 0; i < year.starts.size(); ++i) {
        year.before.push_back(total);
        total += year.ends[i] - year.starts[i];
    }
    year.before.push_back(total);
    year.built = true;
}

const BusinessCalendar::Year& BusinessCalendar::year(int number) {
    Year& year = years_[static_cast<std::size_t>(number - kFirstCalendarYear)];
    if (!year.built) {
        // Built aside and moved in, so a failure (out of memory) leaves no
        // half-built year behind in the cache.
        Year fresh;
        build(number, fresh);
        year = std::move(fresh);
    }
    return year;
}

Micros BusinessCalendar::inside(int number, Micros instant) {
    if (number < kFirstCalendarYear) {
        return 0;
    }
    const Year& y = year(number);
    const auto after = std::upper_bound(y.starts.begin(), y.starts.end(), instant);
    if (after == y.starts.begin()) {
        return 0;
    }
    const std::size_t i = static_cast<std::size_t>(after - y.starts.begin()) - 1;
    return y.before[i] + std::min(instant, y.ends[i]) - y.starts[i];
}

// The years before the start's and the finish's are counted up to the
// instants too: a year's last window may run past midnight into the next
// year, and past the start or the finish there. Only the years strictly
// between count whole.
Micros BusinessCalendar::diff(Micros start, Micros finish) {
    if (finish < start) {
        return -diff(finish, start);
    }
    const int first = local_year(start);
    const int last = local_year(finish);
    Micros total = 0;
    for (int number = first - 1; number <= last; ++number) {
        if (number > first && number < last - 1) {
            total += year(number).total();
        } else {
            total += inside(number, finish) - inside(number, start);
        }
    }
    return total;
}

// The last covered year's last window may run past midnight into 2300: an
// answer there would be refused by every other function (business_diff
// could not give the amount back), so it is an error too. (Going back, an
// answer lies in a window of a covered day.)
Micros BusinessCalendar::covered(Micros result) const {
    const CivilDate date = local_date(result);
    if (date.year > kLastCalendarYear) {
        out_of_range(("the result (local date " + format_civil_date(date) + ")").c_str());
    }
    return result;
}

Micros BusinessCalendar::add(Micros start, Micros amount) {
    if (amount == 0) {
        local_year(start);  // a start outside the covered years is an error, as for any amount
        return start;
    }
    if (amount == std::numeric_limits<Micros>::min()) {  // has no opposite
        out_of_range("the result");
    }
    if (amount > 0) {
        Micros remaining = amount;
        for (int number = std::max(local_year(start) - 1, kFirstCalendarYear);
             number <= kLastCalendarYear; ++number) {
            const Year& y = year(number);
            const Micros used = inside(number, start);
            if (remaining <= y.total() - used) {
                // The first interval whose running total reaches the target.
                const Micros target = used + remaining;
                const std::size_t i = static_cast<std::size_t>(
                    std::lower_bound(y.before.begin() + 1, y.before.end(), target) -
                    (y.before.begin() + 1));
                return covered(y.starts[i] + (target - y.before[i]));
            }
            remaining -= y.total() - used;
        }
        out_of_range("the result");
    }
    Micros remaining = -amount;
    for (int number = local_year(start); number >= kFirstCalendarYear; --number) {
        const Year& y = year(number);
        const Micros used = inside(number, start);
        if (remaining <= used) {
            // The first interval whose running total passes the target: the
            // latest instant with that much business time before `start`.
            const Micros target = used - remaining;
            const std::size_t i = static_cast<std::size_t>(
                std::upper_bound(y.before.begin() + 1, y.before.end(), target) -
                (y.before.begin() + 1));
            return y.starts[i] + (target - y.before[i]);
        }
        remaining -= used;
    }
    out_of_range("the result");
}

bool BusinessCalendar::is_business_time(Micros instant) {
    const int number = local_year(instant);
    const Year& y = year(number);
    const auto after = std::upper_bound(y.starts.begin(), y.starts.end(), instant);
    if (after != y.starts.begin()) {
        return instant < y.ends[static_cast<std::size_t>(after - y.starts.begin()) - 1];
    }
    if (number == kFirstCalendarYear) {
        return false;
    }
    const Year& previous = year(number - 1);
    return !previous.ends.empty() && instant < previous.ends.back();
}

Micros BusinessCalendar::next_start(Micros instant) {
    if (is_business_time(instant)) {
        return instant;
    }
    for (int number = local_year(instant); number <= kLastCalendarYear; ++number) {
        const Year& y = year(number);
        const auto after = std::upper_bound(y.starts.begin(), y.starts.end(), instant);
        if (after != y.starts.end()) {
            return *after;
        }
    }
    out_of_range("the next business time");
}

}  // namespace leadscore::core
