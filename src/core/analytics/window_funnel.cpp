#include "core/analytics/window_funnel.hpp"

#include <algorithm>
#include <cstdint>
#include <array>
#include <cstring>
#include <limits>
#include <string>

#include "core/common/ascii.hpp"
#include "core/common/error.hpp"
#include "core/common/quote.hpp"

namespace leadscore::core {

bool FunnelModes::operator==(const FunnelModes& other) const {
    return strict_deduplication == other.strict_deduplication &&
           strict_order == other.strict_order && strict_increase == other.strict_increase &&
           strict_once == other.strict_once && allow_reentry == other.allow_reentry;
}

FunnelModes parse_funnel_modes(std::string_view text) {
    const std::string_view all = text;
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
                        "unknown window_funnel mode " + quote_for_message(name) + " in " +
                            quote_for_message(all),
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

// A chain's ends: when it started, when it reached its level, and the row
// that brought it there.
struct Link {
    std::int64_t first;
    std::int64_t last;
    std::size_t row;
};

using StepTimes = std::array<std::int64_t, kMaxFunnelSteps>;

// Per level (index = level - 1) the latest chain to reach it, the one it
// replaced (for strict_once) and, for the times, the first. A level's entry
// is valid when its bit is set; the arrays are left uninitialised, since a
// group is evaluated per call of the final function and most reach one or
// two levels. The step times are kept only when asked for.
class Scan {
  public:
    Scan(int step_count, std::int64_t window, const FunnelModes& modes, FunnelOutput output)
        : step_count_(step_count),
          window_(window),
          modes_(modes),
          with_times_(output == FunnelOutput::kLevelAndTimes) {}

    // False once the scan must stop (a mode ended it, or every step is reached).
    bool take(const Entry& entry);

    FunnelResult result() const {
        FunnelResult out;
        // Levels are never given up, so the deepest is the highest bit.
        for (std::uint32_t reached = reached_; reached != 0; reached >>= 1) {
            ++out.level;
        }
        if (with_times_ && out.level > 0) {
            const StepTimes& times = first_times_[static_cast<std::size_t>(out.level - 1)];
            out.times.assign(times.begin(), times.begin() + out.level);
        }
        return out;
    }

  private:
    static bool has(std::uint32_t levels, std::size_t index) { return (levels >> index) & 1U; }

    // The chain `link` reached level index + 1; its earlier steps' times
    // are `earlier` (times only).
    void reach(std::size_t index, const Link& link, const StepTimes* earlier) {
        const std::uint32_t bit = 1U << index;
        // Kept for strict_once: the chain this level had before the row
        // that replaces it, so a later step of the same row can use it.
        before_ = (before_ & ~bit) | (reached_ & bit);
        if (has(reached_, index)) {
            before_links_[index] = reached_links_[index];
        }
        if (with_times_) {
            if (has(reached_, index)) {
                std::copy_n(reached_times_[index].begin(), index + 1, before_times_[index].begin());
            }
            if (earlier != nullptr) {
                std::copy_n(earlier->begin(), index, reached_times_[index].begin());
            }
            reached_times_[index][index] = link.last;
            if (!has(first_, index)) {
                first_ |= bit;
                std::copy_n(reached_times_[index].begin(), index + 1, first_times_[index].begin());
            }
        }
        reached_ |= bit;
        reached_links_[index] = link;
    }

    int step_count_;
    std::int64_t window_;
    FunnelModes modes_;
    bool with_times_;
    bool started_ = false;
    std::uint32_t reached_ = 0;  // bit i: level i + 1 has a chain
    std::uint32_t before_ = 0;
    std::uint32_t first_ = 0;
    std::array<Link, kMaxFunnelSteps> reached_links_;
    std::array<Link, kMaxFunnelSteps> before_links_;
    std::array<StepTimes, kMaxFunnelSteps> reached_times_;
    std::array<StepTimes, kMaxFunnelSteps> before_times_;
    std::array<StepTimes, kMaxFunnelSteps> first_times_;
};

bool Scan::take(const Entry& entry) {
    if (entry.step == 0) {  // strict_order: any other event after the start ends it
        return !started_;
    }
    if (entry.step == 1) {
        reach(0, {entry.time, entry.time, entry.row}, nullptr);
        started_ = true;
        return step_count_ > 1;
    }
    const std::size_t index = static_cast<std::size_t>(entry.step - 1);
    if (modes_.strict_deduplication && has(reached_, index)) {
        return false;  // the step came again: the search ends here
    }
    if (modes_.strict_order && started_ && !has(reached_, index - 1)) {
        return modes_.allow_reentry;  // out of order: ends the search, or is ignored
    }
    // The chain one level down this step may continue: under strict_once
    // not one this same row brought there.
    const bool from_before = modes_.strict_once && has(reached_, index - 1) &&
                             reached_links_[index - 1].row == entry.row;
    if (!has(from_before ? before_ : reached_, index - 1)) {
        return true;
    }
    const Link& previous = from_before ? before_links_[index - 1] : reached_links_[index - 1];
    // (In 128 bits: first + window may pass the int64 range.)
    const bool within =
        static_cast<__int128>(entry.time) <= static_cast<__int128>(previous.first) + window_;
    const bool increasing = !modes_.strict_increase || previous.last < entry.time;
    if (within && increasing) {
        const StepTimes* earlier = nullptr;
        if (with_times_) {
            earlier = from_before ? &before_times_[index - 1] : &reached_times_[index - 1];
        }
        reach(index, {previous.first, entry.time, entry.row}, earlier);
        if (entry.step == step_count_) {
            return false;
        }
    }
    return true;
}

}  // namespace

FunnelResult evaluate_funnel(FunnelRow* rows, std::size_t count, int step_count,
                             std::int64_t window, const FunnelModes& modes, FunnelOutput output) {
    std::sort(rows, rows + count, [](const FunnelRow& a, const FunnelRow& b) {
        return a.time != b.time ? a.time < b.time : a.steps < b.steps;
    });
    Scan scan(step_count, window, modes, output);
    // Rows of one instant, step by step: all step-1 entries first, and so on.
    std::size_t begin = 0;
    while (begin < count) {
        std::size_t end = begin;
        std::uint32_t steps = 0;  // the steps any row of this instant matched
        while (end < count && rows[end].time == rows[begin].time) {
            steps |= rows[end].steps;
            ++end;
        }
        // Rows that matched no step matter only to strict_order.
        if (modes.strict_order) {
            for (std::size_t row = begin; row < end; ++row) {
                if (rows[row].steps == 0 && !scan.take({rows[row].time, 0, row})) {
                    return scan.result();
                }
            }
        }
        for (int step = 1; steps != 0; ++step, steps >>= 1) {
            if ((steps & 1U) == 0) {
                continue;
            }
            for (std::size_t row = begin; row < end; ++row) {
                if (((rows[row].steps >> (step - 1)) & 1U) != 0 &&
                    !scan.take({rows[row].time, step, row})) {
                    return scan.result();
                }
            }
        }
        begin = end;
    }
    return scan.result();
}

}  // namespace leadscore::core

namespace leadscore::core {

namespace {

constexpr char kFunnelMagic[4] = {'L', 'S', 'W', 'F'};

std::uint32_t mode_bits(const FunnelModes& modes) {
    return (modes.strict_deduplication ? 1U : 0U) | (modes.strict_order ? 2U : 0U) |
           (modes.strict_increase ? 4U : 0U) | (modes.strict_once ? 8U : 0U) |
           (modes.allow_reentry ? 16U : 0U);
}

template <typename T>
void put(char*& out, T value) {
    std::memcpy(out, &value, sizeof value);
    out += sizeof value;
}

template <typename T>
T get(const char* bytes, std::size_t offset) {
    T value;
    std::memcpy(&value, bytes + offset, sizeof value);
    return value;
}

[[noreturn]] void corrupted(const std::string& what) {
    corrupted_state("window_funnel", what);
}

}  // namespace

std::size_t serialized_funnel_size(std::size_t rows) {
    return kFunnelHeaderSize + rows * kFunnelRowSize;
}

void serialize_funnel(const FunnelSettings& settings, const FunnelRow* rows, std::size_t count,
                      char* out) {
    std::memcpy(out, kFunnelMagic, sizeof kFunnelMagic);
    out += sizeof kFunnelMagic;
    put(out, static_cast<std::uint32_t>(settings.step_count));
    put(out, mode_bits(settings.modes));
    put(out, std::uint32_t{0});  // padding, always zero
    put(out, settings.window);
    put(out, static_cast<std::uint64_t>(count));
    for (std::size_t i = 0; i < count; ++i) {
        put(out, rows[i].time);
        put(out, rows[i].steps);
    }
}

FunnelSettings read_serialized_funnel(const char* bytes, std::size_t size, std::size_t& count) {
    if (size < kFunnelHeaderSize || std::memcmp(bytes, kFunnelMagic, sizeof kFunnelMagic) != 0) {
        corrupted("not a window_funnel state (" + std::to_string(size) + " bytes)");
    }
    FunnelSettings settings;
    const auto steps = get<std::uint32_t>(bytes, 4);
    const auto modes = get<std::uint32_t>(bytes, 8);
    // (0 steps: a state that has seen no row with steps yet)
    if (steps > kMaxFunnelSteps) {
        corrupted(std::to_string(steps) + " steps");
    }
    if (modes > 31 || get<std::uint32_t>(bytes, 12) != 0) {
        corrupted("unknown mode bits " + std::to_string(modes));
    }
    settings.step_count = static_cast<int>(steps);
    settings.modes.strict_deduplication = modes & 1U;
    settings.modes.strict_order = modes & 2U;
    settings.modes.strict_increase = modes & 4U;
    settings.modes.strict_once = modes & 8U;
    settings.modes.allow_reentry = modes & 16U;
    settings.window = get<std::int64_t>(bytes, 16);
    if (settings.window <= 0) {
        corrupted("window " + std::to_string(settings.window));
    }
    const auto rows = get<std::uint64_t>(bytes, 24);
    if (rows > kMaxFunnelRows || size != serialized_funnel_size(rows)) {
        corrupted(std::to_string(rows) + " rows in " + std::to_string(size) + " bytes");
    }
    if (steps == 0 && rows != 0) {
        corrupted(std::to_string(rows) + " rows without steps");
    }
    count = rows;
    const std::uint32_t valid = steps == 32 ? ~0U : (1U << steps) - 1;
    for (std::size_t i = 0; i < count; ++i) {
        const FunnelRow row = serialized_funnel_row(bytes, i);
        if ((row.steps & ~valid) != 0 || (row.steps == 0 && !settings.modes.strict_order)) {
            corrupted("row " + std::to_string(i) + " matches steps " + std::to_string(row.steps));
        }
        if (row.time == std::numeric_limits<std::int64_t>::min() ||
            row.time == std::numeric_limits<std::int64_t>::max()) {
            corrupted("row " + std::to_string(i) + " has an infinite time");
        }
    }
    return settings;
}

FunnelRow serialized_funnel_row(const char* bytes, std::size_t index) {
    const std::size_t offset = kFunnelHeaderSize + index * kFunnelRowSize;
    return {get<std::int64_t>(bytes, offset), get<std::uint32_t>(bytes, offset + 8)};
}

}  // namespace leadscore::core
