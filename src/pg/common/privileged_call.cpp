// The gate in front of the management functions a CRM table's owner runs:
// attach, detach, attach_events, detach_events, rescore and rescore's
// batches.
//
// Their work writes leadscore's own tables and creates triggers with
// functions PUBLIC may not use, so it runs as the extension's owner, in a
// SECURITY DEFINER function that PUBLIC cannot execute (its name is the
// gate's, with a leading underscore and "_privileged" after it:
// leadscore.attach → leadscore._attach_privileged). That function must know
// who called, so that a table's owner acts on its own tables and nothing
// else; but inside a SECURITY DEFINER function current_user is the definer,
// and PostgreSQL keeps the caller nowhere a function can read. So the public
// function is this gate, which runs as its caller: it takes the caller's OID
// (GetUserId()) and calls the privileged function with its own arguments and
// that OID last. The call is direct (fmgr, no EXECUTE check: that is the
// point); fmgr applies the function's SECURITY DEFINER and SET search_path as
// for any call. The privileged function checks the caller's rights first.
#include "pg/common/guard.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type_d.h"
#include "miscadmin.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace {

// The privileged function that does the work of the SQL function `gate`.
Oid privileged_function(Oid gate) {
    HeapTuple procedure = SearchSysCache1(PROCOID, ObjectIdGetDatum(gate));
    if (!HeapTupleIsValid(procedure)) {
        elog(ERROR, "leadscore: cache lookup failed for function %u", gate);
    }
    const auto* form = reinterpret_cast<Form_pg_proc>(GETSTRUCT(procedure));
    const char* gate_name = NameStr(form->proname);
    while (*gate_name == '_') {
        ++gate_name;
    }
    const int count = form->pronargs;
    Oid* types = static_cast<Oid*>(palloc((count + 1) * sizeof(Oid)));
    for (int n = 0; n < count; ++n) {
        types[n] = form->proargtypes.values[n];
    }
    types[count] = OIDOID;  // the caller
    char* schema = get_namespace_name(form->pronamespace);
    char* name = psprintf("_%s_privileged", gate_name);
    ReleaseSysCache(procedure);
    return LookupFuncName(list_make2(makeString(schema), makeString(name)), count + 1, types,
                          false);
}

}  // namespace

LEADSCORE_FUNCTION(call_privileged) {
    const Oid caller = GetUserId();
    FmgrInfo* worker = static_cast<FmgrInfo*>(fcinfo->flinfo->fn_extra);
    if (worker == nullptr) {
        // (looked up once per call site)
        worker = static_cast<FmgrInfo*>(
            MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(FmgrInfo)));
        fmgr_info_cxt(privileged_function(fcinfo->flinfo->fn_oid), worker, fcinfo->flinfo->fn_mcxt);
        fcinfo->flinfo->fn_extra = worker;
    }
    const int count = PG_NARGS();
    auto* call = static_cast<FunctionCallInfo>(palloc0(SizeForFunctionCallInfo(count + 1)));
    InitFunctionCallInfoData(*call, worker, count + 1, fcinfo->fncollation, fcinfo->context,
                             fcinfo->resultinfo);
    for (int n = 0; n < count; ++n) {
        call->args[n] = fcinfo->args[n];
    }
    call->args[count].value = ObjectIdGetDatum(caller);
    call->args[count].isnull = false;
    const Datum result = FunctionCallInvoke(call);
    fcinfo->isnull = call->isnull;
    return result;
}
