#include "core/common/object_name.hpp"

#include <string>

#include "core/common/error.hpp"
#include "core/common/quote.hpp"

namespace leadscore::core {

void check_object_name(std::string_view name, const char* what) {
    bool control = false;
    for (char c : name) {
        control = control || static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
    }
    if (name.empty() || name.size() > kMaxObjectNameLength || control) {
        throw Error(
            sqlstate::kInvalidParameterValue,
            std::string("invalid ") + what + " name " + quote_for_message(name),
            std::string("A ") + what + " name has 1 to 63 bytes and no control characters.");
    }
}

}  // namespace leadscore::core
