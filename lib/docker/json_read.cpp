#include "lib/docker/json_read.hpp"

namespace cairn::docker::detail {
namespace {

const Json* field(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

}  // namespace

Result<Json> parse_json_object(std::string_view text, std::string_view what) {
  auto json = Json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    std::string excerpt(text.substr(0, 200));
    return Error(std::string(what) + " is not a JSON object: " + excerpt);
  }
  return json;
}

const Json* object_field(const Json& object, std::string_view key) {
  const Json* value = field(object, key);
  return value && value->is_object() ? value : nullptr;
}

std::string string_field(const Json& object, std::string_view key) {
  const Json* value = field(object, key);
  return value && value->is_string() ? value->get<std::string>() : std::string();
}

int64_t int_field(const Json& object, std::string_view key) {
  const Json* value = field(object, key);
  if (!value || !value->is_number()) return 0;
  if (value->is_number_float()) return static_cast<int64_t>(value->get<double>());
  return value->get<int64_t>();
}

uint64_t uint_field(const Json& object, std::string_view key) {
  const Json* value = field(object, key);
  if (!value || !value->is_number()) return 0;
  if (value->is_number_unsigned()) return value->get<uint64_t>();
  if (value->is_number_float()) {
    double d = value->get<double>();
    return d > 0 ? static_cast<uint64_t>(d) : 0;
  }
  int64_t i = value->get<int64_t>();
  return i > 0 ? static_cast<uint64_t>(i) : 0;
}

bool bool_field(const Json& object, std::string_view key) {
  const Json* value = field(object, key);
  return value && value->is_boolean() && value->get<bool>();
}

std::vector<std::string> string_list_field(const Json& object, std::string_view key) {
  std::vector<std::string> out;
  const Json* value = field(object, key);
  if (!value || !value->is_array()) return out;
  for (const auto& item : *value) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

std::map<std::string, std::string> string_map_field(const Json& object, std::string_view key) {
  std::map<std::string, std::string> out;
  const Json* value = object_field(object, key);
  if (!value) return out;
  for (const auto& [k, v] : value->items()) {
    if (v.is_string()) out.emplace(k, v.get<std::string>());
  }
  return out;
}

}  // namespace cairn::docker::detail
