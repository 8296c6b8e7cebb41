#include "core/common/document_limits.hpp"

#include "core/common/error.hpp"

namespace leadscore::core {

void document_too_large(const std::string& document, const std::string& path, std::size_t size,
                        std::size_t limit, const std::string& unit, const std::string& hint) {
    throw Error(sqlstate::kProgramLimitExceeded,
                document + " is too large" + (path.empty() ? "" : " at " + path) + ": " +
                    std::to_string(size) + " " + unit + ", " + std::to_string(size - limit) +
                    " over the limit of " + std::to_string(limit),
                hint);
}

void check_document_bytes(std::string_view text, std::size_t limit, const std::string& document,
                          const std::string& hint_subject, bool normalised) {
    if (text.size() <= limit) {
        return;
    }
    document_too_large(document, "", text.size(), limit,
                       normalised ? "bytes of JSON with its defaults written out" : "bytes of JSON",
                       hint_subject + " has at most " + std::to_string(limit) + " bytes (" +
                           std::to_string(limit / (1024 * 1024)) + " MB) of JSON text.");
}

}  // namespace leadscore::core
