#include "core/common/quote.hpp"

#include <cstdio>

namespace leadscore::core {

std::string_view clip_utf8(std::string_view value, std::size_t max_bytes) noexcept {
    if (value.size() <= max_bytes) {
        return value;
    }
    std::size_t end = max_bytes;
    while (end > 0 && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) {
        --end;  // a continuation byte: back up to the character's start
    }
    return value.substr(0, end);
}

std::string quote_for_message(std::string_view value, std::size_t max_bytes) {
    const std::size_t kept = clip_utf8(value, max_bytes).size();
    std::string quoted = "\"";
    for (std::size_t i = 0; i < kept; ++i) {
        const auto byte = static_cast<unsigned char>(value[i]);
        if (byte < 0x20 || byte == 0x7F) {
            char escaped[5];
            std::snprintf(escaped, sizeof escaped, "\\x%02X", byte);
            quoted += escaped;
        } else {
            quoted += static_cast<char>(byte);
        }
    }
    quoted += '"';
    if (kept < value.size()) {
        quoted += "... (" + std::to_string(value.size()) + " bytes)";
    }
    return quoted;
}

}  // namespace leadscore::core
