// Arrays of a composite type as aggregate results (threshold_curve's
// threshold_point[], time_in_stage's stage_time[]): the element type comes
// from the function's declared return type, so no type is looked up by name.
#pragma once

#include "pg/common/postgres.hpp"

extern "C" {
#include "access/htup_details.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"
}

namespace leadscore::pg {

class CompositeArrayBuilder {
  public:
    explicit CompositeArrayBuilder(FunctionCallInfo fcinfo) {
        element_type_ = get_element_type(get_fn_expr_rettype(fcinfo->flinfo));
        if (element_type_ == InvalidOid) {
            elog(ERROR, "leadscore: function must return an array of a composite type");
        }
        descriptor_ = BlessTupleDesc(lookup_rowtype_tupdesc_copy(element_type_, -1));
        get_typlenbyvalalign(element_type_, &length_, &by_value_, &align_);
    }

    Datum element(Datum* values, bool* nulls) const {
        return HeapTupleGetDatum(heap_form_tuple(descriptor_, values, nulls));
    }

    Datum array(Datum* elements, int count) const {
        return PointerGetDatum(
            construct_array(elements, count, element_type_, length_, by_value_, align_));
    }

  private:
    Oid element_type_;
    TupleDesc descriptor_;
    int16 length_;
    bool by_value_;
    char align_;
};

}  // namespace leadscore::pg
