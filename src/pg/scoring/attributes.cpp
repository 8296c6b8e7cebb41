#include "pg/scoring/attributes.hpp"

#include <new>

namespace leadscore::pg {

namespace {

const char* root_kind(Jsonb* value) {
    if (JB_ROOT_IS_SCALAR(value)) {
        return "a scalar";
    }
    return JB_ROOT_IS_ARRAY(value) ? "an array" : "an object";
}

void read_scalar(const JsonbValue& value, core::Attribute& out) {
    switch (value.type) {
        case jbvNull:
            out.kind = core::Attribute::Kind::Null;
            break;
        case jbvString:
            out.kind = core::Attribute::Kind::String;
            out.text = std::string_view(value.val.string.val,
                                        static_cast<std::size_t>(value.val.string.len));
            break;
        case jbvNumeric: {
            out.kind = core::Attribute::Kind::Number;
            const char* digits = DatumGetCString(
                DirectFunctionCall1(numeric_out, NumericGetDatum(value.val.numeric)));
            out.text = digits;
            break;
        }
        case jbvBool:
            out.kind = core::Attribute::Kind::Boolean;
            out.boolean = value.val.boolean;
            break;
        default:
            out.kind = core::Attribute::Kind::Object;
            break;
    }
}

void read_value(const JsonbValue& value, core::Attribute& out) {
    if (value.type != jbvBinary) {
        read_scalar(value, out);
        return;
    }
    JsonbContainer* container = value.val.binary.data;
    if (!JsonContainerIsArray(container)) {
        out.kind = core::Attribute::Kind::Object;
        return;
    }
    const uint32 count = JsonContainerSize(container);
    auto* elements = static_cast<core::Attribute*>(palloc0(sizeof(core::Attribute) * (count + 1)));
    for (uint32 i = 0; i < count; ++i) {
        new (&elements[i]) core::Attribute();
        const JsonbValue* element = getIthJsonbValueFromContainer(container, i);
        if (element->type == jbvBinary) {
            elements[i].kind = JsonContainerIsArray(element->val.binary.data)
                                   ? core::Attribute::Kind::Array
                                   : core::Attribute::Kind::Object;
        } else {
            read_scalar(*element, elements[i]);
        }
    }
    out.kind = core::Attribute::Kind::Array;
    out.elements = elements;
    out.size = count;
}

}  // namespace

void read_jsonb_attribute(Jsonb* value, core::Attribute& out) {
    if (JB_ROOT_IS_SCALAR(value)) {
        JsonbValue scalar;
        JsonbExtractScalar(&value->root, &scalar);
        read_scalar(scalar, out);
        return;
    }
    JsonbValue container;
    container.type = jbvBinary;
    container.val.binary.data = &value->root;
    container.val.binary.len = static_cast<int>(VARSIZE(value) - VARHDRSZ);
    read_value(container, out);
}

const core::Attribute* read_attributes(Jsonb* attributes, const core::FitModel& model) {
    if (!JB_ROOT_IS_OBJECT(attributes) || JB_ROOT_IS_SCALAR(attributes)) {
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                 errmsg("lead attributes must be a JSON object, got %s", root_kind(attributes)),
                 errhint("Pass the lead's attributes as an object, e.g. "
                         "jsonb_build_object('title', title, 'employees', employees).")));
    }
    const std::size_t count = model.attributes.size();
    auto* values = static_cast<core::Attribute*>(palloc0(sizeof(core::Attribute) * (count + 1)));
    for (std::size_t i = 0; i < count; ++i) {
        new (&values[i]) core::Attribute();
        const std::string& name = model.attributes[i];
        JsonbValue key;
        key.type = jbvString;
        key.val.string.val = const_cast<char*>(name.data());
        key.val.string.len = static_cast<int>(name.size());
        const JsonbValue* found = findJsonbValueFromContainer(&attributes->root, JB_FOBJECT, &key);
        if (found != nullptr) {
            read_value(*found, values[i]);
        }
    }
    return values;
}

}  // namespace leadscore::pg
