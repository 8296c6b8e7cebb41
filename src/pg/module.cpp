// The module's magic block: PostgreSQL refuses to load a library built for
// another major version.
#include "postgres.hpp"

extern "C" {
PG_MODULE_MAGIC;
}
