#include "pg/scoring/row_attributes.hpp"

#include <cstring>
#include <new>

#include "pg/scoring/attributes.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/transam.h"
#include "catalog/pg_type_d.h"
#include "parser/parse_coerce.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/datum.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
}

namespace leadscore::pg {

namespace {

void read_datum(Datum value, Oid type, core::Attribute& out);

void read_array(Datum value, core::Attribute& out) {
    ArrayType* array = DatumGetArrayTypeP(value);
    const Oid element_type = ARR_ELEMTYPE(array);
    out.kind = core::Attribute::Kind::Array;
    if (ARR_NDIM(array) == 0) {
        return;
    }
    int16 length;
    bool by_value;
    char align;
    get_typlenbyvalalign(element_type, &length, &by_value, &align);
    Datum* elements;
    bool* nulls;
    int count;
    deconstruct_array(array, element_type, length, by_value, align, &elements, &nulls, &count);
    // A multi-dimensional array is an array of arrays in JSON; fit rules
    // read flat lists only, so its elements are left as (empty) arrays.
    const int outer = ARR_NDIM(array) > 1 ? ARR_DIMS(array)[0] : count;
    auto* items = static_cast<core::Attribute*>(palloc0(sizeof(core::Attribute) * (outer + 1)));
    for (int i = 0; i < outer; ++i) {
        new (&items[i]) core::Attribute();
        if (ARR_NDIM(array) > 1) {
            items[i].kind = core::Attribute::Kind::Array;
        } else if (nulls[i]) {
            items[i].kind = core::Attribute::Kind::Null;
        } else {
            read_datum(elements[i], element_type, items[i]);
        }
    }
    out.elements = items;
    out.size = static_cast<std::size_t>(outer);
}

void read_datum(Datum value, Oid type, core::Attribute& out) {
    const Oid base = getBaseType(type);
    switch (base) {
        case BOOLOID:
            out.kind = core::Attribute::Kind::Boolean;
            out.boolean = DatumGetBool(value);
            return;
        case INT2OID:
        case INT4OID:
        case INT8OID:
        case FLOAT4OID:
        case FLOAT8OID:
        case NUMERICOID: {
            Oid output;
            bool is_varlena;
            getTypeOutputInfo(base, &output, &is_varlena);
            const char* text = OidOutputFunctionCall(output, value);
            // NaN and the infinities are no JSON numbers: to_jsonb makes them strings.
            const bool number = strcmp(text, "NaN") != 0 && strcmp(text, "Infinity") != 0 &&
                                strcmp(text, "-Infinity") != 0;
            out.kind = number ? core::Attribute::Kind::Number : core::Attribute::Kind::String;
            out.text = text;
            return;
        }
        case DATEOID:
        case TIMESTAMPOID:
        case TIMESTAMPTZOID: {
            char* text = static_cast<char*>(palloc(MAXDATELEN + 1));
            JsonEncodeDateTime(text, value, base, nullptr);
            out.kind = core::Attribute::Kind::String;
            out.text = text;
            return;
        }
        case JSONBOID:
            read_jsonb_attribute(DatumGetJsonbP(value), out);
            return;
        case JSONOID:
            read_jsonb_attribute(DatumGetJsonbP(DirectFunctionCall1(
                                     jsonb_in, CStringGetDatum(TextDatumGetCString(value)))),
                                 out);
            return;
        default:
            break;
    }
    if (OidIsValid(get_element_type(base))) {
        read_array(value, out);
        return;
    }
    if (type_is_rowtype(base)) {
        out.kind = core::Attribute::Kind::Object;
        return;
    }
    // A type of an extension or a user with a cast to json (hstore): to_jsonb
    // converts through that cast.
    Oid to_json = InvalidOid;
    if (base >= FirstNormalObjectId &&
        find_coercion_pathway(JSONOID, base, COERCION_EXPLICIT, &to_json) == COERCION_PATH_FUNC &&
        OidIsValid(to_json)) {
        read_datum(OidFunctionCall1(to_json, value), JSONOID, out);
        return;
    }
    Oid output;
    bool is_varlena;
    getTypeOutputInfo(base, &output, &is_varlena);
    out.kind = core::Attribute::Kind::String;
    out.text = OidOutputFunctionCall(output, value);
}

}  // namespace

const core::Attribute* row_attributes(const CompiledAttachment& attachment,
                                      const core::FitModel& model, HeapTuple row,
                                      TupleDesc descriptor) {
    const std::size_t count = model.attributes.size();
    auto* values = static_cast<core::Attribute*>(palloc0(sizeof(core::Attribute) * (count + 1)));
    const auto& mapped = attachment.config.fit_attributes;
    for (std::size_t i = 0; i < count; ++i) {
        new (&values[i]) core::Attribute();
        for (std::size_t m = 0; m < mapped.size(); ++m) {
            if (mapped[m].first != model.attributes[i]) {
                continue;
            }
            const AttrNumber attnum = attachment.fit_attribute_columns[m];
            bool is_null;
            const Datum value = heap_getattr(row, attnum, descriptor, &is_null);
            if (is_null) {
                values[i].kind = core::Attribute::Kind::Null;
            } else {
                read_datum(value, TupleDescAttr(descriptor, attnum - 1)->atttypid, values[i]);
            }
            break;
        }
    }
    return values;
}

bool stored_value_changed(TupleDesc descriptor, AttrNumber attnum, HeapTuple before,
                          HeapTuple after) {
    bool old_null;
    bool new_null;
    const Datum old_value = heap_getattr(before, attnum, descriptor, &old_null);
    const Datum new_value = heap_getattr(after, attnum, descriptor, &new_null);
    if (old_null || new_null) {
        return old_null != new_null;
    }
    const Form_pg_attribute attribute = TupleDescAttr(descriptor, attnum - 1);
    return !datumIsEqual(old_value, new_value, attribute->attbyval, attribute->attlen);
}

bool fit_attributes_changed(const CompiledAttachment& attachment, HeapTuple before, HeapTuple after,
                            TupleDesc descriptor) {
    for (const AttrNumber attnum : attachment.fit_attribute_columns) {
        if (stored_value_changed(descriptor, attnum, before, after)) {
            return true;
        }
    }
    return false;
}

}  // namespace leadscore::pg
