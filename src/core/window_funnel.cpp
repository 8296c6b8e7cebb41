#include "window_funnel.hpp"

#include <algorithm>
#include <cstdint>
#include <array>
#include <optional>
#include <cstring>
#include <limits>
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
    const bool within =
        static_cast<__int128>(entry.time) <= static_cast<__int128>(previous->first) + window_;
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
                const bool matches =
                    step == 0 ? rows[row].steps == 0 : (rows[row].steps >> (step - 1)) & 1U;
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
