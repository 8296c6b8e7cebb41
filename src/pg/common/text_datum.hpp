// text arguments and results as std::string_view, without copies.
#pragma once

#include <string>
#include <string_view>

#include "pg/common/postgres.hpp"

#include "core/common/quote.hpp"

namespace leadscore::pg {

// A view of a text argument (detoasted if need be; the view lives as long as
// the function call's memory context).
inline std::string_view text_arg(FunctionCallInfo fcinfo, int n) {
    const text* value = PG_GETARG_TEXT_PP(n);
    return std::string_view(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value));
}

// `value` quoted for an error message (control bytes escaped, clipped), in
// a caller's buffer so that no C++ object outlives the call.
template <std::size_t N>
void quote_into(char (&buffer)[N], std::string_view value) {
    const std::string quoted = core::quote_for_message(value);
    strlcpy(buffer, quoted.c_str(), N);
}

inline Datum text_datum(std::string_view value) {
    return PointerGetDatum(cstring_to_text_with_len(value.data(), static_cast<int>(value.size())));
}

}  // namespace leadscore::pg
