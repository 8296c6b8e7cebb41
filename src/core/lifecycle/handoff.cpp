#include "core/lifecycle/handoff.hpp"

#include <cstring>
#include <string>

#include <nlohmann/json.hpp>

#include "core/common/quote.hpp"

namespace leadscore::core {

namespace {

constexpr std::size_t kMaxKeyBytes = 1024;

}  // namespace

std::size_t format_handoff(const Handoff& handoff, char* out, std::size_t capacity) {
    nlohmann::json payload = nlohmann::json::object();
    const std::string_view key = clip_utf8(handoff.key, kMaxKeyBytes);
    payload["table"] = std::string(handoff.table);
    payload["key"] = std::string(key);
    if (key.size() < handoff.key.size()) {
        payload["key_truncated"] = true;
    }
    payload["from"] = handoff.from ? nlohmann::json(std::string(stage_label(*handoff.from)))
                                   : nlohmann::json(nullptr);
    payload["to"] = std::string(stage_label(handoff.to));
    payload["at"] = std::string(handoff.at);
    // Invalid UTF-8 in a key (SQL_ASCII databases) is replaced, not thrown.
    const std::string text = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (capacity == 0) {
        return 0;
    }
    const std::size_t length = std::min(text.size(), capacity - 1);
    std::memcpy(out, text.data(), length);
    out[length] = '\0';
    return length;
}

}  // namespace leadscore::core
