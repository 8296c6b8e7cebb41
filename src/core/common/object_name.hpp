// Names users give to models and calendars: they travel in aggregate states
// and messages, so they are bounded and printable.
#pragma once

#include <cstddef>
#include <string_view>

namespace leadscore::core {

inline constexpr std::size_t kMaxObjectNameLength = 63;

// core::Error 22023 unless `name` has 1 to 63 bytes and no control
// characters; `what` is e.g. "scoring model".
void check_object_name(std::string_view name, const char* what);

}  // namespace leadscore::core
