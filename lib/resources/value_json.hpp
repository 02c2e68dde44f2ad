// Reading and writing Mesos `Value` fields in v1 JSON, for resources and
// attributes alike.
//
// A Resource or Attribute object carries its value in one member named after
// its type: `"scalar": {"value": 8}`, `"ranges": {"range": [{"begin": 1,
// "end": 2}]}`, `"set": {"item": ["a"]}` or `"text": {"value": "r1"}`. Readers
// report the JSON path of the field that was wrong, e.g.
// `[2].ranges.range[0].begin`. Internal to lib/resources.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "lib/base/result.hpp"
#include "lib/resources/value.hpp"

namespace cairn::value_json {

// Adds the member that holds `value` to `object`.
void write(nlohmann::json& object, const ResourceValue& value);
void write(nlohmann::json& object, const AttributeValue& value);

// Reads the value of `type` from `object` at `path`; the members of other
// types must be absent (Mesos: "Invalid scalar resource").
Result<AttributeValue> read(const nlohmann::json& object, ValueType type, const std::string& path);

// A short description of a JSON value for error messages: strings and numbers
// verbatim (truncated), containers by kind only.
std::string describe(const nlohmann::json& value);

// Reads the string member `key` of `object`: nothing when absent, an error
// when present but not a string.
Result<std::optional<std::string>> optional_string(const nlohmann::json& object,
                                                   std::string_view key, const std::string& path);

// "path.key", or "key" when path is empty.
std::string join(const std::string& path, std::string_view key);

// "path[index]".
std::string element(const std::string& path, size_t index);

}  // namespace cairn::value_json
