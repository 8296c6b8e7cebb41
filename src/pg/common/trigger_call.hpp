// The checks every trigger function of leadscore starts with: called by the
// trigger manager, and fired the way leadscore creates it. A function put
// on a table by hand some other way gets ERROR 39P01 naming how it must
// fire, not undefined behaviour from reading the wrong tuples.
#pragma once

#include "pg/common/postgres.hpp"

extern "C" {
#include "commands/trigger.h"
}

namespace leadscore::pg {

// The trigger data of `fcinfo`. `function` names the trigger function in
// messages; `fired_right` says whether the event is one it handles, and
// `how` spells those events out ("AFTER DELETE FOR EACH ROW").
TriggerData* trigger_call(FunctionCallInfo fcinfo, const char* function,
                          bool (*fired_right)(TriggerEvent event), const char* how,
                          const char* hint);

}  // namespace leadscore::pg
