#include "lib/mesos/json_fields.hpp"

#include <cmath>

#include <fmt/core.h>

namespace cairn::mesos {

namespace {

const std::vector<nlohmann::json> kEmptyArray;

std::string join_names(const std::vector<std::string_view>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  return out;
}

}  // namespace

std::string describe_json(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::null:
      return "null";
    default: {
      std::string text = value.dump();
      if (text.size() > 40) text = text.substr(0, 37) + "...";
      return text;
    }
  }
}

Fields::Fields(const nlohmann::json& json, std::string path) : json_(json), path_(std::move(path)) {
  if (!json_.is_object()) {
    throw FieldError(fmt::format("{}: expected an object, got {}", path_.empty() ? "body" : path_,
                                 describe_json(json_)));
  }
}

std::string Fields::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void Fields::fail(std::string_view key, const std::string& message) const {
  throw FieldError(fmt::format("{}: {}", path_of(key), message));
}

const nlohmann::json* Fields::get(std::string_view key) const {
  auto it = json_.find(key);
  if (it == json_.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<std::string> Fields::optional_string(std::string_view key) const {
  const nlohmann::json* value = get(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) fail(key, "expected a string, got " + describe_json(*value));
  return value->get<std::string>();
}

std::string Fields::required_string(std::string_view key) const {
  std::optional<std::string> value = optional_string(key);
  if (!value) fail(key, "required string is missing");
  return *value;
}

std::optional<double> Fields::optional_number(std::string_view key) const {
  const nlohmann::json* value = get(key);
  if (value == nullptr) return std::nullopt;
  if (value->is_number()) return value->get<double>();
  if (value->is_string()) {
    const auto& text = value->get_ref<const std::string&>();
    if (text == "Infinity") return INFINITY;
    if (text == "-Infinity") return -INFINITY;
  }
  fail(key, "expected a number, got " + describe_json(*value));
}

double Fields::number(std::string_view key, double fallback) const {
  return optional_number(key).value_or(fallback);
}

int64_t Fields::integer(std::string_view key, int64_t fallback) const {
  const nlohmann::json* value = get(key);
  if (value == nullptr) return fallback;
  if (value->is_number_integer()) return value->get<int64_t>();
  if (value->is_number_float()) {
    double d = value->get<double>();
    if (std::floor(d) == d && std::fabs(d) < 9.0e15) return static_cast<int64_t>(d);
  }
  fail(key, "expected an integer, got " + describe_json(*value));
}

bool Fields::boolean(std::string_view key, bool fallback) const {
  const nlohmann::json* value = get(key);
  if (value == nullptr) return fallback;
  if (!value->is_boolean()) fail(key, "expected true or false, got " + describe_json(*value));
  return value->get<bool>();
}

std::optional<std::string> Fields::optional_id(std::string_view key) const {
  const nlohmann::json* value = get(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_object()) {
    fail(key, "expected an ID object like {\"value\": \"...\"}, got " + describe_json(*value));
  }
  Fields id(*value, path_of(key));
  std::string text = id.required_string("value");
  if (text.empty()) id.fail("value", "must not be empty");
  return text;
}

std::string Fields::required_id(std::string_view key) const {
  std::optional<std::string> value = optional_id(key);
  if (!value) fail(key, "required ID is missing (expected {\"value\": \"...\"})");
  return *value;
}

std::optional<Fields> Fields::optional_object(std::string_view key) const {
  const nlohmann::json* value = get(key);
  if (value == nullptr) return std::nullopt;
  return Fields(*value, path_of(key));
}

Fields Fields::required_object(std::string_view key) const {
  std::optional<Fields> value = optional_object(key);
  if (!value) fail(key, "required object is missing");
  return *value;
}

const std::vector<nlohmann::json>& Fields::array(std::string_view key) const {
  const nlohmann::json* value = get(key);
  if (value == nullptr) return kEmptyArray;
  if (!value->is_array()) fail(key, "expected an array, got " + describe_json(*value));
  return value->get_ref<const nlohmann::json::array_t&>();
}

std::vector<std::string> Fields::string_array(std::string_view key) const {
  std::vector<std::string> out;
  const auto& items = array(key);
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_string()) {
      fail(key, fmt::format("[{}]: expected a string, got {}", i, describe_json(items[i])));
    }
    out.push_back(items[i].get<std::string>());
  }
  return out;
}

std::vector<std::string> Fields::id_array(std::string_view key) const {
  std::vector<std::string> out;
  const auto& items = array(key);
  for (size_t i = 0; i < items.size(); ++i) {
    Fields item(items[i], fmt::format("{}[{}]", path_of(key), i));
    std::string value = item.required_string("value");
    if (value.empty()) item.fail("value", "must not be empty");
    out.push_back(std::move(value));
  }
  return out;
}

std::optional<std::string> Fields::optional_enum(std::string_view key,
                                                 const std::vector<std::string_view>& names) const {
  std::optional<std::string> value = optional_string(key);
  if (!value) return std::nullopt;
  for (std::string_view name : names) {
    if (name == *value) return value;
  }
  return std::nullopt;
}

std::string Fields::required_enum(std::string_view key,
                                  const std::vector<std::string_view>& names) const {
  std::string value = required_string(key);
  for (std::string_view name : names) {
    if (name == value) return value;
  }
  fail(key, fmt::format("unknown value \"{}\"; expected one of {}", value, join_names(names)));
}

nlohmann::json id_json(const std::string& id) { return nlohmann::json{{"value", id}}; }

}  // namespace cairn::mesos
