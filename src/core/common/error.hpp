// Errors raised by the core. The glue turns them into PostgreSQL ERRORs.
//
// SQLSTATE codes belong to the SQL standard, not to PostgreSQL, so the core
// names them itself and stays free of PostgreSQL headers.
#pragma once

#include <stdexcept>
#include <string>

namespace leadscore::core {

namespace sqlstate {
inline constexpr char kInvalidTextRepresentation[] = "22P02";
inline constexpr char kInvalidBinaryRepresentation[] = "22P03";
inline constexpr char kInvalidParameterValue[] = "22023";
inline constexpr char kDatetimeFieldOverflow[] = "22008";
inline constexpr char kProgramLimitExceeded[] = "54000";
inline constexpr char kDataCorrupted[] = "XX001";
}  // namespace sqlstate

// An error a user can act on: it carries the SQLSTATE, a message that names
// the offending value, an optional detail and a hint that says how to fix it.
class Error : public std::runtime_error {
  public:
    Error(const char* sqlstate, const std::string& message, std::string hint = {},
          std::string detail = {})
        : std::runtime_error(message),
          sqlstate_(sqlstate),
          hint_(std::move(hint)),
          detail_(std::move(detail)) {}

    const char* sqlstate() const noexcept { return sqlstate_; }
    const std::string& hint() const noexcept { return hint_; }
    const std::string& detail() const noexcept { return detail_; }

  private:
    const char* sqlstate_;
    std::string hint_;
    std::string detail_;
};

// A serialised aggregate state that leadscore's serialisation function did
// not write (22P03): "invalid <state> state: <problem>".
inline constexpr char kCorruptedStateHint[] =
    "States come from leadscore's own serialisation function; do not build them by hand.";
[[noreturn]] inline void corrupted_state(const char* state, const std::string& problem) {
    throw Error(sqlstate::kInvalidBinaryRepresentation,
                std::string("invalid ") + state + " state: " + problem, kCorruptedStateHint);
}

}  // namespace leadscore::core
