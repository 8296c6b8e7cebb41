// libFuzzer target: arbitrary JSON text as a scoring model, then a
// serialised engagement state for it corrupted with the same bytes. Valid models must normalise
// to a fixed point and score events; invalid input of either kind must raise
// leadscore::core::Error and nothing else, and never touch memory it should
// not (AddressSanitizer).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/scoring/engagement.hpp"
#include "core/common/error.hpp"
#include "core/scoring/fit_score.hpp"

namespace {

using namespace leadscore::core;

void exercise(const ScoringModel& model, std::string_view bytes) {
    // Score a few events of every type the model knows, plus one it does not.
    std::vector<std::uint64_t> block(engagement_state_size(model.engagement) / 8 + 1);
    init_engagement_state(block.data(), model.engagement, 1000000000);
    for (std::size_t i = 0; i < model.engagement.events.size(); ++i) {
        add_event(block.data(), model.engagement, model.engagement.events[i].type,
                  1000000000 - static_cast<Micros>(i) * 86400000000);
    }
    try {
        add_event(block.data(), model.engagement, "not-a-type", 0);
    } catch (const Error&) {
    }
    const Centipoints score = engagement_score(model.engagement, block.data());
    Centipoints sum = 0;
    for (const EngagementLine& line : explain_engagement(model.engagement, block.data())) {
        sum += line.points;
    }
    if (sum != score) {
        __builtin_trap();
    }
    // Fit over attributes made of the fuzz input.
    std::vector<Attribute> attributes(model.fit.attributes.size());
    for (Attribute& attribute : attributes) {
        attribute.kind = Attribute::Kind::String;
        attribute.text = bytes.substr(0, 40);
    }
    try {
        fit_score(model, attributes.data());
    } catch (const Error&) {
    }
    // The state just built, serialised, with the input's bytes XORed into
    // its block (or, for odd first bytes, into its head too), cycling: a
    // corrupted state for this model, which must be refused or score
    // without touching stray memory. (The input itself, being model JSON,
    // can never be a serialised state.)
    std::vector<char> state(serialized_state_size(model.engagement));
    serialize_state(block.data(), model.engagement, "fuzz", 1, state.data());
    if (!bytes.empty()) {
        const std::size_t from = (bytes[0] & 1) ? 64 : sizeof(SerializedStateHead);
        for (std::size_t i = from; i < state.size(); ++i) {
            state[i] ^= bytes[i % bytes.size()];
        }
    }
    // Also cut at a length taken from the input.
    const std::size_t length = bytes.empty() ? state.size() : state.size() - bytes[0] % 8;
    try {
        const SerializedState read = read_serialized_state(state.data(), length);
        std::vector<std::uint64_t> copy(read.block_size / 8 + 1);
        std::memcpy(copy.data(), read.block, read.block_size);
        check_state_against_model(read, copy.data(), model.engagement);
        engagement_score(model.engagement, copy.data());
        explain_engagement(model.engagement, copy.data());
    } catch (const Error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const ScoringModel model = parse_model(text, "fuzz");
        const std::string normalised = model_json(model);
        if (model_json(parse_model(normalised, "fuzz")) != normalised) {
            __builtin_trap();
        }
        exercise(model, text);
    } catch (const Error&) {
        // Refused with a message: what must happen to bad input.
    }
    return 0;
}
