#include "pg/common/key_operator.hpp"

#include "pg/common/guard.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace leadscore::pg {

const char* key_operator(Oid table, const char* column, int16 strategy) {
    const AttrNumber attnum = get_attnum(table, column);
    if (attnum == InvalidAttrNumber) {
        return nullptr;
    }
    const Oid base = getBaseType(get_atttype(table, attnum));
    // (GetDefaultOpClass also finds a class of a type the base is binary
    // coercible to: anyenum for an enum, text for varchar.)
    const Oid opclass = GetDefaultOpClass(base, BTREE_AM_OID);
    if (!OidIsValid(opclass)) {
        return nullptr;
    }
    const Oid input = get_opclass_input_type(opclass);
    // Not the classes of pseudo-types (anyarray, anyrange, record) that
    // GetDefaultOpClass also accepts: a key of those types gets none, as
    // its comparison is not one a statement should rely on. anyenum is the
    // class of every enum.
    if (input != base && get_typtype(input) == TYPTYPE_PSEUDO && input != ANYENUMOID) {
        return nullptr;
    }
    const Oid op = get_opfamily_member(get_opclass_family(opclass), input, input, strategy);
    if (!OidIsValid(op)) {
        return nullptr;
    }
    HeapTuple tuple = SearchSysCache1(OPEROID, ObjectIdGetDatum(op));
    if (!HeapTupleIsValid(tuple)) {
        return nullptr;
    }
    const auto* form = reinterpret_cast<Form_pg_operator>(GETSTRUCT(tuple));
    const char* name =
        psprintf("OPERATOR(%s.%s)", quote_identifier(get_namespace_name(form->oprnamespace)),
                 NameStr(form->oprname));
    ReleaseSysCache(tuple);
    return name;
}

const char* column_sql_type(Oid table, const char* column) {
    const AttrNumber attnum = get_attnum(table, column);
    if (attnum == InvalidAttrNumber) {
        return nullptr;
    }
    Oid type;
    int32 typmod;
    Oid collation;
    get_atttypetypmodcoll(table, attnum, &type, &typmod, &collation);
    return format_type_extended(type, typmod,
                                FORMAT_TYPE_TYPEMOD_GIVEN | FORMAT_TYPE_FORCE_QUALIFY);
}

}  // namespace leadscore::pg

// leadscore._key_operator(target regclass, key_column text, strategy integer)
// → text: key_operator for leadscore's SQL functions (STRICT).
LEADSCORE_FUNCTION(key_operator_of) {
    const int32 strategy = PG_GETARG_INT32(2);
    if (strategy < 1 || strategy > 5) {
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("leadscore._key_operator needs a btree strategy (1 to 5), got %d",
                               strategy),
                        errhint("It is called by leadscore's functions only.")));
    }
    const char* name = leadscore::pg::key_operator(
        PG_GETARG_OID(0), text_to_cstring(PG_GETARG_TEXT_PP(1)), static_cast<int16>(strategy));
    if (name == nullptr) {
        PG_RETURN_NULL();
    }
    PG_RETURN_TEXT_P(cstring_to_text(name));
}
