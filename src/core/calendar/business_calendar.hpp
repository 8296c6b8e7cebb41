// Business-time arithmetic over a calendar: add, diff, is-within and next
// start, exact to the microsecond.
//
// Business time is real elapsed time inside the calendar's local windows.
// Each window is mapped to instants with the zone's rules (local_time.hpp),
// so on a daylight-saving day a 09:00-17:00 window still opens at 09:00 on
// the wall clock, and a window across the jump is an hour shorter or longer.
//
// The instants are built one local year at a time, on first use, into sorted
// disjoint intervals with running totals; an operation is then a binary
// search in one or two years plus the totals of the whole years between, so
// adding a year costs about what adding an hour costs. Years outside
// kFirstCalendarYear..kLastCalendarYear are an error (22008).
#pragma once

#include <memory>
#include <vector>

#include "core/calendar/calendar_definition.hpp"
#include "core/calendar/civil_date.hpp"
#include "core/calendar/local_time.hpp"

namespace leadscore::core {

class BusinessCalendar {
  public:
    BusinessCalendar(std::string name, CalendarDefinition definition,
                     std::unique_ptr<TimeZoneRules> zone);

    // The instant at which `amount` of business time has passed since
    // `start` (before `start` for a negative amount): the earliest such
    // instant going forward (an 8-hour day that starts at 09:00 ends at
    // 17:00, not at 09:00 the next morning), the latest going backward.
    // A zero amount returns `start`, business time or not. An answer
    // outside the covered years is Error 22008, as a start there is.
    Micros add(Micros start, Micros amount);

    // Business time between the two instants, negative when finish < start.
    Micros diff(Micros start, Micros finish);

    bool is_business_time(Micros instant);

    // `instant` itself inside business time, else the start of the next window.
    Micros next_start(Micros instant);

    const std::string& name() const { return name_; }
    const CalendarDefinition& definition() const { return definition_; }

  private:
    // One local year's business time: intervals [starts[i], ends[i]) in time
    // order, and before[i] the business time of the year before starts[i]
    // (before has one more entry: the year's total).
    struct Year {
        bool built = false;
        std::vector<Micros> starts;
        std::vector<Micros> ends;
        std::vector<Micros> before;
        Micros total() const { return before.back(); }
    };

    const Year& year(int number);
    void build(int number, Year& year) const;
    CivilDate local_date(Micros instant) const;
    int local_year(Micros instant) const;
    // `result` of a forward add when its local date lies in the covered
    // years, else Error 22008.
    Micros covered(Micros result) const;
    // Business time of year `number` before `instant`.
    Micros inside(int number, Micros instant);
    [[noreturn]] void out_of_range(const char* what) const;

    std::string name_;
    CalendarDefinition definition_;
    std::unique_ptr<TimeZoneRules> zone_;
    std::vector<Year> years_;
};

}  // namespace leadscore::core
