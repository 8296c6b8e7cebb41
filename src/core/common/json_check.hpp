// Checks for the JSON documents users write (attach configs, scoring
// models): every error names the JSON path of the offending value and says
// what was expected, e.g. `engagement.events.pricing_view: expected a number,
// got a string "high"`.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/common/error.hpp"

namespace leadscore::core {

// "a string", "a number", "an object", ... for messages.
const char* json_type_name(const nlohmann::json& value);

// `a string "high"`: the type and the value, clipped for messages.
std::string json_described(const nlohmann::json& value);

class JsonChecker {
  public:
    // `document` names what is checked, e.g. "leadscore.attach config".
    explicit JsonChecker(std::string document) : document_(std::move(document)) {}

    [[noreturn]] void fail(const std::string& path, const std::string& problem,
                           const std::string& hint,
                           const char* state = sqlstate::kInvalidParameterValue) const;

    // `path: expected <expected>, got <value>` with `hint`.
    [[noreturn]] void wrong_type(const std::string& path, const nlohmann::json& value,
                                 const std::string& expected, const std::string& hint) const;

    // Fails on the first key of `object` that is not in `known`.
    void only_keys(const nlohmann::json& object, const std::string& path,
                   std::initializer_list<std::string_view> known) const;
    // `value` when it is an object; otherwise fails with `example` as hint.
    const nlohmann::json& object_at(const nlohmann::json& value, const std::string& path,
                                    const std::string& example) const;

    // "a.b" from "a" and "b"; "b" at the top level.
    static std::string child(const std::string& path, const std::string& key) {
        return path.empty() ? key : path + "." + key;
    }

  private:
    std::string document_;
};

}  // namespace leadscore::core
