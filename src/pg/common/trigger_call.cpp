#include "pg/common/trigger_call.hpp"

namespace leadscore::pg {

TriggerData* trigger_call(FunctionCallInfo fcinfo, const char* function,
                          bool (*fired_right)(TriggerEvent event), const char* how,
                          const char* hint) {
    if (!CALLED_AS_TRIGGER(fcinfo)) {
        ereport(ERROR,
                (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                 errmsg("%s can only be called as a trigger", function), errhint("%s", hint)));
    }
    auto* data = reinterpret_cast<TriggerData*>(fcinfo->context);
    if (!fired_right(data->tg_event)) {
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("%s must fire %s", function, how), errhint("%s", hint)));
    }
    return data;
}

}  // namespace leadscore::pg
