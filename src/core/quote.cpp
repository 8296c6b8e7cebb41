#include "quote.hpp"

#include <cstdio>

namespace leadscore::core {

namespace {

bool is_utf8_continuation(unsigned char byte) {
    return (byte & 0xC0) == 0x80;
}

std::size_t clip_at_character_boundary(std::string_view value, std::size_t max_bytes) {
    if (value.size() <= max_bytes) {
        return value.size();
    }
    std::size_t end = max_bytes;
    while (end > 0 && is_utf8_continuation(static_cast<unsigned char>(value[end]))) {
        --end;
    }
    return end;
}

}  // namespace

std::string quote_for_message(std::string_view value, std::size_t max_bytes) {
    const std::size_t kept = clip_at_character_boundary(value, max_bytes);
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
