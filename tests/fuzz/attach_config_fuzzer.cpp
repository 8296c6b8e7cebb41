// libFuzzer target: arbitrary JSON text as an attach config, against a fixed
// table. Valid configs must normalise to a fixed point; invalid ones must
// raise leadscore::core::Error and nothing else.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/lifecycle/attachment.hpp"
#include "core/common/error.hpp"
#include "core/lifecycle/handoff.hpp"
#include "core/lifecycle/stage_change.hpp"

namespace {

leadscore::core::TableShape table() {
    using namespace leadscore::core;
    TableShape shape;
    shape.table_name = "crm.contacts";
    shape.columns = {{"id", ColumnKind::Other, "integer", {}},
                     {"stage", ColumnKind::Text, "text", {}},
                     {"status", ColumnKind::Enum, "crm.status", {"New", "lead", "Working"}},
                     {"mql_at", ColumnKind::Timestamptz, "timestamptz", {}},
                     {"reason", ColumnKind::Varchar, "varchar", {}}};
    shape.primary_key = {"id"};
    return shape;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace leadscore::core;
    static const TableShape shape = table();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const AttachmentConfig config = parse_attachment_config(text, shape);
        const std::string normalised = normalised_json(config);
        if (normalised_json(parse_attachment_config(normalised, shape)) != normalised) {
            __builtin_trap();
        }
        StageChange change;
        change.from = Stage::Sql;
        change.to = size % 2 ? Stage::Recycled : Stage::Customer;
        change.reason = text.substr(0, 80);
        judge_change(config, change);
    } catch (const Error&) {
    }
    Handoff handoff;
    handoff.table = "crm.contacts";
    handoff.key = text;
    handoff.to = Stage::Mql;
    handoff.at = "2026-11-22T00:00:00+00:00";
    char payload[kNotifyPayloadCapacity];
    if (format_handoff(handoff, payload, sizeof payload) >= sizeof payload) {
        __builtin_trap();
    }
    return 0;
}
