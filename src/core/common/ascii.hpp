// ASCII-only case folding: labels, reason codes, titles and email addresses
// are matched on ASCII letters; other bytes are compared as they are.
#pragma once

#include <string_view>

namespace leadscore::core {

constexpr char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

// `text` equals `lowered` (already in ASCII lower case) but for ASCII case.
constexpr bool equals_folded(std::string_view text, std::string_view lowered) noexcept {
    if (text.size() != lowered.size()) {
        return false;
    }
    for (std::size_t i = 0; i < lowered.size(); ++i) {
        if (ascii_lower(text[i]) != lowered[i]) {
            return false;
        }
    }
    return true;
}

}  // namespace leadscore::core
