#include "core/common/json_check.hpp"

#include <algorithm>

#include "core/common/quote.hpp"

namespace leadscore::core {

const char* json_type_name(const nlohmann::json& value) {
    using value_t = nlohmann::json::value_t;
    switch (value.type()) {
        case value_t::null:
            return "null";
        case value_t::boolean:
            return "a boolean";
        case value_t::string:
            return "a string";
        case value_t::array:
            return "an array";
        case value_t::object:
            return "an object";
        default:
            return "a number";
    }
}

std::string json_described(const nlohmann::json& value) {
    if (value.is_null()) {
        return "null";
    }
    return std::string(json_type_name(value)) + " " +
           quote_for_message(value.is_string() ? value.get_ref<const std::string&>()
                                               : value.dump());
}

void JsonChecker::fail(const std::string& path, const std::string& problem, const std::string& hint,
                       const char* state) const {
    throw Error(
        state, "invalid " + document_ + (path.empty() ? "" : " at " + path) + ": " + problem, hint);
}

void JsonChecker::wrong_type(const std::string& path, const nlohmann::json& value,
                             const std::string& expected, const std::string& hint) const {
    fail(path, "expected " + expected + ", got " + json_described(value), hint);
}

void JsonChecker::only_keys(const nlohmann::json& object, const std::string& path,
                            std::initializer_list<std::string_view> known) const {
    for (const auto& [key, value] : object.items()) {
        if (std::find(known.begin(), known.end(), key) == known.end()) {
            std::string list;
            for (std::string_view name : known) {
                list += (list.empty() ? "" : ", ") + std::string(name);
            }
            fail(child(path, key), "unknown key " + quote_for_message(key),
                 "Known keys here: " + list + ".");
        }
    }
}

const nlohmann::json& JsonChecker::object_at(const nlohmann::json& value, const std::string& path,
                                             const std::string& example) const {
    if (!value.is_object()) {
        wrong_type(path, value, "an object", "Example: " + example);
    }
    return value;
}

}  // namespace leadscore::core
