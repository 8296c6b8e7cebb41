#include "pg/lifecycle/column_assignment.hpp"

extern "C" {
#include "parser/parse_coerce.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
}

namespace leadscore::pg {

std::optional<ColumnAssignment> column_assignment(TupleDesc descriptor, AttrNumber attnum,
                                                  Oid written_type) {
    const Form_pg_attribute attribute = TupleDescAttr(descriptor, attnum - 1);
    ColumnAssignment column;
    column.attnum = attnum;
    column.type = attribute->atttypid;
    column.written_type = written_type;
    column.typmod = attribute->atttypmod;
    const Oid base = getBaseTypeAndTypmod(attribute->atttypid, &column.typmod);
    column.is_domain = base != attribute->atttypid;
    if (written_type != base) {
        // (attach checked the column's type: a cast path exists)
        find_coercion_pathway(base, written_type, COERCION_ASSIGNMENT, &column.cast_function);
    }
    if (column.typmod >= 0) {
        Oid function = InvalidOid;
        if (find_typmod_coercion_function(base, &function) == COERCION_PATH_FUNC) {
            column.typmod_function = function;
        }
    }
    if (!OidIsValid(column.cast_function) && !column.is_domain &&
        !OidIsValid(column.typmod_function)) {
        return std::nullopt;
    }
    return column;
}

namespace {

const char* literal_of(Oid type, Datum value) {
    Oid output;
    bool is_varlena;
    getTypeOutputInfo(type, &output, &is_varlena);
    return quote_literal_cstr(OidOutputFunctionCall(output, value));
}

}  // namespace

Datum assigned_value(const ColumnAssignment& column, const char* column_name, const char* table,
                     Datum value, bool is_null) {
    MemoryContext context = CurrentMemoryContext;
    volatile Datum result = value;
    PG_TRY();
    {
        if (!is_null && OidIsValid(column.cast_function)) {
            result = OidFunctionCall1(column.cast_function, result);
        }
        if (!is_null && OidIsValid(column.typmod_function)) {
            // (false: an implicit cast, so varchar(n) refuses a longer value
            // instead of truncating it, as an INSERT does)
            result = OidFunctionCall3(column.typmod_function, result, Int32GetDatum(column.typmod),
                                      BoolGetDatum(false));
        }
        if (column.is_domain) {
            domain_check(result, is_null, column.type, &column.domain_cache, TopMemoryContext);
        }
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(context);
        ErrorData* error = CopyErrorData();
        const int category = ERRCODE_TO_CATEGORY(error->sqlerrcode);
        if (category != ERRCODE_DATA_EXCEPTION &&
            category != ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION) {
            PG_RE_THROW();  // (a cancel, out of memory: not the value's fault)
        }
        FlushErrorState();
        // Named first, before the statement's own context (a COPY line, a
        // function): the value as its written type prints.
        const char* written = psprintf("leadscore writing %s into column %s of %s",
                                       is_null ? "NULL" : literal_of(column.written_type, value),
                                       quote_identifier(column_name), table);
        error->context = error->context == nullptr ? const_cast<char*>(written)
                                                   : psprintf("%s\n%s", written, error->context);
        if (error->hint == nullptr) {
            error->hint = pstrdup(
                "The column's type refuses a value leadscore writes there (a stage moved by "
                "score, a stamp, a score, an SLA column): widen the type, or for a stage map it "
                "to a label the column accepts with attach's \"labels\".");
        }
        ReThrowError(error);
    }
    PG_END_TRY();
    return result;
}

}  // namespace leadscore::pg
