// Scoring models, compiled once per backend. Functions find a model by name
// through their own fn_extra (no lookup at all while nothing changed) and
// otherwise through a per-backend map; a model is read with SPI only on first
// use and after a change to leadscore.scoring_models, which invalidates the
// table's relcache entry in every backend (statement trigger). Replaced
// entries are freed at transaction end, so pointers stay valid for the
// transaction that obtained them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "pg/common/postgres.hpp"

#include "core/scoring/scoring_model.hpp"

namespace leadscore::pg {

struct LoadedModel {
    std::string name;
    std::uint32_t version = 0;
    bool current = false;  // the newest version when it was loaded
    bool valid = true;     // false once the models table changed
    core::ScoringModel model;
};

// The current version of model `name`: cached in `flinfo->fn_extra`. ERROR
// 42704 with the defined models as hint when there is none.
const LoadedModel& current_model(FmgrInfo* flinfo, std::string_view name);

// A given version (states from parallel workers carry theirs).
const LoadedModel& model_version(std::string_view name, std::uint32_t version);

// The model name argument `n`, or ERROR 22004 when it is NULL.
std::string_view model_name_arg(FunctionCallInfo fcinfo, int n);

void register_model_cache_callbacks();

}  // namespace leadscore::pg
