#include "window_funnel.hpp"

#include <algorithm>
#include <cstdint>
#include <array>
#include <optional>
#include <string>

#include "ascii.hpp"
#include "error.hpp"
#include "quote.hpp"

namespace leadscore::core {

bool FunnelModes::operator==(const FunnelModes& other) const {
    return strict_deduplication == other.strict_deduplication &&
           strict_order == other.strict_order && strict_increase == other.strict_increase &&
           strict_once == other.strict_once && allow_reentry == other.allow_reentry;
}

FunnelModes parse_funnel_modes(std::string_view text) {
    FunnelModes modes;
    while (!text.empty()) {
        const std::size_t comma = text.find(',');
        std::string_view name = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
        while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) {
            name.remove_prefix(1);
        }
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) {
            name.remove_suffix(1);
        }
        if (name.empty() && comma == std::string_view::npos && text.empty()) {
            break;
        }
        if (equals_folded(name, "strict_deduplication")) {
            modes.strict_deduplication = true;
        } else if (equals_folded(name, "strict_order")) {
            modes.strict_order = true;
        } else if (equals_folded(name, "strict_increase")) {
            modes.strict_increase = true;
        } else if (equals_folded(name, "strict_once")) {
            modes.strict_once = true;
        } else if (equals_folded(name, "allow_reentry")) {
            modes.allow_reentry = true;
        } else {
            throw Error(sqlstate::kInvalidParameterValue,
                        "unknown window_funnel mode " + quote_for_message(name),
                        "Modes are strict_deduplication, strict_order, strict_increase, "
                        "strict_once and allow_reentry, separated by commas.");
        }
    }
    return modes;
}

namespace {

// One step of one row, as the scan sees it.
struct Entry {
    std::int64_t time;
    int step;  // 1-based; 0: a row that matched no step (strict_order only)
    std::size_t row;
};

// The chain that reached a level: when it started, when it reached the
// level, the row that brought it there, and (for the times) its steps.
struct Chain {
    std::int64_t first;
    std::int64_t last;
    std::size_t row;
    std::array<std::int64_t, kMaxFunnelSteps> times;
};

class Scan {
  public:
    Scan(int step_count, std::int64_t window, const FunnelModes& modes)
        : step_count_(step_count), window_(window), modes_(modes) {}

    // False once the scan must stop (a mode ended it, or every step is reached).
    bool take(const Entry& entry);

    FunnelResult result() const {
        FunnelResult out;
        out.level = deepest();
        if (out.level > 0) {
            const Chain& chain = *first_to_reach_[static_cast<std::size_t>(out.level - 1)];
            out.times.assign(chain.times.begin(), chain.times.begin() + out.level);
        }
        return out;
    }

  private:
    int deepest() const {
        for (int level = step_count_; level > 0; --level) {
            if (reached_[static_cast<std::size_t>(level - 1)]) {
                return level;
            }
        }
        return 0;
    }

    void reach(int level, const Chain& chain) {
        const std::size_t index = static_cast<std::size_t>(level - 1);
        // Kept for strict_once: the chain this level had before the row
        // that replaces it, so a later step of the same row can use it.
        before_[index] = reached_[index];
        reached_[index] = chain;
        if (!first_to_reach_[index]) {
            first_to_reach_[index] = chain;
        }
    }

    // The chain at `level` a step of `row` may continue.
    const std::optional<Chain>& continuable(int level, std::size_t row) const {
        const std::size_t index = static_cast<std::size_t>(level - 1);
        if (modes_.strict_once && reached_[index] && reached_[index]->row == row) {
            return before_[index];
        }
        return reached_[index];
    }

    int step_count_;
    std::int64_t window_;
    FunnelModes modes_;
    bool started_ = false;
    std::array<std::optional<Chain>, kMaxFunnelSteps> reached_;
    std::array<std::optional<Chain>, kMaxFunnelSteps> before_;
    std::array<std::optional<Chain>, kMaxFunnelSteps> first_to_reach_;
};

bool Scan::take(const Entry& entry) {
    if (entry.step == 0) {  // strict_order: any other event after the start ends it
        return !started_;
    }
    if (entry.step == 1) {
        Chain chain{entry.time, entry.time, entry.row, {}};
        chain.times[0] = entry.time;
        reach(1, chain);
        started_ = true;
        return step_count_ > 1;
    }
    const std::size_t index = static_cast<std::size_t>(entry.step - 1);
    if (modes_.strict_deduplication && reached_[index]) {
        return false;  // the step came again: the search ends here
    }
    const std::optional<Chain>& previous = continuable(entry.step - 1, entry.row);
    if (modes_.strict_order && started_ && !reached_[index - 1]) {
        return modes_.allow_reentry;  // out of order: ends the search, or is ignored
    }
    if (!previous) {
        return true;
    }
    // (In 128 bits: first + window may pass the int64 range.)
    const bool within = static_cast<__int128>(entry.time) <=
                        static_cast<__int128>(previous->first) + window_;
    const bool increasing = !modes_.strict_increase || previous->last < entry.time;
    if (within && increasing) {
        Chain chain = *previous;
        chain.last = entry.time;
        chain.row = entry.row;
        chain.times[index] = entry.time;
        reach(entry.step, chain);
        if (entry.step == step_count_) {
            return false;
        }
    }
    return true;
}

}  // namespace

FunnelResult evaluate_funnel(std::vector<FunnelRow>& rows, int step_count, std::int64_t window,
                             const FunnelModes& modes) {
    std::sort(rows.begin(), rows.end(), [](const FunnelRow& a, const FunnelRow& b) {
        return a.time != b.time ? a.time < b.time : a.steps < b.steps;
    });
    Scan scan(step_count, window, modes);
    // Rows of one instant, step by step: all step-1 entries first, and so on.
    std::size_t begin = 0;
    while (begin < rows.size()) {
        std::size_t end = begin;
        while (end < rows.size() && rows[end].time == rows[begin].time) {
            ++end;
        }
        // Rows that matched no step matter only to strict_order.
        for (int step = modes.strict_order ? 0 : 1; step <= step_count; ++step) {
            for (std::size_t row = begin; row < end; ++row) {
                const bool matches = step == 0 ? rows[row].steps == 0
                                               : (rows[row].steps >> (step - 1)) & 1U;
                if (matches && !scan.take({rows[row].time, step, row})) {
                    return scan.result();
                }
            }
        }
        begin = end;
    }
    return scan.result();
}

}  // namespace leadscore::core
