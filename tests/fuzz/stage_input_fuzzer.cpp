// libFuzzer target: everything a user can send into lifecycle_stage input,
// binary recv, the attach label resolver, message quoting and the title and
// email classifiers. Any crash,
// sanitizer report or exception other than leadscore::core::Error is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/scoring/email_kind.hpp"
#include "core/common/error.hpp"
#include "core/common/quote.hpp"
#include "core/stage/stage.hpp"
#include "core/stage/stage_labels.hpp"
#include "core/lifecycle/stage_resolver.hpp"
#include "core/scoring/title_seniority.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace leadscore::core;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const Stage stage = parse_stage_label(text);
        if (parse_stage_label(stage_label(stage)) != stage) {
            __builtin_trap();  // a canonical label must read back as itself
        }
    } catch (const Error&) {
    }
    try {
        stage_from_binary(data, size);
    } catch (const Error&) {
    }
    static const StageResolver resolver({{"Working - Contacted", Stage::Sal}});
    resolver.resolve(text);
    title_seniority(text);
    email_kind(text, "rival.io, other.com");
    if (quote_for_message(text).size() > 64 + 4 * 64 + 40) {
        __builtin_trap();  // quoting must stay bounded whatever the input
    }
    return 0;
}
