// What the rescore statements of an attached leads table are built from:
// its stored config and its events tables' (read as leadscore's owner, who
// owns the config tables), and the names and types of the catalogs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pg/common/postgres.hpp"

#include "core/events/rescore_statement.hpp"

namespace leadscore::pg {

struct RescoreSource {
    core::RescoreInputs inputs;
    std::string key_sql_type;        // the key column's type as SQL writes it, qualified
    std::vector<Oid> events_tables;  // the attached events tables that exist
};

// nullopt when `leads` is not attached with a scoring model. May be called
// while C++ objects are alive: PostgreSQL errors come back as PostgresError.
std::optional<RescoreSource> rescore_source(Oid leads);

// ERROR 55000: `leads` is not attached with a scoring model.
[[noreturn]] void refuse_unscored_table(Oid leads);

}  // namespace leadscore::pg
