// Tolerant readers of the engine's JSON answers (internal to lib/docker).
//
// The engine omits fields, sends null for empty lists and maps, and adds
// fields between versions, so each reader returns a neutral value (empty
// string, 0, false, empty list) for a field that is missing, null or of
// another type instead of throwing.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"

namespace cairn::docker::detail {

using Json = nlohmann::json;

// `what` names the answer in the error: "the engine's answer to inspect".
Result<Json> parse_json_object(std::string_view text, std::string_view what);

// nullptr unless object[key] is an object.
const Json* object_field(const Json& object, std::string_view key);
std::string string_field(const Json& object, std::string_view key);
int64_t int_field(const Json& object, std::string_view key);
uint64_t uint_field(const Json& object, std::string_view key);
bool bool_field(const Json& object, std::string_view key);
std::vector<std::string> string_list_field(const Json& object, std::string_view key);
std::map<std::string, std::string> string_map_field(const Json& object, std::string_view key);

}  // namespace cairn::docker::detail
