// Job title -> seniority band, for fit scoring (seed 000: economic buyers,
// VP and C-suite, score highest).
#pragma once

#include <string_view>

namespace leadscore::core {

enum class Seniority { CLevel, Vp, Director, Manager, Individual, Student, Unknown };

std::string_view seniority_name(Seniority seniority) noexcept;

// Reads real-world titles: abbreviations (SVP, Sr. Mgr, Dir.), compound
// titles ("Co-Founder & CEO", "VP/GM EMEA": the highest band wins), "Chief
// ... Officer", "Head of ...", interns and students. Assistants to an
// executive are individual contributors. An empty title is Unknown; any other
// title without a seniority word is Individual. Neither throws nor allocates.
Seniority title_seniority(std::string_view title) noexcept;

}  // namespace leadscore::core
