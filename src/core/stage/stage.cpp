#include "core/stage/stage.hpp"

#include <string>

#include "core/common/error.hpp"

namespace leadscore::core {

namespace {

constexpr std::array<std::string_view, kStageCount> kLabels = {
    "disqualified", "recycled", "visitor", "lead",        "mql",
    "pql",          "sal",      "sql",     "opportunity", "customer",
};

std::string valid_code_range() {
    return "0 to " + std::to_string(kStageCount - 1);
}

}  // namespace

std::string_view stage_label(Stage stage) noexcept {
    return kLabels[stage_code(stage)];
}

Stage stage_from_stored_code(unsigned code) {
    if (auto stage = stage_from_code(code)) {
        return *stage;
    }
    throw Error(sqlstate::kDataCorrupted,
                "corrupted lifecycle_stage value: code " + std::to_string(code) +
                    " is not a stage (valid codes are " + valid_code_range() + ")",
                "The value was not written by leadscore's input functions; check for casts "
                "created WITHOUT FUNCTION or for damaged storage.");
}

Stage stage_from_binary(const unsigned char* bytes, std::size_t length) {
    const std::string hint =
        "The binary format of lifecycle_stage is one byte holding the stage code, " +
        valid_code_range() + " (disqualified ... customer).";
    if (length != 1) {
        throw Error(
            sqlstate::kInvalidBinaryRepresentation,
            "invalid binary lifecycle_stage: expected 1 byte, got " + std::to_string(length), hint);
    }
    if (auto stage = stage_from_code(bytes[0])) {
        return *stage;
    }
    throw Error(
        sqlstate::kInvalidBinaryRepresentation,
        "invalid binary lifecycle_stage: code " + std::to_string(bytes[0]) + " is out of range",
        hint);
}

}  // namespace leadscore::core
