// leadscore.title_seniority(title) and leadscore.email_kind(email).
#include "pg/common/guard.hpp"
#include "pg/common/text_datum.hpp"

#include "core/scoring/email_kind.hpp"
#include "core/scoring/title_seniority.hpp"

namespace core = leadscore::core;
namespace pg = leadscore::pg;

LEADSCORE_FUNCTION(title_seniority) {
    if (PG_ARGISNULL(0)) {
        return pg::text_datum(core::seniority_name(core::Seniority::Unknown));
    }
    return pg::text_datum(core::seniority_name(core::title_seniority(pg::text_arg(fcinfo, 0))));
}

LEADSCORE_FUNCTION(email_kind) {
    return pg::text_datum(core::email_kind_name(core::email_kind(pg::text_arg(fcinfo, 0))));
}
