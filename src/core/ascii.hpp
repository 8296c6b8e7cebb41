// ASCII-only case folding: labels, reason codes, titles and email addresses
// are matched on ASCII letters; other bytes are compared as they are.
#pragma once

namespace leadscore::core {

constexpr char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

}  // namespace leadscore::core
