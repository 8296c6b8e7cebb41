// Quoting user input for error messages.
#pragma once

#include <string>
#include <string_view>

namespace leadscore::core {

// The longest prefix of `value` of at most `max_bytes` bytes that does not
// end inside a UTF-8 character.
std::string_view clip_utf8(std::string_view value, std::size_t max_bytes) noexcept;

// Returns `value` in double quotes, safe to put in an error message: control
// bytes are escaped as \xNN, and input longer than `max_bytes` is cut at a UTF-8
// character boundary and followed by its full length, so a 1 GB label does not
// produce a 1 GB message and a cut never splits a character.
std::string quote_for_message(std::string_view value, std::size_t max_bytes = 64);

}  // namespace leadscore::core
