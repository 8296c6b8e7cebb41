// A lead's attributes (jsonb) as the core reads them: only the attributes a
// model's fit rules name are looked up, with no copies of their values.
#pragma once

#include "pg/common/postgres.hpp"

extern "C" {
#include "utils/jsonb.h"
}

#include "core/scoring/fit_score.hpp"

namespace leadscore::pg {

// One core::Attribute per name in `model.fit.attributes`, palloc'd; ERROR
// 22023 when `attributes` is not a JSON object.
const core::Attribute* read_attributes(Jsonb* attributes, const core::FitModel& model);

// One JSON value (a whole jsonb, scalar or container) as an attribute.
void read_jsonb_attribute(Jsonb* value, core::Attribute& out);

}  // namespace leadscore::pg
