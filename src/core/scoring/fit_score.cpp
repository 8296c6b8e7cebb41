#include "core/scoring/fit_score.hpp"

#include <charconv>
#include <cmath>

#include "core/common/ascii.hpp"
#include "core/common/error.hpp"
#include "core/common/quote.hpp"
#include "core/stage/stage_labels.hpp"

namespace leadscore::core {

namespace {

bool blank(const Attribute& value) {
    return value.kind == Attribute::Kind::Missing || value.kind == Attribute::Kind::Null ||
           (value.kind == Attribute::Kind::String && trim_blanks(value.text).empty()) ||
           (value.kind == Attribute::Kind::Array && value.size == 0);
}

const char* kind_name(Attribute::Kind kind) {
    switch (kind) {
        case Attribute::Kind::String:
            return "a string";
        case Attribute::Kind::Number:
            return "a number";
        case Attribute::Kind::Boolean:
            return "a boolean";
        case Attribute::Kind::Array:
            return "an array";
        case Attribute::Kind::Object:
            return "an object";
        default:
            return "null";
    }
}

[[noreturn]] void wrong_attribute(const FitRule& rule, const Attribute& value,
                                  const char* expected) {
    if (value.kind == Attribute::Kind::Number && std::string_view(expected) == "a number") {
        // A JSON number that is not a double: beyond its range.
        throw Error(sqlstate::kInvalidParameterValue,
                    "attribute " + quote_for_message(rule.attribute) + " read by fit rule " +
                        quote_for_message(rule.name) + ": the number " +
                        quote_for_message(value.text, 24) + " is out of range",
                    "Numbers are compared as double precision (up to about 1e308).");
    }
    std::string got = kind_name(value.kind);
    if (value.kind == Attribute::Kind::String || value.kind == Attribute::Kind::Number) {
        got += " " + quote_for_message(value.text);
    }
    throw Error(sqlstate::kInvalidParameterValue,
                "attribute " + quote_for_message(rule.attribute) + " read by fit rule " +
                    quote_for_message(rule.name) + ": expected " + expected + ", got " + got,
                "Pass the attribute as " + std::string(expected) +
                    ", or leave it out (missing attributes score nothing).");
}

std::optional<double> number_of(const Attribute& value) {
    if (value.kind != Attribute::Kind::Number && value.kind != Attribute::Kind::String) {
        return std::nullopt;
    }
    const std::string_view digits = trim_blanks(value.text);
    double number = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
    if (error != std::errc() || end != digits.data() + digits.size() || !std::isfinite(number)) {
        return std::nullopt;
    }
    return number;
}

bool matches(const FitValue& wanted, const Attribute& value) {
    switch (wanted.kind) {
        case FitValue::Kind::String:
            return value.kind == Attribute::Kind::String &&
                   equals_folded(trim_blanks(value.text), wanted.text);
        case FitValue::Kind::Boolean:
            return value.kind == Attribute::Kind::Boolean && value.boolean == wanted.boolean;
        case FitValue::Kind::Number: {
            const std::optional<double> number = number_of(value);
            return number && *number == wanted.number;
        }
    }
    return false;
}

std::string number_text(double number) {
    if (number == std::floor(number) && std::fabs(number) < 1e15) {
        return std::to_string(static_cast<long long>(number));
    }
    char buffer[32];
    const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, number);
    return error == std::errc() ? std::string(buffer, end) : "?";
}

// A scalar attribute as it appears in explanations.
std::string scalar_text(const Attribute& value) {
    switch (value.kind) {
        case Attribute::Kind::String:
            return quote_for_message(value.text);
        case Attribute::Kind::Boolean:
            return value.boolean ? "true" : "false";
        default:
            return std::string(value.text);
    }
}

// Collects explanation lines; the scorer runs with `Silent` for fit_score,
// so both functions share every decision.
struct Lines {
    std::vector<FitLine>* out;
    void add(const std::string& rule, std::int64_t points, std::string detail) const {
        if (out != nullptr) {
            out->push_back({rule, points, std::move(detail)});
        }
    }
    bool wanted() const { return out != nullptr; }
};

struct RuleResult {
    std::int64_t points = 0;
    std::string detail;
};

RuleResult score_rule(const ScoringModel& model, const FitRule& rule, const Attribute& value,
                      bool explain) {
    RuleResult result;
    if (blank(value)) {
        if (explain) {
            result.detail = rule.attribute + " missing";
        }
        return result;
    }
    switch (rule.match) {
        case FitMatch::Seniority: {
            if (value.kind != Attribute::Kind::String) {
                wrong_attribute(rule, value, "a string");
            }
            const Seniority seniority = title_seniority(value.text);
            result.points = rule.seniority_points[static_cast<std::size_t>(seniority)];
            if (explain) {
                result.detail = rule.attribute + " " + quote_for_message(value.text) + " is " +
                                std::string(seniority_name(seniority));
            }
            break;
        }
        case FitMatch::EmailKind: {
            if (value.kind != Attribute::Kind::String) {
                wrong_attribute(rule, value, "a string");
            }
            const EmailKind kind = email_kind(value.text, model.competitor_list);
            result.points = rule.email_points[static_cast<std::size_t>(kind)];
            if (explain) {
                result.detail = rule.attribute + " " + quote_for_message(value.text) + " is " +
                                std::string(email_kind_name(kind));
            }
            break;
        }
        case FitMatch::Equals:
        case FitMatch::In: {
            if (value.kind == Attribute::Kind::Object) {
                wrong_attribute(rule, value, "a scalar or an array of scalars");
            }
            const Attribute* items = value.kind == Attribute::Kind::Array ? value.elements : &value;
            const std::size_t count = value.kind == Attribute::Kind::Array ? value.size : 1;
            std::size_t matched = 0;
            for (std::size_t i = 0; i < count; ++i) {
                for (const FitValue& wanted : rule.values) {
                    if (matches(wanted, items[i])) {
                        ++matched;
                        break;
                    }
                }
            }
            result.points = static_cast<std::int64_t>(matched) * rule.points;
            if (explain) {
                result.detail = value.kind == Attribute::Kind::Array
                                    ? std::to_string(matched) + " of " + std::to_string(count) +
                                          " values of " + rule.attribute + " match"
                                    : rule.attribute + " " + scalar_text(value) +
                                          (matched ? " matches" : " does not match");
            }
            break;
        }
        case FitMatch::Ranges: {
            const std::optional<double> number = number_of(value);
            if (!number) {
                wrong_attribute(rule, value, "a number");
            }
            const FitRange* hit = nullptr;
            for (const FitRange& range : rule.ranges) {
                if ((!range.min || *number >= *range.min) &&
                    (!range.max || *number <= *range.max)) {
                    hit = &range;
                    break;
                }
            }
            result.points = hit ? hit->points : 0;
            if (explain) {
                result.detail = rule.attribute + " " + number_text(*number);
                if (hit) {
                    result.detail += " in " + (hit->min ? number_text(*hit->min) : "") + ".." +
                                     (hit->max ? number_text(*hit->max) : "");
                } else {
                    result.detail += " in no range";
                }
            }
            break;
        }
        case FitMatch::Exists:
            result.points = rule.points;
            if (explain) {
                result.detail = rule.attribute + " present";
            }
            break;
    }
    const std::int64_t bounded = rule.bounds.clamp(result.points);
    if (explain && bounded != result.points) {
        result.detail +=
            ", " + std::to_string(result.points) + " bounded to " + std::to_string(bounded);
    }
    result.points = bounded;
    return result;
}

// Adds the line that brings `sum` within `bounds`, if they change it.
std::int64_t bounded_sum(std::int64_t sum, const Bounds& bounds, const std::string& what,
                         const Lines& lines) {
    const std::int64_t bounded = bounds.clamp(sum);
    if (bounded != sum && lines.wanted()) {
        lines.add(what, bounded - sum,
                  what + ": " + std::to_string(sum) +
                      (bounded < sum ? " capped at " : " raised to floor ") +
                      std::to_string(bounded));
    }
    return bounded;
}

std::int64_t evaluate(const ScoringModel& model, const Attribute* attributes, const Lines& lines) {
    const FitModel& fit = model.fit;
    std::vector<std::int64_t> group_sums(fit.groups.size(), 0);
    std::int64_t total = 0;
    for (const FitRule& rule : fit.rules) {
        RuleResult result =
            score_rule(model, rule, attributes[rule.attribute_index], lines.wanted());
        lines.add(rule.name, result.points, std::move(result.detail));
        if (rule.group >= 0) {
            group_sums[static_cast<std::size_t>(rule.group)] += result.points;
        } else {
            total += result.points;
        }
    }
    for (std::size_t i = 0; i < fit.groups.size(); ++i) {
        total +=
            bounded_sum(group_sums[i], fit.groups[i].bounds, "group " + fit.groups[i].name, lines);
    }
    total = bounded_sum(total, fit.bounds, "fit total", lines);
    if (total > INT32_MAX || total < INT32_MIN) {
        throw Error("22003", "fit score " + std::to_string(total) + " is out of range for integer",
                    "Lower the model's points or give fit a cap.");
    }
    return total;
}

}  // namespace

std::int64_t fit_score(const ScoringModel& model, const Attribute* attributes) {
    return evaluate(model, attributes, Lines{nullptr});
}

std::vector<FitLine> explain_fit(const ScoringModel& model, const Attribute* attributes) {
    std::vector<FitLine> lines;
    evaluate(model, attributes, Lines{&lines});
    return lines;
}

std::string grade(const ScoringModel& model, std::int64_t fit, Centipoints engagement) {
    std::size_t letter = 0;
    while (letter < 3 && fit < model.grade.fit[letter]) {
        ++letter;
    }
    std::size_t digit = 0;
    while (digit < 3 && engagement < model.grade.engagement[digit]) {
        ++digit;
    }
    return std::string(1, static_cast<char>('A' + letter)) + static_cast<char>('1' + digit);
}

}  // namespace leadscore::core
