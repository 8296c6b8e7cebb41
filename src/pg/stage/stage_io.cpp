// Input, output, binary send/recv and text casts of lifecycle_stage.
#include "pg/common/guard.hpp"
#include "pg/stage/stage_datum.hpp"
#include "pg/common/text_datum.hpp"

#include "core/stage/stage_labels.hpp"

using leadscore::core::Stage;
namespace core = leadscore::core;

namespace {

Datum label_as_cstring(Stage stage) {
    const std::string_view label = core::stage_label(stage);
    return CStringGetDatum(pnstrdup(label.data(), label.size()));
}

}  // namespace

LEADSCORE_FUNCTION(lifecycle_stage_in) {
    return leadscore::pg::stage_datum(core::parse_stage_label(PG_GETARG_CSTRING(0)));
}

LEADSCORE_FUNCTION(lifecycle_stage_out) {
    return label_as_cstring(leadscore::pg::stage_arg(fcinfo, 0));
}

LEADSCORE_FUNCTION(lifecycle_stage_recv) {
    StringInfo buffer = reinterpret_cast<StringInfo>(PG_GETARG_POINTER(0));
    const auto* bytes = reinterpret_cast<const unsigned char*>(buffer->data + buffer->cursor);
    const auto length = static_cast<std::size_t>(buffer->len - buffer->cursor);
    const Stage stage = core::stage_from_binary(bytes, length);
    buffer->cursor = buffer->len;
    return leadscore::pg::stage_datum(stage);
}

LEADSCORE_FUNCTION(lifecycle_stage_send) {
    const Stage stage = leadscore::pg::stage_arg(fcinfo, 0);
    StringInfoData buffer;
    pq_begintypsend(&buffer);
    pq_sendbyte(&buffer, core::stage_code(stage));
    PG_RETURN_BYTEA_P(pq_endtypsend(&buffer));
}

LEADSCORE_FUNCTION(lifecycle_stage_from_text) {
    return leadscore::pg::stage_datum(core::parse_stage_label(leadscore::pg::text_arg(fcinfo, 0)));
}

LEADSCORE_FUNCTION(lifecycle_stage_to_text) {
    return leadscore::pg::text_datum(core::stage_label(leadscore::pg::stage_arg(fcinfo, 0)));
}
