// Fit: points for who a lead is (seed 000: "fit 1-30 for ICP", title
// seniority, negative points for competitor, personal and student email).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/scoring/scoring_model.hpp"

namespace leadscore::core {

// One attribute of a lead as the glue read it from jsonb, without copies.
struct Attribute {
    enum class Kind { Missing, Null, String, Number, Boolean, Array, Object };
    Kind kind = Kind::Missing;
    std::string_view text;                // String: the string; Number: its decimal digits
    bool boolean = false;                 // Boolean
    const Attribute* elements = nullptr;  // Array: its elements (nested arrays as Kind::Array)
    std::size_t size = 0;                 // Array: number of elements
};

// One line of an explanation; the lines' points add up to the score.
struct FitLine {
    std::string rule;
    std::int64_t points;
    std::string detail;
};

// `attributes` holds one Attribute per name in model.fit.attributes, in that
// order. Missing and null attributes and blank strings score nothing; an
// attribute of a type a rule cannot read (a number for a title, a
// non-numeric string for a range) is an Error (22023) naming the attribute.
std::int64_t fit_score(const ScoringModel& model, const Attribute* attributes);

// The same computation, line by line: one line per rule, then one per group
// and for the model whose bounds changed the sum. The lines add up to
// fit_score.
std::vector<FitLine> explain_fit(const ScoringModel& model, const Attribute* attributes);

// HubSpot's matrix: fit letter A-D and engagement digit 1-4, e.g. "B2".
std::string grade(const ScoringModel& model, std::int64_t fit, Centipoints engagement);

}  // namespace leadscore::core
